/* feat.c: spec parsing, key groups and the fsfeat step (see feat.h). */
#include "feat.h"
#include "diag.h"
#include "json.h"
#include "online.h"
#include "output.h"
#include "state.h"
#include "window.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum slot_kind {
	SLOT_NUMBER,   /* a number or numeric string */
	SLOT_TEXT,     /* any scalar, by its text (count_distinct) */
	SLOT_PRESENT,  /* 1 when present and not null (count with a field) */
};

struct slot {
	struct fs_path *path;
	enum slot_kind kind;
};

/* All features that share one key. */
struct group {
	size_t nkeys;
	struct fs_path **keys;
	char *keyid;               /* the key paths joined, to find the group */
	struct fs_wspec ws;
	struct slot *slots;
	struct fs_hmap table;      /* key text -> struct fs_wkey * */
	/* per-step scratch */
	struct fs_buf key;
	uint64_t hash;
	struct fs_wkey *wk;
	struct fs_wval *vals;
	size_t *textoff;
	double *out;
};

struct feature {
	char *name;
	size_t nlen;
	char *qkey;                /* "name": */
	size_t qlen;
	size_t group, gidx;
};

/* The shape of an --emit rows line: key fields and the time, nested as in
 * the event; leaves are copied from the event's bytes as written. */
struct rownode {
	char *qkey;                /* "name": */
	size_t qlen;
	const struct fs_path *leaf;  /* a value to copy, or NULL for an object */
	struct rownode *kids;
	size_t nkids;
};

struct fs_feat {
	struct group *g;
	size_t ng;
	struct feature *f;
	size_t nf;
	char *into;
	int rows;
	int64_t lateness;
	int64_t ttl;               /* 0: keys are never forgotten */
	int64_t clock;             /* the latest event time seen (the stream's time) */
	int64_t swept;             /* the clock at the last sweep of idle keys */
	/* --ttl with --kcat: each partition's own latest time; the stream's is
	 * the earliest of them, so that which keys are swept does not depend on
	 * how partitions interleave, or are split between pipelines */
	struct fs_hmap parts;      /* "topic\0partition" -> index + 1 in pclock */
	int64_t *pclock;
	size_t np;
	struct fs_path *time_path;
	struct rownode row_shape;  /* for rows */
	char *canonical;           /* what a state is tied to */
	struct fs_buf text;        /* text values of the current event */
	struct fs_buf row;         /* the current row's JSON, for --emit rows */
	/* --online: per group, its keys' prefix; scratch for a key and a value */
	struct fs_online *online;
	char **oprefix;
	struct fs_buf okey;
	size_t *voff, *vlen;       /* each feature's text in the line just written */
	/* --rows: opened at the first need, keeping what a restored state wrote */
	const char *rows_path;
	struct fs_out *rows_out;
	uint64_t rows_keep;        /* bytes of the file a restored state reflects */
	uint64_t rows_offset;      /* its size once closed */
	int rows_closed;
	uint64_t unsent;           /* online writes a state held, loaded without --online */
};

static size_t partition_clock(struct fs_feat *ff, const char *key, size_t n, int64_t t);

/* ---------------------------------------------------------------- the spec */

struct specerr {
	char *buf;
	size_t size;
	const char *path;
};

static int bad(struct specerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct specerr *e, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(e->buf, e->size, "%s: ", e->path);
	va_start(ap, fmt);
	vsnprintf(e->buf + n, e->size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_members(struct specerr *e, const char *where, json_t *obj,
                         const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			ok |= strcmp(k, *a) == 0;
		if (!ok)
			return bad(e, "%s: unknown member \"%s\"", where, k);
	}
	return 0;
}

/* "user_id" or ["user_id", "country"] into paths; returns the count or -1. */
static int parse_key(struct specerr *e, const char *where, json_t *key, struct fs_path ***out)
{
	size_t n = json_is_array(key) ? json_array_size(key) : 1;
	if (!json_is_string(key) && !(json_is_array(key) && n > 0))
		return bad(e, "%s: \"key\" must be a field path or a non-empty list of them", where);
	struct fs_path **paths = fs_xcalloc(n, sizeof *paths);
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_is_array(key) ? json_array_get(key, i) : key;
		const char *why = "not a string";
		if (!json_is_string(s) || !(paths[i] = fs_path_new(json_string_value(s), &why))) {
			for (size_t j = 0; j < i; j++)
				fs_path_free(paths[j]);
			free(paths);
			return bad(e, "%s: key: %s", where, why);
		}
	}
	*out = paths;
	return (int)n;
}

static size_t add_slot(struct group *g, const char *path, enum slot_kind kind)
{
	for (size_t i = 0; i < g->ws.nslots; i++)
		if (g->slots[i].kind == kind && strcmp(g->slots[i].path->spec, path) == 0)
			return i;
	const char *why;
	g->slots = fs_xrealloc(g->slots, (g->ws.nslots + 1) * sizeof *g->slots);
	g->ws.slot_text = fs_xrealloc(g->ws.slot_text, g->ws.nslots + 1);
	g->slots[g->ws.nslots].path = fs_path_new(path, &why);
	g->slots[g->ws.nslots].kind = kind;
	g->ws.slot_text[g->ws.nslots] = kind == SLOT_TEXT;
	return g->ws.nslots++;
}

static struct group *find_group(struct fs_feat *ff, struct fs_path **keys, size_t nkeys)
{
	struct fs_buf id = {0};
	for (size_t i = 0; i < nkeys; i++) {
		fs_buf_puts(&id, keys[i]->spec);
		fs_buf_putc(&id, '\x1f');
	}
	fs_buf_cstr(&id);
	for (size_t i = 0; i < ff->ng; i++)
		if (strcmp(ff->g[i].keyid, id.p) == 0) {
			fs_buf_free(&id);
			for (size_t k = 0; k < nkeys; k++)
				fs_path_free(keys[k]);
			free(keys);
			return &ff->g[i];
		}
	ff->g = fs_xrealloc(ff->g, (ff->ng + 1) * sizeof *ff->g);
	struct group *g = &ff->g[ff->ng++];
	memset(g, 0, sizeof *g);
	g->keys = keys;
	g->nkeys = nkeys;
	g->keyid = id.p;
	return g;
}

static int parse_duration_member(struct specerr *e, const char *where, json_t *ft,
                                 const char *member, int64_t *ns)
{
	json_t *v = json_object_get(ft, member);
	if (!v)
		return 0;
	if (!json_is_string(v) || fs_duration_parse(json_string_value(v), ns) < 0)
		return bad(e, "%s: \"%s\" must be a duration such as \"500ms\", \"30s\", \"5m\", "
		           "\"1h\" or \"7d\"", where, member);
	return 1;
}

static int parse_feature(struct fs_feat *ff, struct specerr *e, size_t idx, json_t *ft,
                         json_t *default_key)
{
	static const char *const allowed[] = {"name", "agg", "field", "window", "key",
	                                      "include_current", "n", "halflife", "bucket", NULL};
	char where[160];
	snprintf(where, sizeof where, "features[%zu]", idx);
	if (!json_is_object(ft))
		return bad(e, "%s: must be an object", where);
	json_t *name = json_object_get(ft, "name");
	if (!json_is_string(name) || !json_string_length(name))
		return bad(e, "%s: needs a \"name\" (a non-empty string)", where);
	snprintf(where, sizeof where, "features[%zu] \"%s\"", idx, json_string_value(name));
	if (check_members(e, where, ft, allowed) < 0)
		return -1;
	for (size_t i = 0; i < ff->nf; i++)
		if (strcmp(ff->f[i].name, json_string_value(name)) == 0)
			return bad(e, "%s: the name is used twice; feature names must be unique", where);

	struct fs_wfeat w = {.slot = -1, .include_current = 1};
	json_t *agg = json_object_get(ft, "agg");
	if (!json_is_string(agg) || fs_agg_parse(json_string_value(agg), &w.agg) < 0)
		return bad(e, "%s: \"agg\" must be one of %s", where, fs_agg_list());
	json_t *field = json_object_get(ft, "field");
	if (field && (!json_is_string(field) || !json_string_length(field)))
		return bad(e, "%s: \"field\" must be a field path", where);
	int wants_field = w.agg != FS_AGG_COUNT && w.agg != FS_AGG_TIME_SINCE_LAST;
	if (wants_field && !field)
		return bad(e, "%s: %s needs a \"field\"", where, fs_agg_name(w.agg));
	if (w.agg == FS_AGG_TIME_SINCE_LAST && field)
		return bad(e, "%s: time_since_last takes no \"field\"", where);
	if (field) {
		const char *why;
		struct fs_path *p = fs_path_new(json_string_value(field), &why);
		if (!p)
			return bad(e, "%s: field: %s", where, why);
		fs_path_free(p);
	}

	int rc = parse_duration_member(e, where, ft, "window", &w.window);
	if (rc < 0)
		return -1;
	int has_bucket = parse_duration_member(e, where, ft, "bucket", &w.bucket);
	if (has_bucket < 0)
		return -1;
	if (has_bucket) {
		if (!w.window)
			return bad(e, "%s: \"bucket\" divides a \"window\"; give the window too", where);
		if (w.window % w.bucket)
			return bad(e, "%s: the window must be a whole number of buckets", where);
		if (w.agg == FS_AGG_LAG || w.agg == FS_AGG_TIME_SINCE_LAST || w.agg == FS_AGG_EWMA)
			return bad(e, "%s: %s takes no \"bucket\"", where, fs_agg_name(w.agg));
	}
	if (w.agg == FS_AGG_EWMA) {
		if (rc)
			return bad(e, "%s: ewma decays with \"halflife\" and takes no \"window\"", where);
		if ((rc = parse_duration_member(e, where, ft, "halflife", &w.halflife)) <= 0)
			return rc < 0 ? -1 : bad(e, "%s: ewma needs a \"halflife\" such as \"1h\"", where);
	} else if (json_object_get(ft, "halflife")) {
		return bad(e, "%s: \"halflife\" belongs to ewma only", where);
	}
	json_t *n = json_object_get(ft, "n");
	if (w.agg == FS_AGG_LAG) {
		w.lag = 1;
		if (n && (!json_is_integer(n) || json_integer_value(n) < 1 ||
		          json_integer_value(n) > 1000000))
			return bad(e, "%s: \"n\" must be a whole number from 1 to 1000000", where);
		if (n)
			w.lag = (int)json_integer_value(n);
	} else if (n) {
		return bad(e, "%s: \"n\" belongs to lag only", where);
	}
	json_t *inc = json_object_get(ft, "include_current");
	if (inc) {
		if (!json_is_boolean(inc))
			return bad(e, "%s: \"include_current\" must be true or false", where);
		if (w.agg == FS_AGG_LAG || w.agg == FS_AGG_TIME_SINCE_LAST)
			return bad(e, "%s: %s always looks at earlier events; drop \"include_current\"",
			           where, fs_agg_name(w.agg));
		w.include_current = json_is_true(inc);
	}

	json_t *key = json_object_get(ft, "key");
	if (!key)
		key = default_key;
	if (!key)
		return bad(e, "%s: no \"key\", and the spec has no top-level \"key\"", where);
	struct fs_path **keys = NULL;
	int nkeys = parse_key(e, where, key, &keys);
	if (nkeys < 0)
		return -1;
	struct group *g = find_group(ff, keys, (size_t)nkeys);
	if (field) {
		enum slot_kind kind = w.agg == FS_AGG_COUNT_DISTINCT ? SLOT_TEXT
		                      : w.agg == FS_AGG_COUNT ? SLOT_PRESENT : SLOT_NUMBER;
		w.slot = (int)add_slot(g, json_string_value(field), kind);
	}
	g->ws.feat = fs_xrealloc(g->ws.feat, (g->ws.nfeat + 1) * sizeof *g->ws.feat);
	g->ws.feat[g->ws.nfeat] = w;

	ff->f = fs_xrealloc(ff->f, (ff->nf + 1) * sizeof *ff->f);
	struct feature *f = &ff->f[ff->nf++];
	f->name = fs_xstrdup(json_string_value(name));
	f->nlen = strlen(f->name);
	f->qkey = fs_quote_key(f->name, &f->qlen);
	f->group = (size_t)(g - ff->g);
	f->gidx = g->ws.nfeat++;
	return 0;
}

static int parse_spec(struct fs_feat *ff, struct specerr *e, json_t *spec)
{
	static const char *const allowed[] = {"key", "features", "description", NULL};
	if (!json_is_object(spec))
		return bad(e, "the spec must be a JSON object with \"key\" and \"features\"");
	if (check_members(e, "spec", spec, allowed) < 0)
		return -1;
	json_t *key = json_object_get(spec, "key"), *fts = json_object_get(spec, "features");
	if (!json_is_array(fts) || json_array_size(fts) == 0)
		return bad(e, "\"features\" must be a non-empty list");
	size_t i;
	json_t *ft;
	json_array_foreach(fts, i, ft)
		if (parse_feature(ff, e, i, ft, key) < 0)
			return -1;
	return 0;
}

/* Adds path p (kept by the caller) to the row shape. A path inside one
 * already copied whole adds nothing; a path that contains others replaces
 * them, since copying it copies them too. */
static void row_add(struct rownode *n, const struct fs_path *p)
{
	char env[256];
	for (size_t i = 0; i < (p->envelope ? 1 : p->n); i++) {
		const char *name = p->parts[i];
		if (p->envelope) {
			/* kcat fields keep their @ name at the top of the row */
			snprintf(env, sizeof env, "@%s", p->parts[0]);
			name = env;
		}
		if (n->leaf)
			return;
		struct rownode *k = NULL;
		size_t len;
		char *q = fs_quote_key(name, &len);
		for (size_t j = 0; j < n->nkids && !k; j++)
			if (n->kids[j].qlen == len && memcmp(n->kids[j].qkey, q, len) == 0)
				k = &n->kids[j];
		if (k) {
			free(q);
		} else {
			n->kids = fs_xrealloc(n->kids, (n->nkids + 1) * sizeof *n->kids);
			k = &n->kids[n->nkids++];
			memset(k, 0, sizeof *k);
			k->qkey = q;
			k->qlen = len;
		}
		n = k;
	}
	if (n->leaf)
		return;
	for (size_t j = 0; j < n->nkids; j++)
		free(n->kids[j].qkey);
	free(n->kids);
	n->kids = NULL;
	n->nkids = 0;
	n->leaf = p;
}

static void row_free(struct rownode *n)
{
	for (size_t j = 0; j < n->nkids; j++) {
		row_free(&n->kids[j]);
		free(n->kids[j].qkey);
	}
	free(n->kids);
}

/* The first component of p as the row names it. */
static int row_top_is(const struct fs_path *p, const char *name)
{
	return p->envelope ? name[0] == '@' && strcmp(name + 1, p->parts[0]) == 0
	                   : strcmp(p->parts[0], name) == 0;
}

/* Every path of the spec that names a kcat envelope field, for the check
 * that --kcat is on. */
static const struct fs_path *envelope_path(const struct fs_feat *ff)
{
	for (size_t i = 0; i < ff->ng; i++) {
		for (size_t k = 0; k < ff->g[i].nkeys; k++)
			if (ff->g[i].keys[k]->envelope)
				return ff->g[i].keys[k];
		for (size_t k = 0; k < ff->g[i].ws.nslots; k++)
			if (ff->g[i].slots[k].path->envelope)
				return ff->g[i].slots[k].path;
	}
	return NULL;
}

/* --online: the prefix of each group's keys. One key group uses the prefix
 * as it is; with several, each adds its key fields, so that equal values of
 * two keys (user 7, merchant 7) stay two entities. */
static int online_prefixes(struct fs_feat *ff, const char *prefix, struct specerr *e)
{
	for (size_t i = 0; i < ff->nf; i++)
		if (strcmp(ff->f[i].name, FS_ONLINE_TIME) == 0)
			return bad(e, "feature \"%s\": the online store keeps the time in a field of "
			           "that name; rename the feature", FS_ONLINE_TIME);
	ff->oprefix = fs_xcalloc(ff->ng, sizeof *ff->oprefix);
	for (size_t i = 0; i < ff->ng; i++) {
		struct fs_buf b = {0};
		fs_buf_puts(&b, prefix);
		for (size_t k = 0; ff->ng > 1 && k < ff->g[i].nkeys; k++) {
			fs_buf_puts(&b, ff->g[i].keys[k]->spec);
			fs_buf_putc(&b, k + 1 < ff->g[i].nkeys ? ',' : ':');
		}
		fs_buf_cstr(&b);
		ff->oprefix[i] = b.p;
	}
	return 0;
}

struct fs_feat *fs_feat_new(const struct fs_feat_config *cfg, char *err, size_t errsize,
                            int *status)
{
	struct specerr e = {err, errsize, cfg->spec_text ? "the state's spec" : cfg->spec_path};
	json_error_t je;
	json_t *spec;
	if (cfg->spec_text) {
		spec = json_loads(cfg->spec_text, JSON_REJECT_DUPLICATES, &je);
	} else {
		FILE *fp = fopen(cfg->spec_path, "r");
		if (!fp) {
			bad(&e, "cannot open: %s", strerror(errno));
			*status = FS_EX_NOINPUT;
			return NULL;
		}
		spec = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
		fclose(fp);
	}
	*status = FS_EX_USAGE;
	if (!spec) {
		bad(&e, "line %d, column %d: %s", je.line, je.column, je.text);
		return NULL;
	}
	struct fs_feat *ff = fs_xcalloc(1, sizeof *ff);
	ff->into = fs_xstrdup(cfg->into ? cfg->into : "features");
	ff->rows = cfg->emit_rows;
	ff->lateness = cfg->lateness;
	ff->ttl = cfg->ttl;
	ff->clock = ff->swept = INT64_MIN;
	ff->online = cfg->online;
	ff->rows_path = cfg->rows_path;
	int rc = parse_spec(ff, &e, spec);
	if (rc == 0) {
		/* The state is tied to what shapes it: the spec without its
		 * description, and how times are read. */
		json_object_del(spec, "description");
		json_t *c = json_pack("{s:O}", "spec", spec);
		json_object_set_new(c, "time_field",
		                    json_string(cfg->time_field ? cfg->time_field : "ts"));
		json_object_set_new(c, "time_unit", json_integer(cfg->time_unit_ns));
		if (cfg->ttl)
			json_object_set_new(c, "ttl_ns", json_integer(cfg->ttl));
		ff->canonical = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		json_decref(c);
	}
	json_decref(spec);
	if (rc < 0) {
		fs_feat_free(ff);
		return NULL;
	}
	const char *why;
	ff->time_path = fs_path_new(cfg->time_field ? cfg->time_field : "ts", &why);
	const struct fs_path *env = envelope_path(ff);
	if (env && !cfg->kcat) {
		bad(&e, "\"%s\" names a kcat envelope field; add --kcat", env->spec);
		fs_feat_free(ff);
		return NULL;
	}
	for (size_t i = 0; i < ff->ng; i++) {
		struct group *g = &ff->g[i];
		g->vals = fs_xcalloc(g->ws.nslots, sizeof *g->vals);
		g->textoff = fs_xcalloc(g->ws.nslots, sizeof *g->textoff);
		g->out = fs_xcalloc(g->ws.nfeat, sizeof *g->out);
		for (size_t k = 0; k < g->nkeys; k++) {
			if ((ff->rows || ff->rows_path) && ff->time_path && row_top_is(g->keys[k], ff->into)) {
				bad(&e, "--into %s: rows already hold the key field \"%s\"; name the "
				    "features object otherwise", ff->into, g->keys[k]->spec);
				fs_feat_free(ff);
				return NULL;
			}
			row_add(&ff->row_shape, g->keys[k]);
		}
	}
	if (ff->time_path) {
		if ((ff->rows || ff->rows_path) && row_top_is(ff->time_path, ff->into)) {
			bad(&e, "--into %s: rows already hold the time field; name the features "
			    "object otherwise", ff->into);
			fs_feat_free(ff);
			return NULL;
		}
		row_add(&ff->row_shape, ff->time_path);
	}
	ff->voff = fs_xcalloc(ff->nf, sizeof *ff->voff);
	ff->vlen = fs_xcalloc(ff->nf, sizeof *ff->vlen);
	if (ff->online && online_prefixes(ff, cfg->online_prefix, &e) < 0) {
		fs_feat_free(ff);
		return NULL;
	}
	return ff;
}

const char *fs_feat_canonical(const struct fs_feat *ff)
{
	return ff->canonical;
}

void fs_feat_save(void *ctx, struct fs_state_writer *w)
{
	struct fs_feat *ff = ctx;
	struct fs_buf *b = fs_state_buf(w);
	fs_put_i64(b, ff->clock);
	fs_put_i64(b, ff->swept);
	fs_put_u64(b, ff->ng);
	for (size_t i = 0; i < ff->ng; i++) {
		struct group *g = &ff->g[i];
		fs_put_u64(b, g->table.n);
		fs_hmap_foreach(&g->table, it) {
			fs_put_bytes(b, fs_hent_key(it), it->klen);
			fs_wkey_save(&g->ws, it->v.p, b);
			fs_state_flush(w);
		}
	}
	/* the partitions' clocks come last: a state from before them ends here */
	fs_put_u64(b, ff->np);
	fs_hmap_foreach(&ff->parts, it) {
		fs_put_bytes(b, fs_hent_key(it), it->klen);
		fs_put_i64(b, ff->pclock[it->v.u - 1]);
	}
	/* then the --rows file's size (+1, 0: none) and the writes the online
	 * store has not acknowledged, which the next run sends first */
	uint64_t rows = ff->rows_out ? fs_out_offset(ff->rows_out) + 1
	              : ff->rows_closed ? ff->rows_offset + 1 : ff->rows_keep ? ff->rows_keep + 1 : 0;
	fs_put_u64(b, rows);
	if (ff->online) {
		fs_online_save(ff->online, b);
	} else {
		fs_put_u64(b, 0);
	}
}

int fs_feat_load(void *ctx, const unsigned char *p, size_t n)
{
	struct fs_feat *ff = ctx;
	struct fs_rd r = {p, p + n, 1};
	ff->clock = fs_get_i64(&r);
	ff->swept = fs_get_i64(&r);
	if (fs_get_u64(&r) != ff->ng)
		return -1;
	for (size_t i = 0; i < ff->ng && r.ok; i++) {
		struct group *g = &ff->g[i];
		for (uint64_t k = 0, nk = fs_get_u64(&r); k < nk && r.ok; k++) {
			size_t len;
			int created;
			const char *key = fs_get_bytes(&r, &len);
			struct fs_wkey *wk = r.ok ? fs_wkey_load(&g->ws, &r) : NULL;
			if (!wk)
				return -1;
			struct fs_hent *e = fs_hmap_upsert(&g->table, key, len, fs_hash(key, len), &created);
			if (!created) {
				fs_wkey_free(&g->ws, wk);
				return -1;
			}
			e->v.p = wk;
		}
	}
	uint64_t np = r.ok && r.p < r.end ? fs_get_u64(&r) : 0;
	for (uint64_t k = 0; k < np && r.ok; k++) {
		size_t len;
		const char *key = fs_get_bytes(&r, &len);
		int64_t t = fs_get_i64(&r);
		if (r.ok)
			partition_clock(ff, key, len, t);
	}
	if (r.ok && r.p < r.end) {
		uint64_t rows = fs_get_u64(&r);
		ff->rows_keep = rows ? rows - 1 : 0;
		if (ff->online) {
			if (fs_online_load(ff->online, &r) < 0)
				return -1;
		} else {
			struct fs_rd peek = r;
			ff->unsent = fs_get_u64(&peek);
			if (fs_online_skip(&r) < 0)
				return -1;
		}
	}
	return r.ok && r.p == r.end ? 0 : -1;
}

uint64_t fs_feat_events(const struct fs_feat *ff)
{
	uint64_t n = 0;
	for (size_t i = 0; i < ff->ng; i++)
		fs_hmap_foreach(&ff->g[i].table, it) n += fs_wkey_events(it->v.p);
	return n;
}

uint64_t fs_feat_unsent(const struct fs_feat *ff)
{
	return ff->online ? fs_online_pending(ff->online) : ff->unsent;
}

uint64_t fs_feat_keys(const struct fs_feat *ff)
{
	uint64_t n = 0;
	for (size_t i = 0; i < ff->ng; i++)
		n += ff->g[i].table.n;
	return n;
}

void fs_feat_free(struct fs_feat *ff)
{
	if (!ff)
		return;
	fs_hmap_free(&ff->parts);
	free(ff->pclock);
	for (size_t i = 0; i < ff->ng; i++) {
		struct group *g = &ff->g[i];
		fs_hmap_foreach(&g->table, it)
			fs_wkey_free(&g->ws, it->v.p);
		fs_hmap_free(&g->table);
		for (size_t k = 0; k < g->nkeys; k++)
			fs_path_free(g->keys[k]);
		for (size_t s = 0; s < g->ws.nslots; s++)
			fs_path_free(g->slots[s].path);
		free(g->keys);
		free(g->keyid);
		free(g->slots);
		free(g->ws.slot_text);
		free(g->ws.feat);
		free(g->vals);
		free(g->textoff);
		free(g->out);
		fs_buf_free(&g->key);
	}
	for (size_t i = 0; i < ff->nf; i++) {
		free(ff->f[i].name);
		free(ff->f[i].qkey);
	}
	row_free(&ff->row_shape);
	fs_path_free(ff->time_path);
	free(ff->g);
	free(ff->f);
	fs_feat_close_rows(ff);
	for (size_t i = 0; ff->oprefix && i < ff->ng; i++)
		free(ff->oprefix[i]);
	free(ff->oprefix);
	fs_buf_free(&ff->okey);
	free(ff->voff);
	free(ff->vlen);
	free(ff->into);
	free(ff->canonical);
	fs_buf_free(&ff->text);
	fs_buf_free(&ff->row);
	free(ff);
}

/* ---------------------------------------------------------------- the step */

/* The key's text: each key value's text followed by a unit separator. */
static int key_text(struct group *g, const struct fs_record *r, struct fs_run *run)
{
	g->key.len = 0;
	for (size_t k = 0; k < g->nkeys; k++) {
		json_t *v = fs_path_get(g->keys[k], r);
		if (fs_record_value_text(r, g->keys[k], v, &g->key) < 0)
			return fs_run_reject(run, FS_REJ_KEY, "key \"%s\" is %s", g->keys[k]->spec,
			                     !v ? "missing" : json_is_null(v) ? "null"
			                     : "not a string, number or boolean");
		fs_buf_putc(&g->key, '\x1f');
	}
	g->hash = fs_hash(g->key.p, g->key.len);
	struct fs_hent *e = fs_hmap_find(&g->table, g->key.p, g->key.len, g->hash);
	g->wk = e ? e->v.p : NULL;
	if (g->wk)
		__builtin_prefetch(g->wk);  /* read a little later; the event's values come first */
	return 0;
}

/* Reads the group's values from r; returns how many were present but not
 * numbers (counted only once the record is accepted). */
static int read_values(struct fs_feat *ff, struct group *g, const struct fs_record *r)
{
	int invalid = 0;
	for (size_t s = 0; s < g->ws.nslots; s++) {
		struct fs_wval *v = &g->vals[s];
		json_t *j = fs_path_get(g->slots[s].path, r);
		v->present = 0;
		switch (g->slots[s].kind) {
		case SLOT_NUMBER:
			switch (fs_value_number(j, &v->d)) {
			case FS_NUM_OK: v->present = 1; break;
			case FS_NUM_INVALID: invalid++; break;
			case FS_NUM_MISSING: break;
			}
			break;
		case SLOT_PRESENT:
			v->present = j && !json_is_null(j);
			v->d = 1.0;
			break;
		case SLOT_TEXT:
			/* Offsets now, pointers once the buffer has stopped moving. */
			g->textoff[s] = ff->text.len;
			v->present = fs_record_value_text(r, g->slots[s].path, j, &ff->text) == 0;
			if (v->present)
				v->n = ff->text.len - g->textoff[s];
			break;
		}
	}
	return invalid;
}

/* Rejects r when its `into` member cannot take the features. Sets *present
 * to whether r has that member. */
static int rejects_conflicts(struct fs_feat *ff, const struct fs_record *r, struct fs_run *run,
                             int *present)
{
	json_t *into = json_object_get(r->obj, ff->into);
	*present = into != NULL;
	if (!into)
		return 0;
	if (!json_is_object(into))
		return fs_run_reject(run, FS_REJ_CONFLICT, "\"%s\" is already in the event and is "
		                     "not an object; write features elsewhere with --into", ff->into);
	for (size_t i = 0; i < ff->nf; i++)
		if (json_object_get(into, ff->f[i].name))
			return fs_run_reject(run, FS_REJ_CONFLICT, "%s.%s is already in the event; rename "
			                     "the feature or write elsewhere with --into", ff->into,
			                     ff->f[i].name);
	return 0;
}

static void row_write(const struct rownode *n, const struct fs_record *r, struct fs_buf *b)
{
	fs_buf_putc(b, '{');
	for (size_t j = 0; j < n->nkids; j++) {
		const struct rownode *k = &n->kids[j];
		const char *v;
		size_t len;
		if (j)
			fs_buf_putc(b, ',');
		fs_buf_put(b, k->qkey, k->qlen);
		if (!k->leaf)
			row_write(k, r, b);
		else if (fs_record_value_bytes(r, k->leaf, &v, &len))
			fs_buf_put(b, v, len);
		else
			fs_buf_puts(b, "null");
	}
	fs_buf_putc(b, '}');
}

/* The offline-store row of r: its key fields and time as written, nested as
 * in the event, to which the features are then appended. */
static void build_row(struct fs_feat *ff, const struct fs_record *r, struct fs_record *row)
{
	ff->row.len = 0;
	row_write(&ff->row_shape, r, &ff->row);
	*row = *r;
	row->raw = ff->row.p;
	row->rawlen = ff->row.len;
	row->obj = NULL;
}

/* --ttl: the key's state starts afresh, as if the key were new. */
static void key_reset(struct group *g)
{
	struct fs_hent *e = fs_hmap_find(&g->table, g->key.p, g->key.len, g->hash);
	fs_wkey_free(&g->ws, g->wk);
	g->wk = e->v.p = fs_wkey_new(&g->ws);
}

/* --ttl: forgets keys the stream's time has left more than ttl behind.
 * Runs each time the clock has moved a quarter of the ttl, so a key is
 * held at most 1.25 ttl after its last event. */
static void sweep(struct fs_feat *ff)
{
	if (ff->swept != INT64_MIN && ff->clock - ff->swept < ff->ttl / 4)
		return;
	ff->swept = ff->clock;
	for (size_t i = 0; i < ff->ng; i++) {
		struct group *g = &ff->g[i];
		/* A removal shifts later entries back into this slot: look again. */
		for (size_t j = 0; j < g->table.cap;) {
			struct fs_hent *e = &g->table.e[j];
			if (e->hash && fs_wkey_last_time(e->v.p) < ff->clock - ff->ttl) {
				fs_wkey_free(&g->ws, e->v.p);
				fs_hmap_remove(&g->table, e);
			} else {
				j++;
			}
		}
	}
}

/* The index of a partition's clock, added at t when new. */
static size_t partition_clock(struct fs_feat *ff, const char *key, size_t n, int64_t t)
{
	int created;
	struct fs_hent *e = fs_hmap_upsert(&ff->parts, key, n, fs_hash(key, n), &created);
	if (created) {
		ff->pclock = fs_xrealloc(ff->pclock, (ff->np + 1) * sizeof *ff->pclock);
		ff->pclock[ff->np] = t;
		e->v.u = ++ff->np;
	}
	return e->v.u - 1;
}

/* --ttl: moves the stream's time on, per partition with --kcat. */
static void advance_clock(struct fs_feat *ff, const struct fs_record *r)
{
	json_t *t = r->envelope ? json_object_get(r->envelope, "topic") : NULL;
	json_t *p = r->envelope ? json_object_get(r->envelope, "partition") : NULL;
	if (!json_is_string(t) || !json_is_integer(p)) {
		if (r->time > ff->clock)
			ff->clock = r->time;
		return;
	}
	char key[320];
	int n = snprintf(key, sizeof key, "%.255s%c%" JSON_INTEGER_FORMAT, json_string_value(t), 0,
	                 json_integer_value(p));
	size_t i = partition_clock(ff, key, (size_t)n, r->time);
	if (r->time > ff->pclock[i])
		ff->pclock[i] = r->time;
	int64_t min = INT64_MAX;
	for (size_t k = 0; k < ff->np; k++)
		if (ff->pclock[k] < min)
			min = ff->pclock[k];
	ff->clock = min;
}

/* Appends r's line with the features to b (row: the row without them). */
static int emit(struct fs_feat *ff, const struct fs_record *r, struct fs_buf *b, int present)
{
	struct fs_emit em;
	if (fs_emit_begin(&em, b, r, ff->into, present) < 0)
		return -1;
	for (size_t i = 0; i < ff->nf; i++) {
		const struct feature *f = &ff->f[i];
		double v = ff->g[f->group].out[f->gidx];
		fs_emit_key(&em, f->qkey, f->qlen);
		ff->voff[i] = b->len;  /* the online store takes the same text */
		fs_json_put_double(b, v);  /* NaN is written as null */
		ff->vlen[i] = b->len - ff->voff[i];
	}
	fs_emit_end(&em);
	return 0;
}

/* --rows: opened once, after a restored state said how much of it stays. */
static int rows_ready(struct fs_feat *ff)
{
	if (ff->rows_out)
		return 0;
	if (ff->rows_closed)
		return -1;
	ff->rows_out = fs_out_open_at(ff->rows_path, ff->rows_keep);
	if (!ff->rows_out) {
		if (errno == ERANGE)
			fs_die(FS_EX_DATAERR, "--rows %s: shorter than the %llu bytes the state says were "
			       "written; was it moved or replaced? Restore it, or start a new state",
			       ff->rows_path, (unsigned long long)ff->rows_keep);
		fs_die(FS_EX_IOERR, "--rows %s: cannot open for writing: %s", ff->rows_path,
		       strerror(errno));
	}
	return 0;
}

/* --online: each group's key gets its features, as of the key's time, as
 * the text emit just wrote into out. */
static int online_put(struct fs_feat *ff, const struct fs_buf *out)
{
	for (size_t i = 0; i < ff->ng; i++) {
		struct group *g = &ff->g[i];
		fs_online_key(&ff->okey, ff->oprefix[i], g->key.p, g->key.len);
		fs_online_put_begin(ff->online, ff->okey.p, ff->okey.len, fs_wkey_last_time(g->wk));
		for (size_t k = 0; k < ff->nf; k++) {
			const struct feature *f = &ff->f[k];
			if (f->group != i)
				continue;
			fs_online_put_field(ff->online, f->name, f->nlen, out->p + ff->voff[k], ff->vlen[k]);
		}
		if (fs_online_put_end(ff->online) < 0)
			return -1;
	}
	return 0;
}

void fs_feat_idle(void *ctx, struct fs_run *run)
{
	struct fs_feat *ff = ctx;
	if (ff->rows_out)
		fs_out_flush(ff->rows_out);
	if (ff->online && !run->end && fs_online_pending(ff->online) &&
	    fs_online_flush(ff->online) < 0)
		run->end = fs_online_failed(ff->online, NULL);
}

int fs_feat_sync(void *ctx)
{
	struct fs_feat *ff = ctx;
	if (!ff->rows_path || ff->rows_closed)
		return 0;
	rows_ready(ff);
	if (fs_out_sync(ff->rows_out) < 0) {
		fs_warn("--rows %s: write error; the state stays as it was", ff->rows_path);
		return -1;
	}
	return 0;
}

void fs_feat_finish(void *ctx, struct fs_run *run)
{
	struct fs_feat *ff = ctx;
	if (ff->online && !run->end && fs_online_flush(ff->online) < 0)
		run->end = fs_online_failed(ff->online, NULL);
	if (ff->rows_path && !ff->rows_closed) {
		rows_ready(ff);
		if (fs_feat_close_rows(ff) < 0 && !run->end)
			run->end = FS_EX_IOERR;
	}
}

int fs_feat_close_rows(struct fs_feat *ff)
{
	if (!ff->rows_out)
		return 0;
	char err[128];
	fs_out_sync(ff->rows_out);  /* the last frame ended: the size a state records */
	ff->rows_offset = fs_out_offset(ff->rows_out);
	int rc = fs_out_close(ff->rows_out, err, sizeof err);
	ff->rows_out = NULL;
	ff->rows_closed = 1;
	if (rc < 0)
		fs_warn("--rows %s: write error: %s", ff->rows_path, err);
	return rc;
}

int fs_feat_step(void *ctx, const struct fs_record *r, struct fs_run *run)
{
	struct fs_feat *ff = ctx;
	int late = 0;

	/* Everything that can reject the record comes before any state changes. */
	for (size_t i = 0; i < ff->ng; i++)
		if (key_text(&ff->g[i], r, run) < 0)
			return -1;
	int present = 0;  /* rows are built without the features object */
	if (!ff->rows && rejects_conflicts(ff, r, run, &present) < 0)
		return -1;
	int invalid = 0;
	ff->text.len = 0;
	for (size_t i = 0; i < ff->ng; i++)
		invalid += read_values(ff, &ff->g[i], r);
	for (size_t i = 0; i < ff->ng; i++) {
		struct group *g = &ff->g[i];
		int64_t last = g->wk ? fs_wkey_last_time(g->wk) : INT64_MIN;
		if (r->time < last) {
			if (ff->lateness >= 0 && last - r->time > ff->lateness) {
				char by[64], limit[64];
				fs_duration_format(last - r->time, by, sizeof by);
				fs_duration_format(ff->lateness, limit, sizeof limit);
				return fs_run_reject(run, FS_REJ_LATE, "%s behind the latest event of its "
				                     "key, more than --lateness %s", by, limit);
			}
			late = 1;
		}
	}
	run->diag->late += late;
	run->diag->nonnumeric += invalid;

	for (size_t i = 0; i < ff->ng; i++) {
		struct group *g = &ff->g[i];
		for (size_t s = 0; s < g->ws.nslots; s++)
			if (g->slots[s].kind == SLOT_TEXT)
				g->vals[s].s = ff->text.p + g->textoff[s];
		if (!g->wk) {
			int created;
			g->wk = fs_wkey_new(&g->ws);
			fs_hmap_upsert(&g->table, g->key.p, g->key.len, g->hash, &created)->v.p = g->wk;
		} else if (ff->ttl && r->time - fs_wkey_last_time(g->wk) > ff->ttl) {
			key_reset(g);
		}
		fs_wkey_step(&g->ws, g->wk, r->time, g->vals, g->out);
	}

	if (ff->ttl)
		advance_clock(ff, r);

	struct fs_record row;
	const struct fs_record *target = r;
	if (ff->rows) {
		build_row(ff, r, &row);
		target = &row;
	}
	if (emit(ff, target, run->out, present) < 0)
		return fs_run_reject(run, FS_REJ_CONFLICT, "\"%s\" is already in the output and is "
		                     "not an object; write features elsewhere with --into", ff->into);
	if (ff->online && online_put(ff, run->out) < 0)
		run->end = fs_online_failed(ff->online, NULL);
	if (ff->rows_path && rows_ready(ff) == 0) {
		if (!ff->rows)
			build_row(ff, r, &row);
		emit(ff, &row, fs_out_buf(ff->rows_out), 0);
		fs_out_maybe_flush(ff->rows_out);
	}
	if (ff->ttl)
		sweep(ff);
	return 0;
}
