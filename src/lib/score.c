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
#include "learn.h"
#include "model.h"
#include "output.h"
#include "record.h"
#include "torch.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <xxhash.h>

/* --watch looks at the files this often; a change is taken once the file
 * has looked the same at two looks in a row (a copy may still be going). */
#define WATCH_MS 100

/* The slots: the champion (or the learner, or --endpoint's server), the
 * shadow (or --endpoint's fallback), and --challenger's model, which
 * writes the champion's fields for the events of its arm. */
enum { CHAMPION, SHADOW, CHALLENGER, NSLOTS };

struct slot {
	const char *path;
	const char *suffix;          /* "" for the champion, "_shadow" (after --suffix) */
	struct fs_model *m;          /* the model serving, or NULL while learning: */
	struct fs_learner *learn;    /* fsscore --learn's model (the champion) */
	int remote;                  /* fsscore --endpoint's: the model server scores */
	size_t *idx;                 /* per model feature: its place in the name table */
	size_t *hidx;                /* per hashed field: its place in s->hf */
	int64_t *h;                  /* per hashed field: its hash, -1 missing */
	struct fs_buf qid;           /* the model id as a JSON string */
	struct fs_model_watch watch; /* its file, for --watch */
	double *x, *out;
	/* output keys, plain and pre-quoted */
	char n_score[64], n_model[64];
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
	struct slot slot[NSLOTS];
	size_t nslots;               /* per event: its arm's model, and the shadow (2) */
	/* --challenger: the event's arm (0 champion, 1 challenger) from its key */
	struct fs_path *split_key;
	int arm;
	char *k_arm;                 /* "arm" (after --suffix) */
	size_t l_arm;
	char n_arm[64];
	/* the names both models read, and per event their values */
	char **names;
	size_t nnames, capnames;
	double *values;
	/* the hashed string fields both models read: paths into the event (not
	 * the --from object: categorical attributes such as merchant_id are the
	 * event's own), and per event their fs_feature_hash, -1 missing */
	struct hfield {
		struct fs_path *path;
		int64_t h;
		int where;               /* where the raw path finds it: HF_TOP, HF_FROM, HF_PATH */
		uint64_t seen;           /* the last read (gen) that found it */
		uint64_t absent;         /* events without it */
		int warned;
	} *hf;
	size_t nhf;
	int label_top;               /* the label is a member of the event's top level */
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
	/* --learn */
	char **hash_names;           /* --hash */
	size_t nhash_names;
	struct fs_path *label;
	double y;                    /* the event's label, when has_y */
	int has_y;
	struct fs_progress *progress;
	FILE *progress_file;
	char *learn_name;            /* the model's name in "model": NAME#EXAMPLES */
	uint64_t saved_at;           /* examples learned at the last save */
	int64_t save_due;            /* the next timed save (--save-every DURATION), monotonic ns */
	int diverged;
	char shadow_suffix[48];
	/* --endpoint: events held in input order until their answers come,
	 * each with a struct pend */
	struct fs_endpoint *remote;
	char *remote_name;           /* "model" when the answer names no version */
	struct fs_hold hold;
	char **sources;              /* the sources seen, kept for the pending events */
	size_t nsources;
	char *k_scores, *k_error;    /* "scores" and "endpoint_error" (+ --suffix) */
	size_t l_scores, l_error;
	int failed;                  /* --on-error fail: the server failed; the rest is rejected */
	const char *failed_source;
	uint64_t failed_line;
	/* --batch: events held (in hold, each with a struct pend holding the
	 * inputs of both slots) until a batch is full or input pauses */
	int batching;
	int64_t batch_due;           /* monotonic ns: a partial batch waits until then */
	struct fs_run *run;          /* the loop's, for a batch scored from the poll hook */
};

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

static const char *feature_name(const struct fs_score *s, const struct slot *sl, size_t i);
static size_t slot_nfeatures(const struct fs_score *s, const struct slot *sl);
static const struct fs_linear *slot_linear(const struct slot *sl);

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

static void free_hfields(struct fs_score *s)
{
	for (size_t i = 0; i < s->nhf; i++)
		fs_path_free(s->hf[i].path);
	free(s->hf);
	s->hf = NULL;
	s->nhf = 0;
}

/* Where the raw reading meets a hashed field: in its one pass over the top
 * level, in the --from object as it reads it, or by a search of its own. */
enum { HF_TOP, HF_FROM, HF_PATH };

/* The place of the hashed field at path spec in s->hf, added when new. The
 * path was checked by hfield_check when its model was taken. */
static size_t hfield_index(struct fs_score *s, const char *spec)
{
	for (size_t i = 0; i < s->nhf; i++)
		if (!strcmp(s->hf[i].path->spec, spec))
			return i;
	const char *why;
	s->hf = fs_xrealloc(s->hf, (s->nhf + 1) * sizeof *s->hf);
	struct hfield *f = &s->hf[s->nhf];
	memset(f, 0, sizeof *f);
	f->path = fs_path_new(spec, &why);
	f->h = -1;
	f->where = HF_PATH;
	if (!f->path->envelope && f->path->n == 1)
		f->where = HF_TOP;
	else if (!f->path->envelope && f->path->n == 2 && s->from && s->from->n == 1 &&
	         !s->from->envelope && !strcmp(f->path->parts[0], s->from->parts[0]))
		f->where = HF_FROM;
	return s->nhf++;
}

/* Whether the hashed fields of lin can be read: valid paths, @ ones with --kcat. */
static int hfield_check(const struct fs_score *s, const struct fs_linear *lin, const char *what,
                        char *err, size_t errsize)
{
	for (size_t i = 0; lin && i < lin->nhashed; i++) {
		const char *why;
		struct fs_path *p = fs_path_new(lin->hashed[i], &why);
		int envelope = p && p->envelope;
		fs_path_free(p);
		if (!p) {
			snprintf(err, errsize, "%s: hashed field %s: %s", what, lin->hashed[i], why);
			return -1;
		}
		if (envelope && !s->cfg.kcat) {
			snprintf(err, errsize, "%s: hashed field %s names a kcat envelope field; add --kcat",
			         what, lin->hashed[i]);
			return -1;
		}
	}
	return 0;
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
	free_hfields(s);
	s->nnames = s->capnames = 0;
	fs_hmap_free(&s->by_name);
	memset(&s->by_name, 0, sizeof s->by_name);
	for (size_t i = 0; i < NSLOTS; i++) {
		struct slot *sl = &s->slot[i];
		if (!sl->m && !sl->learn && !sl->remote)
			continue;
		size_t nf = slot_nfeatures(s, sl);
		free(sl->idx);
		sl->idx = fs_xmalloc((nf ? nf : 1) * sizeof *sl->idx);
		for (size_t f = 0; f < nf; f++)
			sl->idx[f] = name_index(s, feature_name(s, sl, f));
		const struct fs_linear *lin = slot_linear(sl);
		size_t nh = lin ? lin->nhashed : 0;
		free(sl->hidx);
		free(sl->h);
		sl->hidx = fs_xmalloc((nh ? nh : 1) * sizeof *sl->hidx);
		sl->h = fs_xmalloc((nh ? nh : 1) * sizeof *sl->h);
		for (size_t f = 0; f < nh; f++)
			sl->hidx[f] = hfield_index(s, lin->hashed[f]);
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

static const struct fs_linear *slot_linear(const struct slot *sl)
{
	return sl->learn ? fs_learner_linear(sl->learn) : sl->m ? fs_model_linear(sl->m) : NULL;
}

static size_t slot_nfeatures(const struct fs_score *s, const struct slot *sl)
{
	size_t n = 0;
	if (sl->remote)
		fs_endpoint_names(s->remote, &n);
	return sl->remote ? n : sl->learn ? fs_learner_linear(sl->learn)->nfeat :
	       fs_model_nfeatures(sl->m);
}

static const char *feature_name(const struct fs_score *s, const struct slot *sl, size_t i)
{
	size_t n;
	if (sl->remote)
		return fs_endpoint_names(s->remote, &n)[i];
	if (sl->learn)
		return fs_learner_linear(sl->learn)->names[i];
	return s->ngiven ? s->given[i] : fs_model_feature(sl->m, i);
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
	if (s->cfg.has_threshold && fs_model_task(m) != FS_TASK_SCORE) {
		snprintf(err, errsize, "%s: --threshold needs a model with one score; this one gives "
		         "%zu (%s)", sl->path, fs_model_noutputs(m),
		         fs_model_task(m) == FS_TASK_MULTICLASS ? "classes" : "outputs");
		return -1;
	}
	if (hfield_check(s, fs_model_linear(m), sl->path, err, errsize) < 0)
		return -1;
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

static char *key(const char *base, const char *suffix, size_t *len, char plain[64])
{
	char name[64];
	snprintf(name, sizeof name, "%s%s", base, suffix);
	if (plain)
		memcpy(plain, name, sizeof name);
	return fs_quote_key(name, len);
}

/* The names of the fields a slot writes. */
static void slot_keys(struct slot *sl, int multi)
{
	const char *suffix = sl->suffix;
	sl->k_score = key(multi ? "scores" : "score", suffix, &sl->l_score, sl->n_score);
	sl->k_flag = key("flag", suffix, &sl->l_flag, NULL);
	sl->k_model = key("model", suffix, &sl->l_model, sl->n_model);
	sl->nl_score = strlen(sl->n_score);
	sl->nl_model = strlen(sl->n_model);
	sl->k_class = key("class", suffix, &sl->l_class, NULL);
}

static int open_slot(struct fs_score *s, struct slot *sl, const char *path, const char *suffix,
                     char *err, size_t errsize, int *status)
{
	sl->path = path;
	sl->suffix = suffix;
	fs_model_watch_read(&sl->watch, path);
	struct fs_model *m = fs_model_load(path, s->given, s->ngiven, err, errsize, status);
	if (!m)
		return -1;
	if (fit(s, sl, m, err, errsize) < 0) {
		fs_model_free(m);
		*status = FS_EX_USAGE;
		return -1;
	}
	install(s, sl, m);
	slot_keys(sl, fs_model_task(m) != FS_TASK_SCORE);
	return 0;
}

int fs_split_arm(const char *key, size_t len, uint64_t seed, double split)
{
	return (double)(XXH64(key, len, seed) >> 11) * 0x1p-53 < split;
}

/* --challenger: its slot, which must write the champion's fields, and the
 * split key. */
static int open_challenger(struct fs_score *s, char *err, size_t errsize, int *status)
{
	const struct fs_score_config *cfg = &s->cfg;
	struct slot *ch = &s->slot[CHALLENGER], *champ = &s->slot[CHAMPION];
	if (open_slot(s, ch, cfg->challenger, champ->suffix, err, errsize, status) < 0)
		return -1;
	if (fs_model_task(ch->m) != fs_model_task(champ->m) ||
	    fs_model_noutputs(ch->m) != fs_model_noutputs(champ->m)) {
		snprintf(err, errsize, "%s gives %zu output(s), the champion %s %zu: both arms must "
		         "write the same fields", cfg->challenger, fs_model_noutputs(ch->m), cfg->model,
		         fs_model_noutputs(champ->m));
		*status = FS_EX_USAGE;
		return -1;
	}
	const char *spec = cfg->split_key ? cfg->split_key : "@key", *why;
	s->split_key = fs_path_new(spec, &why);
	if (!s->split_key) {
		snprintf(err, errsize, "--split-key %s: %s", spec, why);
		*status = FS_EX_USAGE;
		return -1;
	}
	if (s->split_key->envelope && !cfg->kcat) {
		snprintf(err, errsize, "--split-key %s names a kcat envelope field; add --kcat", spec);
		*status = FS_EX_USAGE;
		return -1;
	}
	s->k_arm = key("arm", champ->suffix, &s->l_arm, s->n_arm);
	return 0;
}

/* The i-th slot scoring an event of arm arm: its arm's model, then the shadow. */
static struct slot *nth(struct fs_score *s, int arm, size_t i)
{
	return &s->slot[i ? SHADOW : arm ? CHALLENGER : CHAMPION];
}

/* The event's arm into s->arm; -1 after rejecting an event without a key. */
static int read_arm(struct fs_score *s, const struct fs_record *r, struct fs_run *run)
{
	s->arm = 0;
	if (!s->split_key)
		return 0;
	int rc = fs_record_path_text(r, s->split_key, &s->num);
	if (rc < 0)
		return fs_run_reject(run, FS_REJ_KEY, "%s split key \"%s\" (--split-key names the "
		                     "entity whose events stay in one arm)",
		                     rc == FS_TEXT_UNUSABLE ? "no usable" : "no", s->split_key->spec);
	s->arm = fs_split_arm(s->num.p, s->num.len, s->cfg.split_seed, s->cfg.split);
	return 0;
}

/* The champion slot for --learn: a learner, fresh or from --model. */
static int open_learner(struct fs_score *s, char *err, size_t errsize, int *status)
{
	const struct fs_score_config *cfg = &s->cfg;
	struct slot *sl = &s->slot[0];
	struct fs_learner *l;
	*status = FS_EX_USAGE;
	if (cfg->model) {
		if (s->ngiven || s->nhash_names) {
			snprintf(err, errsize, "%s names the features it learns; drop --features and --hash, "
			         "or start without --model", cfg->model);
			return -1;
		}
		struct fs_model *m = fs_model_load(cfg->model, NULL, 0, err, errsize, status);
		if (!m)
			return -1;
		*status = FS_EX_USAGE;
		l = fs_learner_from(&cfg->learn_cfg, m, cfg->model, err, errsize);
		fs_model_free(m);
		if (!l)
			return -1;
	} else {
		if (!s->ngiven && !s->nhash_names) {
			snprintf(err, errsize, "--learn: name the features to learn from: --features a,b "
			         "(numbers) and --hash c,d (strings), or start from a --model");
			return -1;
		}
		l = fs_learner_new(&cfg->learn_cfg, s->given, s->ngiven, s->hash_names, s->nhash_names);
	}
	if (hfield_check(s, fs_learner_linear(l), cfg->model ? cfg->model : "--hash", err,
	                 errsize) < 0) {
		fs_learner_free(l);
		return -1;
	}
	sl->path = cfg->save ? cfg->save : cfg->model ? cfg->model : "learner";
	sl->suffix = cfg->suffix ? cfg->suffix : "";
	sl->learn = l;
	s->learn_name = fs_model_base_name(sl->path);
	s->saved_at = fs_learner_examples(l);
	rebuild_table(s);
	sl->x = fs_xcalloc(fs_learner_linear(l)->nfeat + 1, sizeof *sl->x);
	sl->out = fs_xcalloc(1, sizeof *sl->out);
	slot_keys(sl, 0);
	return 0;
}

/* --learn: the label, the hashed fields, the learner, progress. */
static int start_learning(struct fs_score *s, char *err, size_t errsize, int *status)
{
	const struct fs_score_config *cfg = &s->cfg;
	*status = FS_EX_USAGE;
	if (!cfg->label) {
		snprintf(err, errsize, "--learn needs --label FIELD: the field holding each example's "
		         "truth (0 or 1; a number with --loss squared)");
		return -1;
	}
	const char *why;
	s->label = fs_path_new(cfg->label, &why);
	if (!s->label) {
		snprintf(err, errsize, "--label %s: %s", cfg->label, why);
		return -1;
	}
	s->label_top = !s->label->envelope && s->label->n == 1;
	if (s->label->envelope && !cfg->kcat) {
		snprintf(err, errsize, "--label %s names a kcat envelope field; add --kcat", cfg->label);
		return -1;
	}
	if (cfg->hash) {
		s->hash_names = fs_cli_list(cfg->hash, &s->nhash_names);
		for (size_t i = 0; i < s->nhash_names; i++) {
			if (!*s->hash_names[i]) {
				snprintf(err, errsize, "--hash %s: an empty name", cfg->hash);
				return -1;
			}
			for (size_t j = 0; j < i; j++)
				if (!strcmp(s->hash_names[i], s->hash_names[j])) {
					snprintf(err, errsize, "--hash names \"%s\" twice", s->hash_names[i]);
					return -1;
				}
		}
	}
	if (open_learner(s, err, errsize, status) < 0)
		return -1;
	if (cfg->progress) {
		s->progress_file = fopen(cfg->progress, "w");
		if (!s->progress_file) {
			snprintf(err, errsize, "--progress %s: cannot create: %s", cfg->progress,
			         strerror(errno));
			*status = FS_EX_IOERR;
			return -1;
		}
	}
	s->progress = fs_progress_new(fs_learner_squared(s->slot[0].learn), cfg->progress_every,
	                              cfg->auc_window, cfg->quiet ? NULL : stderr, s->progress_file);
	s->save_due = fs_clock_ns(CLOCK_MONOTONIC) + cfg->save_every_ns;
	if (!cfg->quiet)
		fs_warn("learning %s from \"%s\"%s%s", fs_learner_describe(s->slot[0].learn), cfg->label,
		        fs_learner_examples(s->slot[0].learn) ? ", going on from " : "",
		        fs_learner_examples(s->slot[0].learn) ? cfg->model : "");
	return 0;
}

static int open_remote(struct fs_score *s, char *err, size_t errsize, int *status);
static void size_held(struct fs_score *s);

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
	const char *suffix = cfg->suffix ? cfg->suffix : "";
	snprintf(s->shadow_suffix, sizeof s->shadow_suffix, "%s_shadow", suffix);
	if (cfg->learn && start_learning(s, err, errsize, status) < 0) {
		fs_score_free(s);
		return NULL;
	}
	if (cfg->endpoint.url) {
		if (open_remote(s, err, errsize, status) < 0) {
			fs_score_free(s);
			return NULL;
		}
		s->nslots = 1;
		return s;
	}
	if ((!cfg->learn && open_slot(s, &s->slot[0], cfg->model, suffix, err, errsize, status) < 0) ||
	    (cfg->shadow && open_slot(s, &s->slot[1], cfg->shadow, s->shadow_suffix, err, errsize,
	                              status) < 0)) {
		fs_score_free(s);
		return NULL;
	}
	s->nslots = cfg->shadow ? 2 : 1;
	if (cfg->challenger && open_challenger(s, err, errsize, status) < 0) {
		fs_score_free(s);
		return NULL;
	}
	if (cfg->threads)
		fs_torch_threads(cfg->threads);
	if (cfg->batch > 1) {
		s->batching = 1;
		size_held(s);
	}
	return s;
}

void fs_score_free(struct fs_score *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < NSLOTS; i++) {
		struct slot *sl = &s->slot[i];
		fs_model_free(sl->m);
		fs_learner_free(sl->learn);
		free(sl->idx);
		free(sl->hidx);
		free(sl->h);
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
	free_hfields(s);
	fs_cli_list_free(s->hash_names, s->nhash_names);
	fs_path_free(s->label);
	fs_progress_free(s->progress);
	if (s->progress_file)
		fclose(s->progress_file);
	free(s->learn_name);
	free(s->absent);
	free(s->warned);
	free(s->seen);
	forget_order(s);
	fs_hmap_free(&s->by_name);
	fs_path_free(s->from);
	fs_buf_free(&s->num);
	fs_endpoint_free(s->remote);
	free(s->remote_name);
	fs_hold_free(&s->hold);
	for (size_t i = 0; i < s->nsources; i++)
		free(s->sources[i]);
	free(s->sources);
	free(s->k_scores);
	free(s->k_error);
	fs_path_free(s->split_key);
	free(s->k_arm);
	free(s);
}

/* ------------------------------------------------------------ --endpoint */

static void score_batch(struct fs_score *s, struct fs_run *run);
static void size_held(struct fs_score *s);

static long slot_inputs(struct fs_score *s, const struct slot *sl);
static int predict_slot(struct fs_score *s, const struct slot *sl, int *cls, char *err,
                        size_t errsize);
static void put_prediction(struct fs_score *s, struct fs_emit *em, const struct slot *sl,
                           const char *kscore, size_t lscore, const double *out, size_t k, int cls);

/* What a held event keeps beside its bytes: its source and line (for the
 * error output) and, with a fallback, the fallback's scores, made at once. */
struct pend {
	const char *source;
	uint64_t line;
	int cls;
	int arm;                     /* --batch with --challenger: the event's arm */
	double fb[];
};

static const char *intern_source(struct fs_score *s, const char *src)
{
	if (s->nsources && !strcmp(s->sources[s->nsources - 1], src))
		return s->sources[s->nsources - 1];
	s->sources = fs_xrealloc(s->sources, (s->nsources + 1) * sizeof *s->sources);
	return s->sources[s->nsources++] = fs_xstrdup(src);
}

static size_t fallback_k(const struct fs_score *s)
{
	return s->slot[1].m ? fs_model_noutputs(s->slot[1].m) : 0;
}

/* Writes out (or rejects) every pending event whose answer came, in order. */
static void take(struct fs_score *s, struct fs_run *run)
{
	struct fs_endpoint_result res;
	const struct slot *sl = &s->slot[0], *fb = &s->slot[1];
	while (fs_endpoint_next(s->remote, &res)) {
		/* good after the pop below: only a push reuses it */
		const struct pend *p = fs_hold_data(fs_hold_oldest(&s->hold));
		if (!res.ok && s->cfg.on_error == FS_ON_ERROR_FAIL && !s->failed) {
			s->failed = 1;
			s->failed_source = p->source;
			s->failed_line = p->line;
			fs_warn("%s:%llu: the model server failed: %s; stopping (--on-error fail): this "
			        "event and the ones after it go to the error output", p->source,
			        (unsigned long long)p->line, res.error);
			if (!run->end)
				run->end = FS_EX_UNAVAILABLE;
		}
		if (s->failed) {
			const struct fs_held *h = fs_hold_oldest(&s->hold);
			const char *text = s->hold.bytes.p + h->off;
			size_t len = h->headlen + h->restlen;
			if (p->line == s->failed_line && p->source == s->failed_source)
				fs_run_reject_held(run, FS_REJ_ENDPOINT, p->source, p->line, text, len,
				                   "the model server failed: %s", res.error);
			else
				fs_run_reject_held(run, FS_REJ_ENDPOINT, p->source, p->line, text, len,
				                   "not scored: the model server failed at %s:%llu before it "
				                   "(--on-error fail)", s->failed_source,
				                   (unsigned long long)s->failed_line);
			fs_hold_drop(&s->hold);
		} else {
			struct fs_emit em;
			fs_hold_pop(&s->hold, run->out, &em);
			if (res.ok) {
				put_prediction(s, &em, sl, res.nout > 1 ? s->k_scores : sl->k_score,
				               res.nout > 1 ? s->l_scores : sl->l_score, res.out, res.nout,
				               res.nout > 1 && fs_endpoint_classes(s->remote) ?
				               fs_argmax(res.out, res.nout) : -1);
				fs_emit_key(&em, sl->k_model, sl->l_model);
				const char *v = res.version ? res.version : s->remote_name;
				fs_json_put_string(em.b, v, strlen(v));
			} else if (s->cfg.on_error == FS_ON_ERROR_FALLBACK) {
				put_prediction(s, &em, fb, fb->k_score, fb->l_score, p->fb, fallback_k(s), p->cls);
				fs_emit_key(&em, fb->k_model, fb->l_model);
				fs_buf_put(em.b, fb->qid.p, fb->qid.len);
			} else {
				fs_emit_key(&em, sl->k_score, sl->l_score);
				fs_buf_puts(em.b, "null");
				if (s->cfg.has_threshold) {
					fs_emit_key(&em, sl->k_flag, sl->l_flag);
					fs_buf_puts(em.b, "null");
				}
				fs_emit_key(&em, sl->k_model, sl->l_model);
				fs_buf_puts(em.b, "null");
			}
			if (!res.ok) {
				fs_emit_key(&em, s->k_error, s->l_error);
				fs_json_put_string(em.b, res.error, strlen(res.error));
			}
			fs_emit_end(&em);
		}
	}
}

/* Holds the event for its answer; sends its inputs. */
static int hold_remote(struct fs_score *s, const struct fs_record *r, struct fs_run *run)
{
	struct slot *sl = &s->slot[0];
	size_t nf = slot_nfeatures(s, sl), fk = fallback_k(s);
	for (size_t i = 0; i < nf; i++)
		sl->x[i] = s->values[sl->idx[i]];
	size_t start = fs_hold_begin(&s->hold);
	struct fs_emit em;
	fs_emit_begin(&em, &s->hold.bytes, r, NULL, 0);
	struct pend *p = fs_hold_push(&s->hold, &em, start, 0);
	p->source = intern_source(s, r->source);
	p->line = r->line;
	p->cls = -1;
	if (fk) {
		/* scored now, while the event's values are at hand; used if the server fails
		 * (null when it cannot score the event either) */
		char err[768];
		if (slot_inputs(s, &s->slot[1]) < 0 &&
		    predict_slot(s, &s->slot[1], &p->cls, err, sizeof err) == 0)
			memcpy(p->fb, s->slot[1].out, fk * sizeof *p->fb);
		else
			for (size_t k = 0; k < fk; k++)
				p->fb[k] = NAN;
	}
	fs_endpoint_push(s->remote, sl->x);
	take(s, run);
	while (fs_endpoint_full(s->remote)) {
		fs_endpoint_wait(s->remote, -1, -1);
		take(s, run);
	}
	return 0;
}

void fs_score_idle(void *ctx, struct fs_run *run)
{
	struct fs_score *s = ctx;
	if (s->remote)
		take(s, run);
	else if (s->hold.q.n && fs_clock_ns(CLOCK_MONOTONIC) >= s->batch_due)
		score_batch(s, run);  /* input paused and the batch has waited long enough */
}

int fs_score_wait(void *ctx, int fd, int ms)
{
	struct fs_score *s = ctx;
	if (s->remote)
		return fs_endpoint_wait(s->remote, fd, ms);
	if (s->hold.q.n) {  /* a partial batch waits for more until it is due */
		int64_t left = (s->batch_due - fs_clock_ns(CLOCK_MONOTONIC)) / 1000000 + 1;
		if (ms < 0 || left < ms)
			ms = left < 0 ? 0 : (int)left;
	}
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	return poll(&pfd, 1, ms);
}

/* The champion slot for --endpoint, and the fallback's. */
static int open_remote(struct fs_score *s, char *err, size_t errsize, int *status)
{
	const struct fs_score_config *cfg = &s->cfg;
	struct fs_endpoint_config ec = cfg->endpoint;
	if (s->ngiven) {
		ec.names = s->given;
		ec.nnames = s->ngiven;
	}
	s->remote = fs_endpoint_open(&ec, err, errsize, status);
	if (!s->remote)
		return -1;
	s->remote_name = fs_endpoint_model_name(cfg->endpoint.url);
	const char *suffix = cfg->suffix ? cfg->suffix : "";
	struct slot *sl = &s->slot[0];
	sl->path = cfg->endpoint.url;
	sl->suffix = suffix;
	sl->remote = 1;
	size_t n;
	fs_endpoint_names(s->remote, &n);
	sl->x = fs_xcalloc(n + 1, sizeof *sl->x);
	sl->out = fs_xcalloc(1, sizeof *sl->out);
	slot_keys(sl, 0);
	s->k_scores = key("scores", suffix, &s->l_scores, NULL);
	s->k_error = key("endpoint_error", suffix, &s->l_error, NULL);
	if (cfg->on_error == FS_ON_ERROR_FALLBACK) {
		/* its own features are read too; it is not written as a shadow */
		if (open_slot(s, &s->slot[1], cfg->fallback, suffix, err, errsize, status) < 0)
			return -1;
	}
	s->hold.extra = sizeof(struct pend) + fallback_k(s) * sizeof(double);
	rebuild_table(s);
	return 0;
}

/* ------------------------------------------------------------ reload */

static void reload(struct fs_score *s, struct slot *sl, const char *why)
{
	char err[768];
	int status;
	fs_model_watch_read(&sl->watch, sl->path);
	struct fs_model *m = fs_model_load(sl->path, s->given, s->ngiven, err, sizeof err, &status);
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
	if (s->run)
		score_batch(s, s->run);  /* the events held were read before the change */
	install(s, sl, m);
	if (s->batching)
		size_held(s);
	fs_warn("%s (%s): now serving %s (%s), was %s", sl->path, why, fs_model_id(m),
	        fs_model_describe(m), old);
}

/* Saves the learner's model to --save. Returns 0, or -1 after a message. */
static int save_model(struct fs_score *s, const char *why)
{
	struct fs_learner *l = s->slot[0].learn;
	if (!s->cfg.save || s->diverged)
		return 0;
	char err[768];
	if (fs_learner_save(l, s->cfg.save, err, sizeof err) < 0) {
		fs_warn("%s", err);
		return -1;
	}
	s->saved_at = fs_learner_examples(l);
	if (why)
		fs_warn("%s: saved after %llu examples (%s)", s->cfg.save,
		        (unsigned long long)s->saved_at, why);
	return 0;
}

/* --learn: SIGHUP saves at once; --save-every DURATION saves when due.
 * Returns the milliseconds until the next timed save, or -1. */
static int poll_learner(struct fs_score *s, int hup)
{
	if (hup)
		save_model(s, "SIGHUP");
	if (!s->cfg.save_every_ns)
		return -1;
	int64_t now = fs_clock_ns(CLOCK_MONOTONIC);
	if (now >= s->save_due) {
		save_model(s, NULL);
		s->save_due = now + s->cfg.save_every_ns;
	}
	int64_t left = (s->save_due - now) / 1000000;
	return left < 1 ? 1 : left > INT32_MAX ? INT32_MAX : (int)left;
}

int fs_score_poll(void *ctx, int hup)
{
	struct fs_score *s = ctx;
	int learn_ms = s->slot[0].learn ? poll_learner(s, hup) : -1;
	for (size_t i = 0; i < NSLOTS; i++) {
		struct slot *sl = &s->slot[i];
		if (!sl->m)
			continue;  /* a learner's file is written here, never read back; a server's is not ours */
		if (hup) {
			reload(s, sl, "SIGHUP");
			continue;
		}
		if (!s->cfg.watch)
			continue;
		if (fs_model_watch_look(&sl->watch, sl->path, fs_model_id(sl->m)))
			reload(s, sl, "changed");
	}
	int watch_ms = s->cfg.watch ? WATCH_MS : -1;
	if (learn_ms < 0 || (watch_ms >= 0 && watch_ms < learn_ms))
		return watch_ms;
	return learn_ms;
}

/* ------------------------------------------------------------ scoring */

/* After this many events, features none of them had are reported at once,
 * not only at the end of a run that, live, may never end. */
#define EARLY_REPORT 1000

static void report_absent(struct fs_score *s)
{
	for (size_t i = 0; i < s->nhf; i++)
		if (s->hf[i].absent == s->events && !s->hf[i].warned) {
			fs_warn("hashed field \"%s\" was absent from %s %llu events: hashed as missing; "
			        "check its path (hashed fields are paths into the event, not into --from)",
			        s->hf[i].path->spec, s->events == EARLY_REPORT ? "the first" : "all",
			        (unsigned long long)s->events);
			s->hf[i].warned = 1;
		}
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

/* The same on a value's raw bytes: FS_NUM_OK, FS_NUM_MISSING for null, or
 * another value for what the parsed path decides. */
static int raw_value_number(const char *v, size_t vl, double *d)
{
	if (vl == 4 && !memcmp(v, "true", 4)) {
		*d = 1;
		return FS_NUM_OK;
	}
	if (vl == 5 && !memcmp(v, "false", 5)) {
		*d = 0;
		return FS_NUM_OK;
	}
	return fs_raw_number(v, vl, d);
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
		switch (fs_feature_number(v, &d)) {
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


/* Copies the event's values (and hashes) into the inputs of slot sl; for a
 * model that takes no missing values, fills in its defaults. Returns the
 * index of a feature left without a value, or -1. */
static long slot_inputs(struct fs_score *s, const struct slot *sl)
{
	size_t nf = slot_nfeatures(s, sl);
	for (size_t i = 0; i < nf; i++)
		sl->x[i] = s->values[sl->idx[i]];
	const struct fs_linear *lin = slot_linear(sl);
	for (size_t i = 0; lin && i < lin->nhashed; i++)
		sl->h[i] = s->hf[sl->hidx[i]].h;
	return sl->m ? fs_model_fill(sl->m, sl->x) : -1;
}

/* slot_inputs for every slot; -1 after rejecting the event when a model
 * that takes no missing values has a feature without a value. */
static int all_inputs(struct fs_score *s, struct fs_run *run)
{
	for (size_t i = 0; i < s->nslots; i++) {
		const struct slot *sl = nth(s, s->arm, i);
		long miss = slot_inputs(s, sl);
		if (miss >= 0)
			return fs_run_reject(run, FS_REJ_FEATURE, "feature \"%s\" is missing, and %s takes "
			                     "no missing values: send a number, or give the feature a "
			                     "default in %s.json (\"impute\")",
			                     feature_name(s, sl, (size_t)miss), fs_model_id(sl->m), sl->path);
	}
	return 0;
}

/* Predicts with the model of slot sl from its inputs (slot_inputs): sl->out,
 * and the class of a multiclass model (-1 for none). Returns -1 with a
 * message in err when libtorch failed. */
static int predict_slot(struct fs_score *s, const struct slot *sl, int *cls, char *err,
                        size_t errsize)
{
	if (sl->learn) {
		*cls = -1;
		sl->out[0] = fs_learner_predict(sl->learn, sl->x, sl->h);
		return 0;
	}
	return fs_model_predict(sl->m, 1, s->cfg.batch, sl->x, sl->h, sl->out, cls, err, errsize);
}

/* Writes a prediction: under kscore the score (and "flag" with
 * --threshold), or for k > 1 outputs the scores, and the class unless cls
 * is -1. */
static void put_prediction(struct fs_score *s, struct fs_emit *em, const struct slot *sl,
                           const char *kscore, size_t lscore, const double *out, size_t k, int cls)
{
	struct fs_buf *b = em->b;
	fs_emit_key(em, kscore, lscore);
	if (k > 1) {
		fs_buf_putc(b, '[');
		for (size_t i = 0; i < k; i++) {
			if (i)
				fs_buf_putc(b, ',');
			fs_json_put_double(b, out[i]);
		}
		fs_buf_putc(b, ']');
		if (cls >= 0) {
			fs_emit_key(em, sl->k_class, sl->l_class);
			fs_json_put_u64(b, (uint64_t)cls);
		}
		return;
	}
	fs_json_put_double(b, out[0]);
	if (s->cfg.has_threshold) {
		fs_emit_key(em, sl->k_flag, sl->l_flag);
		fs_buf_puts(b, out[0] >= s->cfg.threshold ? "true" : "false");
	}
}

/* The slot's prediction and "model": its id, or NAME#N for a learner (the
 * model after N examples learned). */
static void put_slot(struct fs_score *s, struct fs_emit *em, const struct slot *sl,
                     const double *out, int cls)
{
	size_t k = sl->m ? fs_model_noutputs(sl->m) : 1;
	put_prediction(s, em, sl, sl->k_score, sl->l_score, out, k, cls);
	fs_emit_key(em, sl->k_model, sl->l_model);
	if (sl->learn) {
		char id[512];
		int n = snprintf(id, sizeof id, "%s#%llu", s->learn_name,
		                 (unsigned long long)fs_learner_examples(sl->learn));
		fs_json_put_string(em->b, id, (size_t)n < sizeof id ? (size_t)n : sizeof id - 1);
	} else {
		fs_buf_put(em->b, sl->qid.p, sl->qid.len);
	}
}

/* With --challenger, "arm" after the arm's prediction. */
static void put_arm(const struct fs_score *s, struct fs_emit *em, int arm)
{
	if (!s->split_key)
		return;
	fs_emit_key(em, s->k_arm, s->l_arm);
	fs_buf_puts(em->b, arm ? "\"challenger\"" : "\"champion\"");
}

/* Scores the event with every slot and writes it; -1 after a rejection. */
static int emit(struct fs_score *s, const struct fs_record *r, struct fs_run *run)
{
	if (all_inputs(s, run) < 0)
		return -1;
	struct fs_emit em;
	fs_emit_begin(&em, run->out, r, NULL, 0);
	for (size_t i = 0; i < s->nslots; i++) {
		const struct slot *sl = nth(s, s->arm, i);
		char err[768];
		int cls;
		if (predict_slot(s, sl, &cls, err, sizeof err) < 0)
			return fs_run_reject(run, FS_REJ_MODEL, "%s", err);
		put_slot(s, &em, sl, sl->out, cls);
		if (!i)
			put_arm(s, &em, s->arm);
	}
	fs_emit_end(&em);
	return 0;
}

/* ------------------------------------------------------------ --batch */

/* Each held event's inputs, slot after slot: features, then hashes (as
 * doubles: each is -1 or a 32-bit hash, exact). */
static size_t slot_width(const struct fs_score *s, const struct slot *sl)
{
	const struct fs_linear *lin = slot_linear(sl);
	return slot_nfeatures(s, sl) + (lin ? lin->nhashed : 0);
}

/* The held events' extra bytes for the slots as they are now: set while
 * none is held (at the start, and after a reload, which scores the batch
 * first). */
static void size_held(struct fs_score *s)
{
	size_t w = slot_width(s, &s->slot[CHAMPION]);
	if (s->slot[CHALLENGER].m && slot_width(s, &s->slot[CHALLENGER]) > w)
		w = slot_width(s, &s->slot[CHALLENGER]);
	if (s->nslots > 1)
		w += slot_width(s, &s->slot[SHADOW]);
	fs_ring_free(&s->hold.q);
	s->hold.q.size = 0;  /* set again by the next push */
	s->hold.extra = sizeof(struct pend) + w * sizeof(double);
}

/* Scores the events held, one pass per model (over the events that model
 * scores: with --challenger, those of its arm), and writes them in order;
 * when a model fails, they go to the error output. */
static void score_batch(struct fs_score *s, struct fs_run *run)
{
	size_t n = s->hold.q.n;
	if (!n)
		return;
	double *out[NSLOTS] = {NULL};
	int *cls[NSLOTS] = {NULL}, ok = 1;
	char err[768] = "";
	for (size_t i = 0; i < NSLOTS; i++) {
		const struct slot *sl = &s->slot[i];
		if (!sl->m || (i == SHADOW && s->nslots < 2))
			continue;
		const struct fs_linear *lin = slot_linear(sl);
		size_t nf = slot_nfeatures(s, sl), nh = lin ? lin->nhashed : 0, rows = 0;
		double *x = fs_xmalloc((n * nf + 1) * sizeof *x);
		int64_t *h = fs_xmalloc((n * nh + 1) * sizeof *h);
		size_t *row = fs_xmalloc(n * sizeof *row);  /* the held events it scores */
		for (size_t j = 0; j < n; j++) {
			const struct pend *p = fs_hold_data(fs_ring_at(&s->hold.q, j));
			if (i != SHADOW && nth(s, p->arm, 0) != sl)
				continue;
			/* the arm's inputs come first, then the shadow's */
			size_t off = i == SHADOW ? slot_width(s, nth(s, p->arm, 0)) : 0;
			memcpy(x + rows * nf, p->fb + off, nf * sizeof *x);
			for (size_t f = 0; f < nh; f++)
				h[rows * nh + f] = (int64_t)p->fb[off + nf + f];
			row[rows++] = j;
		}
		size_t k = fs_model_noutputs(sl->m);
		double *o = fs_xmalloc((rows * k + 1) * sizeof *o);
		int *c = fs_xmalloc((rows + 1) * sizeof *c);
		if (ok && rows && fs_model_predict(sl->m, rows, s->cfg.batch, x, nh ? h : NULL, o, c,
		                                   err, sizeof err) < 0)
			ok = 0;
		/* by held event */
		out[i] = fs_xmalloc(n * k * sizeof *out[i]);
		cls[i] = fs_xmalloc(n * sizeof *cls[i]);
		for (size_t j = 0; j < rows; j++) {
			memcpy(out[i] + row[j] * k, o + j * k, k * sizeof *o);
			cls[i][row[j]] = c[j];
		}
		free(o);
		free(c);
		free(row);
		free(x);
		free(h);
	}
	for (size_t j = 0; j < n; j++) {
		const struct fs_held *held = fs_hold_oldest(&s->hold);
		const struct pend *p = fs_hold_data(held);
		if (!ok) {
			fs_run_reject_held(run, FS_REJ_MODEL, p->source, p->line, s->hold.bytes.p + held->off,
			                   held->headlen + held->restlen, "%s", err);
			fs_hold_drop(&s->hold);
			continue;
		}
		int arm = p->arm;  /* p is not ours after the pop */
		struct fs_emit em;
		fs_hold_pop(&s->hold, run->out, &em);
		for (size_t i = 0; i < s->nslots; i++) {
			const struct slot *sl = nth(s, arm, i);
			size_t si = (size_t)(sl - s->slot), k = fs_model_noutputs(sl->m);
			put_slot(s, &em, sl, out[si] + j * k, cls[si][j]);
			if (!i)
				put_arm(s, &em, arm);
		}
		fs_emit_end(&em);
	}
	for (size_t i = 0; i < NSLOTS; i++) {
		free(out[i]);
		free(cls[i]);
	}
}

/* Holds the event with its inputs; a full batch is scored at once. */
static int hold_batch(struct fs_score *s, const struct fs_record *r, struct fs_run *run)
{
	if (all_inputs(s, run) < 0)
		return -1;
	size_t start = fs_hold_begin(&s->hold);
	struct fs_emit em;
	fs_emit_begin(&em, &s->hold.bytes, r, NULL, 0);
	struct pend *p = fs_hold_push(&s->hold, &em, start, 0);
	p->source = intern_source(s, r->source);
	p->line = r->line;
	p->cls = -1;
	p->arm = s->arm;
	double *d = p->fb;
	for (size_t i = 0; i < s->nslots; i++) {
		const struct slot *sl = nth(s, s->arm, i);
		const struct fs_linear *lin = slot_linear(sl);
		size_t nf = slot_nfeatures(s, sl);
		memcpy(d, sl->x, nf * sizeof *d);
		d += nf;
		for (size_t f = 0; lin && f < lin->nhashed; f++)
			*d++ = (double)sl->h[f];
	}
	if (s->hold.q.n == 1)
		s->batch_due = fs_clock_ns(CLOCK_MONOTONIC) + s->cfg.batch_wait_ns;
	if (s->hold.q.n >= s->cfg.batch)
		score_batch(s, run);
	return 0;
}

/* A hashed field's value read from its raw bytes as fs_value_text reads the
 * parsed value: a string's content, an integer's digits, true or false;
 * null is missing. -1 for what only the parsed path can tell (escapes, a
 * real's shortest form, -0) or reject. */
static int raw_hash(struct hfield *f, const char *v, size_t vl)
{
	const char *t = v;
	size_t tl = vl;
	if (*v == '"') {
		t = v + 1;
		tl = vl - 2;
		if (memchr(t, '\\', tl))
			return -1;
	} else if (*v == 'n') {
		f->h = -1;
		return 0;
	} else if (*v != 't' && *v != 'f' &&
	           (!fs_json_is_integer_text(v, vl) || vl > 18 || (vl == 2 && !memcmp(v, "-0", 2)))) {
		return -1;
	}
	f->h = fs_feature_hash(f->path->spec, strlen(f->path->spec), t, tl);
	return 0;
}

static int label_raw_value(struct fs_score *s, const char *v, size_t vl);
static int read_label_raw(struct fs_score *s, const struct fs_record *r);

/* The hashed fields the one pass did not meet, from the raw bytes;
 * FS_STEP_PARSE for anything unusual. */
static int read_hashed_raw(struct fs_score *s, const struct fs_record *r, uint64_t ev)
{
	for (size_t i = 0; i < s->nhf; i++) {
		struct hfield *f = &s->hf[i];
		size_t vs, ve;
		if (f->where != HF_PATH)
			continue;
		if (f->path->envelope)
			return FS_STEP_PARSE;
		if (fs_json_find_path(r->raw, r->rawlen, f->path->parts, f->path->n, &vs, &ve)) {
			if (raw_hash(f, r->raw + vs, ve - vs) < 0)
				return FS_STEP_PARSE;
			f->seen = ev;
		}
	}
	return 0;
}

/* A member of an object the raw pass is in: a hashed field of ours (where,
 * at the part `part` of its path)? Reads it and returns 1, 0 when not ours,
 * -1 for the parsed path. */
static int raw_hashed_member(struct fs_score *s, int where, size_t part, const char *k,
                             size_t kl, const char *v, size_t vl, uint64_t ev)
{
	int hit = 0;
	for (size_t i = 0; i < s->nhf; i++) {
		struct hfield *f = &s->hf[i];
		if (f->where != where || strlen(f->path->parts[part]) != kl ||
		    memcmp(f->path->parts[part], k, kl) != 0)
			continue;
		if (raw_hash(f, v, vl) < 0)
			return -1;
		f->seen = ev;
		hit = 1;
	}
	return hit;
}

static int read_hashed(struct fs_score *s, const struct fs_record *r, struct fs_run *run)
{
	for (size_t i = 0; i < s->nhf; i++) {
		struct hfield *f = &s->hf[i];
		const json_t *v = fs_path_get(f->path, r);
		f->h = -1;
		if (!v)
			f->absent++;
		if (!v || json_is_null(v))
			continue;
		s->num.len = 0;
		if (fs_value_text(v, &s->num) < 0) {
			fs_json_put_value(&s->num, v);
			return fs_run_reject(run, FS_REJ_FEATURE, "hashed field \"%s\" is %.*s, not a string "
			                     "or a number", f->path->spec,
			                     s->num.len > 60 ? 60 : (int)s->num.len, s->num.p);
		}
		f->h = fs_feature_hash(f->path->spec, strlen(f->path->spec), s->num.p, s->num.len);
	}
	return 0;
}

/* Reads the features of the object at p[at] (a '{') into the table and
 * sets *end just past it. Returns 0, or -1 for anything the raw path
 * leaves to the parsed one. */
static int read_object_raw(struct fs_score *s, const char *p, size_t n, size_t at, size_t *end,
                           uint64_t ev, int from_obj)
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
		if (!i--) {
			if (from_obj && s->nhf && raw_hashed_member(s, HF_FROM, 1, o + m.ks + 1,
			                                            m.ke - m.ks - 2, o + m.vs, pos - m.vs, ev) < 0)
				return -1;
			continue;
		}
		const char *v = o + m.vs;
		size_t vl = pos - m.vs;
		double d;
		switch (raw_value_number(v, vl, &d)) {
		case FS_NUM_OK:
			s->values[i] = d;
			break;
		case FS_NUM_MISSING:
			s->values[i] = NAN;
			break;
		default:
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
	s->has_y = 0;
	for (size_t i = 0; i < s->nhf; i++)
		s->hf[i].h = -1;
	if (!s->from)
		found = read_object_raw(s, p, n, 0, &fe, ev, 0) == 0;
	/* the top level: clashes with our fields, the hashed fields and the
	 * label that are members of it, and the features object, read where it
	 * stands (its bytes are most of the event's): one pass */
	while (fs_json_next_key(p, n, &pos, &m)) {
		if (m.escaped)
			return FS_STEP_PARSE;
		const char *k = p + m.ks + 1;
		size_t kl = m.ke - m.ks - 2;
		for (size_t i = 0; i < s->nslots; i++)
			if ((kl == s->slot[i].nl_score && !memcmp(k, s->slot[i].n_score, kl)) ||
			    (kl == s->slot[i].nl_model && !memcmp(k, s->slot[i].n_model, kl)))
				return FS_STEP_PARSE;
		if (s->k_arm && kl == strlen(s->n_arm) && !memcmp(k, s->n_arm, kl))
			return FS_STEP_PARSE;
		if (one_level && kl == s->from_len && !memcmp(k, s->from->parts[0], kl)) {
			if (found || p[m.vs] != '{')
				return FS_STEP_PARSE;  /* twice (the last counts), or not an object */
			if (read_object_raw(s, p, n, m.vs, &pos, ev, 1) < 0)
				return FS_STEP_PARSE;
			found = 1;
			continue;
		}
		size_t end = fs_json_skip_value(p, m.vs, n);
		if (s->nhf && raw_hashed_member(s, HF_TOP, 0, k, kl, p + m.vs, end - m.vs, ev) < 0)
			return FS_STEP_PARSE;
		if (s->label_top && kl == strlen(s->label->parts[0]) &&
		    !memcmp(k, s->label->parts[0], kl) && label_raw_value(s, p + m.vs, end - m.vs))
			return FS_STEP_PARSE;
		pos = end;
	}
	if (s->from && !one_level) {
		if (!fs_json_find_path(p, n, s->from->parts, s->from->n, &fs, &fe) || p[fs] != '{' ||
		    read_object_raw(s, p, fe, fs, &fe, ev, 0) < 0)
			return FS_STEP_PARSE;
		found = 1;
	}
	if (!found)
		return FS_STEP_PARSE;
	if ((s->nhf && read_hashed_raw(s, r, ev)) || (s->label && !s->label_top && read_label_raw(s, r)))
		return FS_STEP_PARSE;
	for (size_t i = 0; i < s->nhf; i++)
		if (s->hf[i].seen != ev)
			s->hf[i].absent++;
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

static int label_ok(const struct fs_score *s, double y)
{
	return fs_learner_squared(s->slot[0].learn) ? isfinite(y) : y == 0 || y == 1;
}

/* The label's raw value: null is none; anything unusual (escapes, a bad
 * value) goes to the parsed path. */
static int label_raw_value(struct fs_score *s, const char *v, size_t vl)
{
	double d;
	s->has_y = 0;
	switch (raw_value_number(v, vl, &d)) {
	case FS_NUM_OK:
		break;
	case FS_NUM_MISSING:
		return 0;
	default:
		return FS_STEP_PARSE;
	}
	if (!label_ok(s, d))
		return FS_STEP_PARSE;
	s->y = d;
	s->has_y = 1;
	return 0;
}

/* The label when it is not at the top level (the one pass reads it there). */
static int read_label_raw(struct fs_score *s, const struct fs_record *r)
{
	size_t vs, ve;
	if (s->label->envelope)
		return FS_STEP_PARSE;
	if (!fs_json_find_path(r->raw, r->rawlen, s->label->parts, s->label->n, &vs, &ve))
		return 0;
	return label_raw_value(s, r->raw + vs, ve - vs);
}

static int read_label(struct fs_score *s, const struct fs_record *r, struct fs_run *run)
{
	s->has_y = 0;
	const json_t *v = fs_path_get(s->label, r);
	double d;
	if (!v || json_is_null(v))
		return 0;
	if (fs_feature_number(v, &d) != FS_NUM_OK || !label_ok(s, d)) {
		s->num.len = 0;
		fs_json_put_value(&s->num, v);
		return fs_run_reject(run, FS_REJ_LABEL, "label \"%s\" is %.*s; %s", s->label->spec,
		                     s->num.len > 60 ? 60 : (int)s->num.len, s->num.p,
		                     fs_learner_squared(s->slot[0].learn) ? "squared loss learns from numbers" :
		                     "log loss learns from 0 or 1 (or false and true)");
	}
	s->y = d;
	s->has_y = 1;
	return 0;
}

/* --learn, after the event was scored: learn from its label. */
static void learn(struct fs_score *s, const struct fs_record *r, struct fs_run *run)
{
	struct slot *sl = &s->slot[0];
	fs_progress_scored(s->progress);
	if (!s->has_y || s->diverged)
		return;
	char why[256];
	fs_progress_add(s->progress, sl->out[0], s->y, s->learn_name, fs_learner_examples(sl->learn));
	if (fs_learner_update(sl->learn, sl->out[0], s->y, why, sizeof why) < 0) {
		s->diverged = 1;
		run->end = FS_EX_DATAERR;
		struct stat st;
		if (s->cfg.save && stat(s->cfg.save, &st) == 0)
			fs_warn("%s:%llu: the model diverged: %s; %s is not saved again (its last version "
			        "stays, of example %llu); lower --alpha, set --clip, or scale the feature",
			        r->source, (unsigned long long)r->line, why, s->cfg.save,
			        (unsigned long long)s->saved_at);
		else if (s->cfg.save)
			fs_warn("%s:%llu: the model diverged: %s; %s is not saved; lower --alpha, set "
			        "--clip, or scale the feature", r->source, (unsigned long long)r->line, why,
			        s->cfg.save);
		else
			fs_warn("%s:%llu: the model diverged: %s; lower --alpha, set --clip, or scale the "
			        "feature", r->source, (unsigned long long)r->line, why);
		return;
	}
	if (s->cfg.save_every && fs_learner_examples(sl->learn) - s->saved_at >= s->cfg.save_every)
		save_model(s, NULL);
}

void fs_score_finish(void *ctx, struct fs_run *run)
{
	struct fs_score *s = ctx;
	if (s->remote) {
		fs_endpoint_drain(s->remote);
		take(s, run);
		return;
	}
	score_batch(s, run);
	if (!s->slot[0].learn)
		return;
	if (fs_progress_finish(s->progress) < 0 ||
	    (s->progress_file && fflush(s->progress_file) != 0)) {
		fs_warn("--progress %s: cannot write: %s", s->cfg.progress, strerror(errno));
		if (!run->end)
			run->end = FS_EX_IOERR;
	}
	if (save_model(s, NULL) < 0 && !run->end)
		run->end = FS_EX_IOERR;
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
	if ((s->label && read_label(s, r, run) < 0) || read_hashed(s, r, run) < 0)
		return -1;
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
		                    json_object_get(r->obj, sl->n_model) ? sl->n_model :
		                    s->k_arm && json_object_get(r->obj, s->n_arm) ? s->n_arm : NULL;
		if (clash)
			return fs_run_reject(run, FS_REJ_CONFLICT, "\"%s\" is already in the event "
			                     "(scored twice?)", clash);
	}
score:
	if (read_arm(s, r, run) < 0)
		return -1;
	if (s->remote)
		return hold_remote(s, r, run);
	if (s->batching) {
		s->run = run;
		return hold_batch(s, r, run);
	}
	if (emit(s, r, run) < 0)
		return -1;
	if (s->slot[0].learn)
		learn(s, r, run);
	return 0;
}

void fs_score_report(struct fs_score *s)
{
	if (s->events)
		report_absent(s);
}
