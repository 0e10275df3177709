/* join.c: fsjoin's engine (see join.h).
 *
 * A side's rows live in two arrays: 24-byte row headers (key id, time,
 * input order, where its values start) sorted by key, time and input
 * order, and one byte buffer of values, each as a name number and the
 * value's raw JSON bytes. Names are numbered per side in the order first
 * met; every spine event gets every name of every side, null where the
 * matched row (or no row) has none, so the output has the same shape on
 * every line.
 */
#include "join.h"
#include "cli.h"
#include "diag.h"
#include "hmap.h"
#include "json.h"
#include "online.h"
#include "output.h"
#include "record.h"
#include "timefmt.h"

#include <stdlib.h>
#include <string.h>

struct row {
	int64_t time;              /* INT64_MIN: a table row without a time */
	uint32_t key;              /* key id */
	uint32_t seq;              /* input order */
	uint64_t off;              /* its values in the side's data */
};

struct side {
	struct fs_join_side def;
	struct fs_path **key;
	size_t nkey;
	char **names;              /* raw key bytes, as written */
	size_t nnames;
	char **qnames;             /* "name": */
	size_t *qlen;
	struct fs_hmap name_idx;   /* name -> index + 1 */
	struct row *rows;
	size_t nrows, caprows;
	struct fs_buf data;
	struct fs_hmap keys;       /* key text -> key id + 1 */
	uint64_t *first;           /* per key id: its first row (after sorting); nkeys + 1 */
	uint64_t nkeys;
	uint64_t hits, misses, nokey;
	/* while loading */
	const struct fs_join_config *cfg;
	struct fs_path *time;
	struct fs_buf text;
};

/* Events held for their lookups before the oldest is written. */
#define HOLD 512

struct fs_join {
	struct fs_join_config cfg;
	struct side **side;
	int nsides;
	const char *into;
	/* per name of a side: its value's bytes for the row being written */
	const char **val;
	size_t *vlen;
	size_t nval;
	struct fs_buf key;
	/* --online: the lookup key, and events held in input order until their
	 * answers come, each as the bytes before the online features, the
	 * bytes after them, and whether the object had members already */
	struct fs_path **okey;
	size_t nokey;
	struct fs_hold held;       /* tag: 1 when a lookup was asked (else nulls) */
	struct fs_buf rkey;        /* the store's key */
	uint64_t ohits, oabsent, onokey;
	uint64_t oshadowed;        /* store fields left out: a side has that name */
	uint64_t written, kept;    /* --backfill */
	uint64_t backfilled;       /* keys it found a row for */
};

/* ------------------------------------------------------------ varints */

static void put_varint(struct fs_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		fs_buf_putc(b, (char)(v | 0x80));
		v >>= 7;
	}
	fs_buf_putc(b, (char)v);
}

static uint64_t get_varint(const unsigned char **p)
{
	uint64_t v = 0;
	int shift = 0;
	while (**p & 0x80) {
		v |= (uint64_t)(**p & 0x7f) << shift;
		shift += 7;
		(*p)++;
	}
	v |= (uint64_t)**p << shift;
	(*p)++;
	return v;
}

/* ------------------------------------------------------------ keys */

/* The key's text in r ("a\x1fb" for two fields), or -1 when a field is
 * absent, null or not a scalar. */
static int key_text(struct fs_path **key, size_t nkey, const struct fs_record *r, struct fs_buf *b)
{
	b->len = 0;
	for (size_t i = 0; i < nkey; i++) {
		json_t *v = fs_path_get(key[i], r);
		if (i)
			fs_buf_putc(b, '\x1f');
		if (fs_record_value_text(r, key[i], v, b) < 0)
			return -1;
	}
	return 0;
}

static int parse_key(const char *spec, struct fs_path ***out, size_t *n, char *err, size_t errsize)
{
	size_t nnames;
	char **names = fs_cli_list(spec, &nnames);
	int rc = 0;
	*out = fs_xcalloc(nnames, sizeof **out);
	for (*n = 0; rc == 0 && *n < nnames; (*n)++) {
		const char *why;
		if (!((*out)[*n] = fs_path_new(names[*n], &why))) {
			snprintf(err, errsize, "--key %s: %s", spec, why);
			rc = -1;
			break;
		}
	}
	fs_cli_list_free(names, nnames);
	return rc;
}

/* ------------------------------------------------------------ loading */

static size_t name_index(struct side *s, const char *k, size_t kl)
{
	struct fs_hent *e = fs_hmap_find(&s->name_idx, k, kl, fs_hash(k, kl));
	if (e)
		return e->v.u - 1;
	s->names = fs_xrealloc(s->names, (s->nnames + 1) * sizeof *s->names);
	s->qnames = fs_xrealloc(s->qnames, (s->nnames + 1) * sizeof *s->qnames);
	s->qlen = fs_xrealloc(s->qlen, (s->nnames + 1) * sizeof *s->qlen);
	char *name = fs_xmalloc(kl + 1), *q = fs_xmalloc(kl + 4);
	memcpy(name, k, kl);
	name[kl] = '\0';
	q[0] = '"';
	memcpy(q + 1, k, kl);
	memcpy(q + 1 + kl, "\":", 3);
	s->names[s->nnames] = name;
	s->qnames[s->nnames] = q;
	s->qlen[s->nnames] = kl + 3;
	int created;
	fs_hmap_upsert(&s->name_idx, k, kl, fs_hash(k, kl), &created)->v.u = s->nnames + 1;
	return s->nnames++;
}

/* A top-level name that is the key or the time, left out of the values. */
static int is_key_or_time(const struct side *s, const char *k, size_t kl)
{
	for (size_t i = 0; i < s->nkey; i++)
		if (s->key[i]->n == 1 && !s->key[i]->envelope && strlen(s->key[i]->parts[0]) == kl &&
		    !memcmp(s->key[i]->parts[0], k, kl))
			return 1;
	return s->time->n == 1 && strlen(s->time->parts[0]) == kl && !memcmp(s->time->parts[0], k, kl);
}

/* The raw path of a row's key (the loop only checked its line): from the
 * bytes when every part is a plain string, an integer or a boolean, which
 * read as their own text. Returns 0, or FS_STEP_PARSE for anything the
 * parsed path must decide. */
static int raw_key(struct side *s, const struct fs_record *r)
{
	size_t vs, ve;
	s->text.len = 0;
	for (size_t i = 0; i < s->nkey; i++) {
		if (s->key[i]->envelope ||
		    !fs_json_find_path(r->raw, r->rawlen, s->key[i]->parts, s->key[i]->n, &vs, &ve))
			return FS_STEP_PARSE;
		const char *v = r->raw + vs;
		size_t vl = ve - vs;
		if (i)
			fs_buf_putc(&s->text, '\x1f');
		if (v[0] == '"' && !memchr(v, '\\', vl))
			fs_buf_put(&s->text, v + 1, vl - 2);
		else if ((fs_json_is_integer_text(v, vl) && !(vl == 2 && v[0] == '-')) ||
		         (vl == 4 && !memcmp(v, "true", 4)) || (vl == 5 && !memcmp(v, "false", 5)))
			fs_buf_put(&s->text, v, vl);
		else
			return FS_STEP_PARSE;
	}
	return 0;
}

static int load_step(void *ctx, const struct fs_record *r, struct fs_run *run)
{
	struct side *s = ctx;
	if (r->obj ? key_text(s->key, s->nkey, r, &s->text) < 0 : raw_key(s, r) != 0) {
		if (!r->obj)
			return FS_STEP_PARSE;
		return fs_run_reject(run, FS_REJ_KEY, "no key %s, or it is null or not a scalar",
		                     s->def.key);
	}
	int64_t t = INT64_MIN;
	json_t *own, *tv = fs_path_get_any(s->time, r, &own);
	if (tv) {
		const char *why;
		int rc = fs_time_from_json(tv, s->cfg->loop->time_unit, &t, &why);
		json_decref(own);
		if (rc < 0)
			return fs_run_reject(run, FS_REJ_TIME, "%s: %s", s->time->spec, why);
	} else if (!s->def.table) {
		return fs_run_reject(run, FS_REJ_TIME, "no time field \"%s\" (name it with --time-field)",
		                     s->time->spec);
	}
	/* the row's values: its features object, or its other top-level fields */
	const char *p = r->raw;
	size_t n = r->rawlen, vs, ve, pos = 0;
	int whole = !fs_json_find_member(p, n, "features", &vs, &ve) || p[vs] != '{';
	if (!whole) {
		p += vs;
		n = ve - vs;
	}
	size_t mark = s->data.len;
	struct fs_json_member m;
	uint64_t count = 0;
	struct fs_buf vals = {0};
	while (fs_json_next_member(p, n, &pos, &m)) {
		const char *k = p + m.ks + 1;
		size_t kl = m.ke - m.ks - 2;
		if (whole && is_key_or_time(s, k, kl))
			continue;
		put_varint(&vals, name_index(s, k, kl));
		put_varint(&vals, m.ve - m.vs);
		fs_buf_put(&vals, p + m.vs, m.ve - m.vs);
		count++;
	}
	put_varint(&s->data, count);
	fs_buf_put(&s->data, vals.p ? vals.p : "", vals.len);
	fs_buf_free(&vals);

	int created;
	struct fs_hent *e = fs_hmap_upsert(&s->keys, s->text.p, s->text.len,
	                                   fs_hash(s->text.p, s->text.len), &created);
	if (created)
		e->v.u = ++s->nkeys;
	if (s->nrows == s->caprows) {
		s->caprows = s->caprows ? 2 * s->caprows : 4096;
		s->rows = fs_xrealloc(s->rows, s->caprows * sizeof *s->rows);
	}
	if (s->nrows >= UINT32_MAX)
		fs_die(FS_EX_SOFTWARE, "%s: more than %u rows", s->def.path, UINT32_MAX);
	s->rows[s->nrows] = (struct row){.time = t, .key = (uint32_t)(e->v.u - 1),
	                                 .seq = (uint32_t)s->nrows, .off = mark};
	s->nrows++;
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Orders the rows by key, then time, then input order, and sets first[].
 * Keys are numbered densely, so the rows are moved to their key's place in
 * place (one cycle per misplaced row) and only each key's few rows are
 * sorted: no second array of all rows, which a general sort would take. */
static void group_rows(struct side *s)
{
	s->first = fs_xcalloc(s->nkeys + 1, sizeof *s->first);
	for (size_t i = 0; i < s->nrows; i++)
		s->first[s->rows[i].key + 1]++;
	for (uint64_t k = 0; k < s->nkeys; k++)
		s->first[k + 1] += s->first[k];
	uint64_t *next = fs_xmalloc((s->nkeys + 1) * sizeof *next);
	memcpy(next, s->first, (s->nkeys + 1) * sizeof *next);
	for (uint64_t k = 0; k < s->nkeys; k++) {
		while (next[k] < s->first[k + 1]) {
			struct row r = s->rows[next[k]];
			if (r.key == k) {
				next[k]++;
				continue;
			}
			/* swap it to where its key's rows go; the one there comes back */
			struct row *dst = &s->rows[next[r.key]++];
			s->rows[next[k]] = *dst;
			*dst = r;
		}
	}
	free(next);
	for (uint64_t k = 0; k < s->nkeys; k++)
		qsort(s->rows + s->first[k], s->first[k + 1] - s->first[k], sizeof *s->rows, cmp_row);
}

static void free_side(struct side *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nkey; i++)
		fs_path_free(s->key[i]);
	free(s->key);
	for (size_t i = 0; i < s->nnames; i++) {
		free(s->names[i]);
		free(s->qnames[i]);
	}
	free(s->names);
	free(s->qnames);
	free(s->qlen);
	fs_hmap_free(&s->name_idx);
	free(s->rows);
	fs_buf_free(&s->data);
	fs_hmap_free(&s->keys);
	free(s->first);
	fs_path_free(s->time);
	fs_buf_free(&s->text);
	free(s);
}

/* Reads one side through the shared loop. Returns it, or NULL with err. */
static struct side *load_side(const struct fs_join_config *cfg, const struct fs_join_side *def,
                              char *err, size_t errsize, int *status)
{
	struct side *s = fs_xcalloc(1, sizeof *s);
	s->def = *def;
	s->cfg = cfg;
	*status = FS_EX_USAGE;
	if (parse_key(def->key, &s->key, &s->nkey, err, errsize) < 0) {
		free_side(s);
		return NULL;
	}
	const char *why;
	s->time = fs_path_new(cfg->loop->time_field ? cfg->loop->time_field : "ts", &why);
	if (!s->time) {
		snprintf(err, errsize, "--time-field: %s", why);
		free_side(s);
		return NULL;
	}
	/* the side's own run of the loop: its bad lines reported, nothing written */
	struct fs_loop_config lc = {.output = "/dev/null", .errors = cfg->loop->errors,
	                            .errors_append = 1, .max_errors = cfg->loop->max_errors,
	                            .time_unit = cfg->loop->time_unit, .label = def->path};
	struct fs_step step = {.ctx = s, .step = load_step, .raw = 1};
	char *files[] = {(char *)def->path};
	*status = fs_loop_run(&lc, files, 1, &step);
	if (*status != FS_EX_OK) {
		snprintf(err, errsize, "%s: cannot read it whole (status %d)", def->path, *status);
		free_side(s);
		return NULL;
	}
	group_rows(s);
	return s;
}

/* ------------------------------------------------------------ joining */

/* The row of key id k to join at time t, or NULL. */
static const struct row *match(const struct fs_join *j, const struct side *s, uint64_t k, int64_t t)
{
	const struct row *r = s->rows + s->first[k], *end = s->rows + s->first[k + 1];
	if (s->def.table)
		return end > r ? end - 1 : NULL;
	/* the last row with time <= t (< t when strict) */
	size_t lo = 0, hi = (size_t)(end - r);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (j->cfg.strict ? r[mid].time < t : r[mid].time <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct row *hit = &r[lo - 1];
	if (j->cfg.ttl && hit->time < t - j->cfg.ttl)
		return NULL;
	return hit;
}

/* ------------------------------------------------------------ online */

/* A name one of the sides writes. */
static int side_has(const struct fs_join *j, const char *name, size_t n)
{
	for (int i = 0; i < j->nsides; i++)
		if (fs_hmap_find(&j->side[i]->name_idx, name, n, fs_hash(name, n)))
			return 1;
	return 0;
}

/* Writes the oldest held event with its online features. Returns 0, or -1
 * once the store failed (run->end set). */
static int release(struct fs_join *j, struct fs_run *run)
{
	int lookup = fs_hold_oldest(&j->held)->tag;
	struct fs_online_row row = {0};
	if (lookup && fs_online_get_reply(j->cfg.online, &row) < 0) {
		run->end = fs_online_failed(j->cfg.online, NULL);
		return -1;
	}
	if (lookup) {
		if (row.found)
			j->ohits++;
		else
			j->oabsent++;
	}
	struct fs_buf *out = run->out;
	struct fs_emit em;
	fs_hold_pop(&j->held, out, &em);
	size_t n = lookup ? row.n : j->cfg.nfeatures;
	for (size_t i = 0; i < n; i++) {
		const char *name = lookup ? row.name[i] : j->cfg.features[i];
		size_t nl = lookup ? row.nlen[i] : strlen(name);
		if (!j->cfg.features && side_has(j, name, nl)) {
			j->oshadowed++;  /* an --asof or --table side wrote it already */
			continue;
		}
		if (em.members++)
			fs_buf_putc(out, ',');
		fs_json_put_string(out, name, nl);
		fs_buf_putc(out, ':');
		int big;
		if (!lookup || !row.val[i])
			fs_buf_puts(out, "null");
		else if (row.vlen[i] && fs_json_check(row.val[i], row.vlen[i], &big) == 0)
			fs_buf_put(out, row.val[i], row.vlen[i]);
		else  /* not JSON (written by another program): its text */
			fs_json_put_string(out, row.val[i], row.vlen[i]);
	}
	fs_emit_end(&em);
	return 0;
}

/* Holds the event built so far in j->held from start, asks for its key,
 * and writes out the oldest events beyond HOLD. */
static int hold(struct fs_join *j, const struct fs_record *r, struct fs_emit *em, size_t start,
                struct fs_run *run)
{
	int lookup = key_text(j->okey, j->nokey, r, &j->key) == 0;
	fs_hold_push(&j->held, em, start, lookup);
	if (lookup) {
		fs_online_key(&j->rkey, j->cfg.online_prefix, j->key.p, j->key.len);
		if (fs_online_get(j->cfg.online, j->rkey.p, j->rkey.len) < 0) {
			run->end = fs_online_failed(j->cfg.online, NULL);
			return 0;
		}
	} else {
		j->onokey++;
	}
	while (j->held.q.n > HOLD && !run->end)
		release(j, run);
	return 0;
}

void fs_join_idle(void *ctx, struct fs_run *run)
{
	struct fs_join *j = ctx;
	while (j->held.q.n && !run->end)
		release(j, run);
}

void fs_join_finish(void *ctx, struct fs_run *run)
{
	fs_join_idle(ctx, run);
}

uint64_t fs_join_backfilled(const struct fs_join *j)
{
	return j->backfilled;
}

uint64_t fs_join_unanswered(const struct fs_join *j)
{
	return j->held.q.n;
}

int fs_join_backfill(struct fs_join *j, int64_t asof)
{
	struct fs_online *o = j->cfg.online;
	for (int i = 0; i < j->nsides; i++) {
		struct side *s = j->side[i];
		fs_hmap_foreach(&s->keys, it) {
			const struct row *hit = match(j, s, it->v.u - 1, asof);
			if (!hit)
				continue;
			j->backfilled++;
			fs_online_key(&j->rkey, j->cfg.online_prefix, fs_hent_key(it), it->klen);
			fs_online_put_begin(o, j->rkey.p, j->rkey.len, hit->time);
			const unsigned char *p = (const unsigned char *)s->data.p + hit->off;
			uint64_t count = get_varint(&p);
			for (uint64_t c = 0; c < count; c++) {
				uint64_t idx = get_varint(&p), len = get_varint(&p);
				const char *name = s->names[idx];
				int wanted = !j->cfg.features;
				for (size_t f = 0; !wanted && f < j->cfg.nfeatures; f++)
					wanted = strcmp(j->cfg.features[f], name) == 0;
				if (wanted)
					fs_online_put_field(o, name, strlen(name), (const char *)p, len);
				p += len;
			}
			if (fs_online_put_end(o) < 0)
				return -1;
		}
	}
	if (fs_online_flush(o) < 0)
		return -1;
	fs_online_counts(o, &j->written, &j->kept);
	return 0;
}

int fs_join_step(void *ctx, const struct fs_record *r, struct fs_run *run)
{
	struct fs_join *j = ctx;
	json_t *into = json_object_get(r->obj, j->into);
	if (into && !json_is_object(into))
		return fs_run_reject(run, FS_REJ_CONFLICT, "\"%s\" is in the event and is not an object; "
		                     "write elsewhere with --into", j->into);
	for (int i = 0; into && i < j->nsides; i++)
		for (size_t n = 0; n < j->side[i]->nnames; n++)
			if (json_object_get(into, j->side[i]->names[n]))
				return fs_run_reject(run, FS_REJ_CONFLICT, "%s.%s is already in the event; "
				                     "write elsewhere with --into", j->into, j->side[i]->names[n]);
	for (size_t n = 0; into && n < j->cfg.nfeatures; n++)
		if (json_object_get(into, j->cfg.features[n]))
			return fs_run_reject(run, FS_REJ_CONFLICT, "%s.%s is already in the event; "
			                     "write elsewhere with --into", j->into, j->cfg.features[n]);
	/* with --online, the line is built aside and held for its lookup */
	struct fs_buf *b = run->out;
	size_t start = 0;
	if (j->cfg.online) {
		start = fs_hold_begin(&j->held);
		b = &j->held.bytes;
	}
	struct fs_emit em;
	fs_emit_begin(&em, b, r, j->into, into != NULL);
	for (int i = 0; i < j->nsides; i++) {
		struct side *s = j->side[i];
		if (s->nnames > j->nval) {
			j->val = fs_xrealloc(j->val, s->nnames * sizeof *j->val);
			j->vlen = fs_xrealloc(j->vlen, s->nnames * sizeof *j->vlen);
			j->nval = s->nnames;
		}
		memset(j->val, 0, s->nnames * sizeof *j->val);
		const struct row *hit = NULL;
		if (key_text(s->key, s->nkey, r, &j->key) < 0) {
			s->nokey++;
		} else {
			struct fs_hent *e = fs_hmap_find(&s->keys, j->key.p, j->key.len,
			                                 fs_hash(j->key.p, j->key.len));
			hit = e ? match(j, s, e->v.u - 1, r->time) : NULL;
			if (hit)
				s->hits++;
			else
				s->misses++;
		}
		if (hit) {
			const unsigned char *p = (const unsigned char *)s->data.p + hit->off;
			uint64_t count = get_varint(&p);
			for (uint64_t c = 0; c < count; c++) {
				uint64_t idx = get_varint(&p), len = get_varint(&p);
				j->val[idx] = (const char *)p;
				j->vlen[idx] = len;
				p += len;
			}
		}
		for (size_t n = 0; n < s->nnames; n++) {
			fs_emit_key(&em, s->qnames[n], s->qlen[n]);
			if (j->val[n])
				fs_buf_put(b, j->val[n], j->vlen[n]);
			else
				fs_buf_puts(b, "null");
		}
	}
	if (!j->cfg.online) {
		fs_emit_end(&em);
		return 0;
	}
	return hold(j, r, &em, start, run);
}

int fs_join_poll(void *ctx, int hup)
{
	struct fs_join *j = ctx;
	if (!hup)
		return -1;
	for (int i = 0; i < j->nsides; i++) {
		char err[512];
		int status;
		struct side *s = load_side(&j->cfg, &j->side[i]->def, err, sizeof err, &status);
		if (!s) {
			fs_warn("%s (SIGHUP): cannot reload, the old rows stay: %s", j->side[i]->def.path, err);
			continue;
		}
		fs_warn("%s (SIGHUP): reloaded, %llu rows of %llu keys", s->def.path,
		        (unsigned long long)s->nrows, (unsigned long long)s->nkeys);
		s->hits = j->side[i]->hits;
		s->misses = j->side[i]->misses;
		s->nokey = j->side[i]->nokey;
		free_side(j->side[i]);
		j->side[i] = s;
	}
	return -1;
}

void fs_join_report(const struct fs_join *j)
{
	if (j->cfg.online && (j->oabsent || j->onokey))
		fs_warn("%s: %llu events found their key, %llu keys absent from the store, %llu "
		        "events without a key %s; their online features are null",
		        fs_online_name(j->cfg.online), (unsigned long long)j->ohits,
		        (unsigned long long)j->oabsent, (unsigned long long)j->onokey, j->cfg.online_key);
	if (j->oshadowed)
		fs_warn("%s: %llu fields left out because an --asof or --table side has the same "
		        "name; name the store's fields with --features", fs_online_name(j->cfg.online),
		        (unsigned long long)j->oshadowed);
	for (int i = 0; i < j->nsides; i++) {
		const struct side *s = j->side[i];
		if (s->misses || s->nokey)
			fs_warn("%s: %llu events joined, %llu without a %s row, %llu without a key %s; "
			        "their values are null", s->def.path, (unsigned long long)s->hits,
			        (unsigned long long)s->misses, s->def.table ? "matching" : "matching earlier",
			        (unsigned long long)s->nokey, s->def.key);
	}
}

struct fs_join *fs_join_new(const struct fs_join_config *cfg, char *err, size_t errsize,
                            int *status)
{
	struct fs_join *j = fs_xcalloc(1, sizeof *j);
	j->cfg = *cfg;
	j->into = cfg->into ? cfg->into : "features";
	j->side = fs_xcalloc((size_t)cfg->nsides + 1, sizeof *j->side);
	if (cfg->online && cfg->online_key &&
	    parse_key(cfg->online_key, &j->okey, &j->nokey, err, errsize) < 0) {
		*status = FS_EX_USAGE;
		fs_join_free(j);
		return NULL;
	}
	for (int i = 0; i < cfg->nsides; i++) {
		j->side[i] = load_side(&j->cfg, &cfg->sides[i], err, errsize, status);
		if (!j->side[i]) {
			fs_join_free(j);
			return NULL;
		}
		j->nsides++;
		for (size_t f = 0; cfg->online && !cfg->backfill && f < cfg->nfeatures; f++)
			if (fs_hmap_find(&j->side[i]->name_idx, cfg->features[f], strlen(cfg->features[f]),
			                 fs_hash(cfg->features[f], strlen(cfg->features[f])))) {
				snprintf(err, errsize, "%s and the online store both have \"%s\"; join them in "
				         "two stages with --into", cfg->sides[i].path, cfg->features[f]);
				*status = FS_EX_USAGE;
				fs_join_free(j);
				return NULL;
			}
		/* the same name from two sides would be written twice */
		for (int o = 0; o < i; o++)
			for (size_t n = 0; n < j->side[i]->nnames; n++) {
				const char *nm = j->side[i]->names[n];
				if (fs_hmap_find(&j->side[o]->name_idx, nm, strlen(nm), fs_hash(nm, strlen(nm)))) {
					snprintf(err, errsize, "%s and %s both have \"%s\"; join them in two stages "
					         "with --into", cfg->sides[o].path, cfg->sides[i].path, nm);
					*status = FS_EX_USAGE;
					fs_join_free(j);
					return NULL;
				}
			}
	}
	return j;
}

void fs_join_free(struct fs_join *j)
{
	if (!j)
		return;
	for (int i = 0; i < j->nsides; i++)
		free_side(j->side[i]);
	free(j->side);
	for (size_t i = 0; i < j->nokey; i++)
		fs_path_free(j->okey[i]);
	free(j->okey);
	fs_hold_free(&j->held);
	fs_buf_free(&j->rkey);
	free(j->val);
	free(j->vlen);
	fs_buf_free(&j->key);
	free(j);
}
