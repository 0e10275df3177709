/* score.c: fsscore's engine (see score.h).
 *
 * Each model sits in a slot with the file it came from and what that file
 * looked like (device, inode, size, times) when it was read. The features
 * both models need are looked up once per event, by name, into one table;
 * each model reads its inputs from the table by index. A reload builds the
 * new model and its index completely before the swap, so an event is
 * always scored by one whole model.
 */
#include "score.h"
#include "cli.h"
#include "hmap.h"
#include "json.h"
#include "model.h"
#include "output.h"
#include "record.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* --watch looks at the files this often; a change is taken once the file
 * has looked the same at two looks in a row (a copy may still be going). */
#define WATCH_MS 100

struct file_sig {
	int ok;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

struct slot {
	const char *path;
	const char *suffix;          /* "" for the champion, "_shadow" */
	struct fs_model *m;
	size_t *idx;                 /* per model feature: its place in the name table */
	struct fs_buf qid;           /* the model id as a JSON string */
	struct file_sig loaded;      /* the file as it was when last read (good or bad) */
	struct file_sig pending;     /* a change seen once, waiting to settle */
	int gone_reported;
	double *x, *out;
	/* output keys, plain and pre-quoted */
	char n_score[32], n_model[32];
	size_t nl_score, nl_model;
	char *k_score, *k_flag, *k_model, *k_class;
	size_t l_score, l_flag, l_model, l_class;
};

struct fs_score {
	struct fs_score_config cfg;
	struct fs_path *from;        /* NULL: the event itself */
	size_t from_len;             /* strlen of its first part */
	char **given;                /* --features names */
	size_t ngiven;
	struct slot slot[2];
	size_t nslots;
	/* the names both models read, and per event their values */
	char **names;
	size_t nnames, capnames;
	double *values;
	uint64_t *absent;            /* per name: events without it */
	unsigned char *warned;       /* per name: reported as absent from all events */
	uint64_t *seen;              /* per name: the last read (gen) that had it */
	uint64_t gen;                /* reads of an event's features begun */
	struct fs_hmap by_name;      /* name -> its index + 1 */
	/* Events of one stream list their features in the same order: the key
	 * met at each position last time, and what it was, saves a hash. */
	struct seen_key {
		char *key;
		size_t len;
		size_t idx;              /* index + 1, or 0: not a feature of ours */
	} *order;
	size_t norder;
	uint64_t events;             /* events whose features were read */
	struct fs_buf num;
};

static void sig_of(const char *path, struct file_sig *s)
{
	struct stat st;
	memset(s, 0, sizeof *s);
	if (stat(path, &st) < 0)
		return;
	s->ok = 1;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime = st.st_mtim;
	s->ctime = st.st_ctim;
}

static int sig_same(const struct file_sig *a, const struct file_sig *b)
{
	return a->ok == b->ok && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* The place of name in the table, added when new. */
static size_t name_index(struct fs_score *s, const char *name)
{
	for (size_t i = 0; i < s->nnames; i++)
		if (!strcmp(s->names[i], name))
			return i;
	if (s->nnames == s->capnames) {
		s->capnames = s->capnames ? 2 * s->capnames : 16;
		s->names = fs_xrealloc(s->names, s->capnames * sizeof *s->names);
		s->values = fs_xrealloc(s->values, s->capnames * sizeof *s->values);
		s->absent = fs_xrealloc(s->absent, s->capnames * sizeof *s->absent);
		s->warned = fs_xrealloc(s->warned, s->capnames * sizeof *s->warned);
	}
	s->names[s->nnames] = fs_xstrdup(name);
	s->absent[s->nnames] = 0;
	s->warned[s->nnames] = 0;
	size_t len = strlen(name);
	int created;
	fs_hmap_upsert(&s->by_name, name, len, fs_hash(name, len), &created)->v.u = s->nnames + 1;
	return s->nnames++;
}

static const char *feature_name(const struct fs_score *s, const struct fs_model *m, size_t i);

static void forget_order(struct fs_score *s)
{
	for (size_t i = 0; i < s->norder; i++)
		free(s->order[i].key);
	free(s->order);
	s->order = NULL;
	s->norder = 0;
}

/* The table index + 1 of the key at member position j, or 0. */
static size_t key_index(struct fs_score *s, size_t j, const char *k, size_t kl)
{
	if (j < s->norder && s->order[j].len == kl && !memcmp(s->order[j].key, k, kl))
		return s->order[j].idx;
	struct fs_hent *e = fs_hmap_find(&s->by_name, k, kl, fs_hash(k, kl));
	size_t idx = e ? e->v.u : 0;
	if (j < 256) {  /* remember the first positions only */
		if (j >= s->norder) {
			s->order = fs_xrealloc(s->order, (j + 1) * sizeof *s->order);
			memset(s->order + s->norder, 0, (j + 1 - s->norder) * sizeof *s->order);
			s->norder = j + 1;
		}
		free(s->order[j].key);
		s->order[j].key = fs_xmalloc(kl + 1);
		memcpy(s->order[j].key, k, kl);
		s->order[j].len = kl;
		s->order[j].idx = idx;
	}
	return idx;
}

/* The table of names the serving models read, rebuilt after a swap; a name
 * that stays keeps its count of events without it. */
static void rebuild_table(struct fs_score *s)
{
	char **old = s->names;
	uint64_t *old_absent = s->absent;
	unsigned char *old_warned = s->warned;
	size_t nold = s->nnames;
	s->names = NULL;
	s->absent = NULL;
	s->warned = NULL;
	free(s->values);
	s->values = NULL;
	s->nnames = s->capnames = 0;
	fs_hmap_free(&s->by_name);
	memset(&s->by_name, 0, sizeof s->by_name);
	for (size_t i = 0; i < 2; i++) {
		struct slot *sl = &s->slot[i];
		if (!sl->m)
			continue;
		size_t nf = fs_model_nfeatures(sl->m);
		free(sl->idx);
		sl->idx = fs_xmalloc((nf ? nf : 1) * sizeof *sl->idx);
		for (size_t f = 0; f < nf; f++)
			sl->idx[f] = name_index(s, feature_name(s, sl->m, f));
	}
	for (size_t i = 0; i < nold; i++) {
		for (size_t j = 0; j < s->nnames; j++)
			if (!strcmp(old[i], s->names[j])) {
				s->absent[j] = old_absent[i];
				s->warned[j] = old_warned[i];
			}
		free(old[i]);
	}
	free(old);
	free(old_absent);
	free(old_warned);
	if (!s->values)
		s->values = fs_xmalloc(sizeof *s->values);
	free(s->seen);
	s->seen = fs_xcalloc(s->nnames + 1, sizeof *s->seen);
	forget_order(s);
}

static const char *feature_name(const struct fs_score *s, const struct fs_model *m, size_t i)
{
	return s->ngiven ? s->given[i] : fs_model_feature(m, i);
}

/* Checks that a model can serve in slot sl. */
static int fit(const struct fs_score *s, const struct slot *sl, const struct fs_model *m,
               char *err, size_t errsize)
{
	size_t nf = fs_model_nfeatures(m);
	if (s->ngiven && s->ngiven != nf) {
		snprintf(err, errsize, "%s: the model has %zu features, --features names %zu",
		         sl->path, nf, s->ngiven);
		return -1;
	}
	if (!s->ngiven && !fs_model_has_names(m)) {
		snprintf(err, errsize, "%s: the model has no feature names; name its %zu features in "
		         "order with --features a,b,c", sl->path, nf);
		return -1;
	}
	if (s->cfg.has_threshold && fs_model_task(m) == FS_TASK_MULTICLASS) {
		snprintf(err, errsize, "%s: --threshold needs a model with one score; this one is "
		         "multiclass (%zu classes)", sl->path, fs_model_noutputs(m));
		return -1;
	}
	if (sl->m && (fs_model_task(sl->m) != fs_model_task(m) ||
	              fs_model_noutputs(sl->m) != fs_model_noutputs(m))) {
		snprintf(err, errsize, "%s: the new model gives %zu output(s), the one serving %zu: "
		         "downstream would see other fields; restart fsscore to change the kind of model",
		         sl->path, fs_model_noutputs(m), fs_model_noutputs(sl->m));
		return -1;
	}
	return 0;
}

static void install(struct fs_score *s, struct slot *sl, struct fs_model *m)
{
	fs_model_free(sl->m);
	sl->m = m;
	rebuild_table(s);
	sl->qid.len = 0;
	fs_json_put_string(&sl->qid, fs_model_id(m), strlen(fs_model_id(m)));
	free(sl->x);
	free(sl->out);
	sl->x = fs_xcalloc(fs_model_nfeatures(m) + 1, sizeof *sl->x);
	sl->out = fs_xcalloc(fs_model_noutputs(m), sizeof *sl->out);
}

static char *key(const char *base, const char *suffix, size_t *len, char plain[32])
{
	char name[32];
	snprintf(name, sizeof name, "%s%s", base, suffix);
	if (plain)
		memcpy(plain, name, sizeof name);
	return fs_quote_key(name, len);
}

static int open_slot(struct fs_score *s, struct slot *sl, const char *path, const char *suffix,
                     char *err, size_t errsize, int *status)
{
	sl->path = path;
	sl->suffix = suffix;
	sig_of(path, &sl->loaded);
	struct fs_model *m = fs_model_load(path, err, errsize, status);
	if (!m)
		return -1;
	if (fit(s, sl, m, err, errsize) < 0) {
		fs_model_free(m);
		*status = FS_EX_USAGE;
		return -1;
	}
	install(s, sl, m);
	int multi = fs_model_task(m) == FS_TASK_MULTICLASS;
	sl->k_score = key(multi ? "scores" : "score", suffix, &sl->l_score, sl->n_score);
	sl->k_flag = key("flag", suffix, &sl->l_flag, NULL);
	sl->k_model = key("model", suffix, &sl->l_model, sl->n_model);
	sl->nl_score = strlen(sl->n_score);
	sl->nl_model = strlen(sl->n_model);
	sl->k_class = key("class", suffix, &sl->l_class, NULL);
	return 0;
}

struct fs_score *fs_score_new(const struct fs_score_config *cfg, char *err, size_t errsize,
                              int *status)
{
	struct fs_score *s = fs_xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	const char *from = cfg->from ? cfg->from : "features";
	if (strcmp(from, ".") != 0) {
		const char *why;
		s->from = fs_path_new(from, &why);
		if (!s->from) {
			snprintf(err, errsize, "--from %s: %s", from, why);
			*status = FS_EX_USAGE;
			fs_score_free(s);
			return NULL;
		}
		s->from_len = strlen(s->from->parts[0]);
		if (s->from->envelope && !cfg->kcat) {
			snprintf(err, errsize, "--from %s names a kcat envelope field; add --kcat", from);
			*status = FS_EX_USAGE;
			fs_score_free(s);
			return NULL;
		}
	}
	if (cfg->features) {
		s->given = fs_cli_list(cfg->features, &s->ngiven);
		for (size_t i = 0; i < s->ngiven; i++)
			if (!*s->given[i]) {
				snprintf(err, errsize, "--features %s: an empty name", cfg->features);
				*status = FS_EX_USAGE;
				fs_score_free(s);
				return NULL;
			}
	}
	if (open_slot(s, &s->slot[0], cfg->model, "", err, errsize, status) < 0 ||
	    (cfg->shadow && open_slot(s, &s->slot[1], cfg->shadow, "_shadow", err, errsize, status) < 0)) {
		fs_score_free(s);
		return NULL;
	}
	s->nslots = cfg->shadow ? 2 : 1;
	return s;
}

void fs_score_free(struct fs_score *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < 2; i++) {
		struct slot *sl = &s->slot[i];
		fs_model_free(sl->m);
		free(sl->idx);
		free(sl->x);
		free(sl->out);
		fs_buf_free(&sl->qid);
		free(sl->k_score);
		free(sl->k_flag);
		free(sl->k_model);
		free(sl->k_class);
	}
	for (size_t i = 0; i < s->nnames; i++)
		free(s->names[i]);
	fs_cli_list_free(s->given, s->ngiven);
	free(s->names);
	free(s->values);
	free(s->absent);
	free(s->warned);
	free(s->seen);
	forget_order(s);
	fs_hmap_free(&s->by_name);
	fs_path_free(s->from);
	fs_buf_free(&s->num);
	free(s);
}

/* ------------------------------------------------------------ reload */

static void reload(struct fs_score *s, struct slot *sl, const char *why)
{
	char err[768];
	int status;
	sig_of(sl->path, &sl->loaded);
	sl->pending = sl->loaded;
	struct fs_model *m = fs_model_load(sl->path, err, sizeof err, &status);
	if (m && fit(s, sl, m, err, sizeof err) < 0) {
		fs_model_free(m);
		m = NULL;
	}
	if (!m) {
		fs_warn("%s (%s): cannot reload, still serving %s: %s", sl->path, why,
		        fs_model_id(sl->m), err);
		return;
	}
	char old[512];
	snprintf(old, sizeof old, "%s", fs_model_id(sl->m));
	install(s, sl, m);
	fs_warn("%s (%s): now serving %s (%s), was %s", sl->path, why, fs_model_id(m),
	        fs_model_describe(m), old);
}

int fs_score_poll(void *ctx, int hup)
{
	struct fs_score *s = ctx;
	for (size_t i = 0; i < s->nslots; i++) {
		struct slot *sl = &s->slot[i];
		if (hup) {
			reload(s, sl, "SIGHUP");
			continue;
		}
		if (!s->cfg.watch)
			continue;
		struct file_sig now;
		sig_of(sl->path, &now);
		if (!now.ok) {
			/* between an unlink and the rename of its replacement, or gone */
			if (sl->loaded.ok && !sl->gone_reported) {
				fs_warn("%s: the model file is gone; still serving %s", sl->path,
				        fs_model_id(sl->m));
				sl->gone_reported = 1;
			}
			sl->pending = now;
			continue;
		}
		sl->gone_reported = 0;
		if (sig_same(&now, &sl->loaded))
			continue;
		if (sig_same(&now, &sl->pending))
			reload(s, sl, "changed");
		else
			sl->pending = now;
	}
	return s->cfg.watch ? WATCH_MS : -1;
}

/* ------------------------------------------------------------ scoring */

/* After this many events, features none of them had are reported at once,
 * not only at the end of a run that, live, may never end. */
#define EARLY_REPORT 1000

static void report_absent(struct fs_score *s)
{
	for (size_t i = 0; i < s->nnames; i++)
		if (s->absent[i] == s->events && !s->warned[i]) {
			fs_warn("feature \"%s\" was absent from %s %llu events: scored as missing; check "
			        "its name and --from (%s)", s->names[i],
			        s->events == EARLY_REPORT ? "the first" : "all",
			        (unsigned long long)s->events, s->cfg.from ? s->cfg.from : "features");
			s->warned[i] = 1;
		}
}

/* One more event's features read. */
static void counted(struct fs_score *s)
{
	if (++s->events == EARLY_REPORT)
		report_absent(s);
}

/* Reads every name of the table from obj into s->values (NaN: missing). */
static int read_features(struct fs_score *s, const json_t *obj, struct fs_run *run)
{
	uint64_t ev = ++s->gen;
	for (size_t i = 0; i < s->nnames; i++) {
		json_t *v = json_object_get(obj, s->names[i]);
		double d;
		if (!v) {
			if (s->cfg.strict)
				return fs_run_reject(run, FS_REJ_FEATURE, "feature \"%s\" is absent (--strict); "
				                     "send null for a missing value", s->names[i]);
			s->values[i] = NAN;
			continue;
		}
		s->seen[i] = ev;
		if (json_is_boolean(v)) {
			s->values[i] = json_is_true(v);
			continue;
		}
		switch (fs_value_number(v, &d)) {
		case FS_NUM_OK:
			s->values[i] = d;
			break;
		case FS_NUM_MISSING:
			s->values[i] = NAN;
			break;
		case FS_NUM_INVALID:
			s->num.len = 0;
			fs_json_put_value(&s->num, v);
			return fs_run_reject(run, FS_REJ_FEATURE, "feature \"%s\" is %.*s, not a number",
			                     s->names[i], s->num.len > 60 ? 60 : (int)s->num.len, s->num.p);
		}
	}
	for (size_t i = 0; i < s->nnames; i++)
		if (s->seen[i] != ev)
			s->absent[i]++;
	counted(s);
	return 0;
}


static void emit_slot(struct fs_score *s, struct fs_emit *em, const struct slot *sl, struct fs_buf *b)
{
	const struct fs_model *m = sl->m;
	size_t nf = fs_model_nfeatures(m);
	for (size_t i = 0; i < nf; i++)
		sl->x[i] = s->values[sl->idx[i]];
	int cls = fs_model_predict(m, sl->x, sl->out);
	fs_emit_key(em, sl->k_score, sl->l_score);
	if (fs_model_task(m) == FS_TASK_MULTICLASS) {
		fs_buf_putc(b, '[');
		for (size_t k = 0; k < fs_model_noutputs(m); k++) {
			if (k)
				fs_buf_putc(b, ',');
			fs_json_put_double(b, sl->out[k]);
		}
		fs_buf_putc(b, ']');
		fs_emit_key(em, sl->k_class, sl->l_class);
		char n[16];
		fs_buf_put(b, n, (size_t)snprintf(n, sizeof n, "%d", cls));
	} else {
		fs_json_put_double(b, sl->out[0]);
		if (s->cfg.has_threshold) {
			fs_emit_key(em, sl->k_flag, sl->l_flag);
			fs_buf_puts(b, sl->out[0] >= s->cfg.threshold ? "true" : "false");
		}
	}
	fs_emit_key(em, sl->k_model, sl->l_model);
	fs_buf_put(b, sl->qid.p, sl->qid.len);
}

/* Reads the features of the object at p[at] (a '{') into the table and
 * sets *end just past it. Returns 0, or -1 for anything the raw path
 * leaves to the parsed one. */
static int read_object_raw(struct fs_score *s, const char *p, size_t n, size_t at, size_t *end,
                           uint64_t ev)
{
	size_t pos = 0, last = 0;
	struct fs_json_member m;
	const char *o = p + at;
	size_t on = n - at;
	for (size_t j = 0; fs_json_next_key(o, on, &pos, &m); j++) {
		if (m.escaped)
			return -1;
		size_t i = key_index(s, j, o + m.ks + 1, m.ke - m.ks - 2);
		pos = last = fs_json_skip_value(o, m.vs, on);
		if (!i--)
			continue;
		const char *v = o + m.vs;
		size_t vl = pos - m.vs;
		double d;
		switch (fs_raw_number(v, vl, &d)) {
		case FS_NUM_OK:
			s->values[i] = d;
			break;
		case FS_NUM_MISSING:
			s->values[i] = NAN;
			break;
		default:
			if (vl == 4 && !memcmp(v, "true", 4))
				s->values[i] = 1;
			else if (vl == 5 && !memcmp(v, "false", 5))
				s->values[i] = 0;
			else
				return -1;
		}
		s->seen[i] = ev;
	}
	/* past the closing brace (an empty object has no members) */
	size_t i = last ? last : 1;
	while (i < on && o[i] != '}')
		i++;
	*end = at + i + 1;
	return 0;
}

/* The raw path (the loop did not parse the event): the features are read
 * straight from its bytes. Anything unusual -- an escaped key, a value
 * that is not a plain number, a missing object, a clash -- returns
 * FS_STEP_PARSE, and the parsed path decides and words the message. */
static int read_features_raw(struct fs_score *s, const struct fs_record *r)
{
	const char *p = r->raw;
	size_t n = r->rawlen, pos = 0, fs = 0, fe = n;
	struct fs_json_member m;
	int one_level = s->from && s->from->n == 1, found = !s->from;
	if (s->from && s->from->envelope)
		return FS_STEP_PARSE;
	uint64_t ev = ++s->gen;
	if (!s->from)
		found = read_object_raw(s, p, n, 0, &fe, ev) == 0;
	/* the top level: clashes with our fields, and the features object,
	 * read where it stands (its bytes are most of the event's) */
	while (fs_json_next_key(p, n, &pos, &m)) {
		if (m.escaped)
			return FS_STEP_PARSE;
		const char *k = p + m.ks + 1;
		size_t kl = m.ke - m.ks - 2;
		for (size_t i = 0; i < s->nslots; i++)
			if ((kl == s->slot[i].nl_score && !memcmp(k, s->slot[i].n_score, kl)) ||
			    (kl == s->slot[i].nl_model && !memcmp(k, s->slot[i].n_model, kl)))
				return FS_STEP_PARSE;
		if (one_level && kl == s->from_len && !memcmp(k, s->from->parts[0], kl)) {
			if (found || p[m.vs] != '{')
				return FS_STEP_PARSE;  /* twice (the last counts), or not an object */
			if (read_object_raw(s, p, n, m.vs, &pos, ev) < 0)
				return FS_STEP_PARSE;
			found = 1;
			continue;
		}
		pos = fs_json_skip_value(p, m.vs, n);
	}
	if (s->from && !one_level) {
		if (!fs_json_find_path(p, n, s->from->parts, s->from->n, &fs, &fe) || p[fs] != '{' ||
		    read_object_raw(s, p, fe, fs, &fe, ev) < 0)
			return FS_STEP_PARSE;
		found = 1;
	}
	if (!found)
		return FS_STEP_PARSE;
	for (size_t i = 0; i < s->nnames; i++)
		if (s->seen[i] != ev) {
			if (s->cfg.strict)
				return FS_STEP_PARSE;
			s->values[i] = NAN;
		}
	for (size_t i = 0; i < s->nnames; i++)
		if (s->seen[i] != ev)
			s->absent[i]++;
	counted(s);
	return 0;
}

int fs_score_step(void *ctx, const struct fs_record *r, struct fs_run *run)
{
	struct fs_score *s = ctx;
	if (!r->obj) {
		int rc = read_features_raw(s, r);
		if (rc)
			return rc;
		goto score;
	}
	const json_t *obj = r->obj;
	if (s->from) {
		obj = fs_path_get(s->from, r);
		if (!json_is_object(obj))
			return fs_run_reject(run, FS_REJ_FEATURE, "%s%s%s (fsfeat writes \"features\"; "
			                     "name another object with --from, or --from . for the event's "
			                     "own fields)", obj ? "\"" : "no \"", s->from->spec,
			                     obj ? "\" is not an object" : "\" object");
	}
	if (read_features(s, obj, run) < 0)
		return -1;
	/* our fields must not be there already */
	for (size_t i = 0; i < s->nslots; i++) {
		const struct slot *sl = &s->slot[i];
		const char *clash = json_object_get(r->obj, sl->n_score) ? sl->n_score :
		                    json_object_get(r->obj, sl->n_model) ? sl->n_model : NULL;
		if (clash)
			return fs_run_reject(run, FS_REJ_CONFLICT, "\"%s\" is already in the event "
			                     "(scored twice?)", clash);
	}
score:;
	struct fs_emit em;
	fs_emit_begin(&em, run->out, r, NULL, 0);
	for (size_t i = 0; i < s->nslots; i++)
		emit_slot(s, &em, &s->slot[i], run->out);
	fs_emit_end(&em);
	return 0;
}

void fs_score_report(struct fs_score *s)
{
	if (s->events)
		report_absent(s);
}
