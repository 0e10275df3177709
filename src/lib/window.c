/* window.c: running aggregates over the events of one key (see window.h).
 *
 * Events of a key are kept in a ring indexed by their absolute number
 * (0, 1, 2, ... per key). Each windowed feature has a cursor `lo`, the
 * absolute number of the oldest event inside its window, and a running
 * aggregate that is updated as events enter at the head and leave at lo.
 * Sums of values and of squares are double-doubles (each square split
 * exactly with fma), so removing a value leaves no residue that depends on
 * the largest value a key ever held; min/max keep a monotonic queue. Every
 * step costs amortised O(1).
 */
#include "window.h"
#include "timefmt.h"
#include "diag.h"
#include "state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const agg_names[FS_AGG_N] = {
	[FS_AGG_COUNT] = "count", [FS_AGG_SUM] = "sum", [FS_AGG_MEAN] = "mean",
	[FS_AGG_MIN] = "min", [FS_AGG_MAX] = "max", [FS_AGG_STDDEV] = "stddev",
	[FS_AGG_VARIANCE] = "variance", [FS_AGG_LAST] = "last", [FS_AGG_LAG] = "lag",
	[FS_AGG_TIME_SINCE_LAST] = "time_since_last", [FS_AGG_EWMA] = "ewma",
	[FS_AGG_COUNT_DISTINCT] = "count_distinct",
};

int fs_agg_parse(const char *name, enum fs_agg *a)
{
	for (int i = 0; i < FS_AGG_N; i++)
		if (strcmp(name, agg_names[i]) == 0) {
			*a = (enum fs_agg)i;
			return 0;
		}
	return -1;
}

const char *fs_agg_name(enum fs_agg a)
{
	return agg_names[a];
}

const char *fs_agg_list(void)
{
	return "count, sum, mean, min, max, stddev, variance, last, lag, time_since_last, "
	       "ewma, count_distinct";
}

/* A copy of a text value kept in the ring: length, then the bytes. */
struct text {
	size_t n;
	char p[];
};

union cell {
	int64_t t;              /* the event's time (first cell of each event) */
	double d;               /* numeric slot: NaN when missing */
	struct text *s;         /* text slot: NULL when missing, or ... */
	uint64_t in;            /* ... up to 7 bytes kept in place: bit 0 set,
	                         * bits 1-3 the length, bytes 1-7 the text */
};

/* Text values are mostly short ids; those are kept in the cell itself, the
 * rest in an allocation (whose address has bit 0 clear). */
static void text_put(union cell *c, const char *p, size_t n)
{
	if (n <= 7) {
		uint64_t v = 1 | (uint64_t)n << 1;
		for (size_t i = 0; i < n; i++)
			v |= (uint64_t)(unsigned char)p[i] << (8 * (i + 1));
		c->in = v;
		return;
	}
	c->s = fs_xmalloc(sizeof *c->s + n);
	c->s->n = n;
	memcpy(c->s->p, p, n);
}

/* The text in c: its bytes (in buf for short ones) and length; 0 when none. */
static int text_get(const union cell *c, char buf[8], const char **p, size_t *n)
{
	if (c->in & 1) {
		*n = (c->in >> 1) & 7;
		for (size_t i = 0; i < *n; i++)
			buf[i] = (char)(c->in >> (8 * (i + 1)));
		*p = buf;
		return 1;
	}
	if (!c->s)
		return 0;
	*p = c->s->p;
	*n = c->s->n;
	return 1;
}

static void text_drop(union cell *c)
{
	if (!(c->in & 1))
		free(c->s);
	c->s = NULL;
}

/* Absolute event numbers of a min/max candidate queue. */
struct deque {
	uint64_t *v;
	uint32_t cap, head, len;
};

/* One feature's running aggregate; what it keeps depends on its kind, and
 * the kinds share the space so that a key's state spans few cache lines. */
struct agg {
	uint64_t lo;            /* oldest event in the window (absolute number) */
	uint64_t n;             /* values in the window */
	union {
		struct {
			double s, c;    /* sum of values as s + c */
			double q, qc;   /* sum of squares as q + qc (variance, stddev) */
		} m;
		struct {
			double mean, w; /* weighted mean and total weight */
			int64_t t;      /* time of the last value */
		} ew;
		struct {
			double v;       /* whole history: the value */
			uint64_t i;     /* windowed: 1 + number of the newest event with a value */
		} last;
		double ext;         /* min/max over the whole history */
		struct deque dq;    /* min/max over a window */
		struct fs_hmap dist;  /* count_distinct: value -> events in window */
		struct {
			struct bshare *share;  /* the family's partials (its first feature) */
			struct bextra *x;      /* min/max, last, count_distinct */
		} bk;                   /* a bucketed window, allocated at first use */
	} u;
};

struct bshare;
struct bextra;
static void bshare_free(struct bshare *s);
static void bextra_free(struct bextra *x);

struct fs_wkey {
	int64_t last_t;
	uint64_t nev;           /* events seen */
	uint64_t base;          /* oldest event kept in the ring */
	uint32_t cap;           /* ring capacity, a power of two */
	union cell *ring;       /* per event: its time, then nslots cells */
	struct agg a[];
};

struct fs_wkey *fs_wkey_new(const struct fs_wspec *ws)
{
	struct fs_wkey *k = fs_xcalloc(1, sizeof *k + ws->nfeat * sizeof(struct agg));
	k->last_t = INT64_MIN;
	return k;
}

static union cell *event(const struct fs_wspec *ws, const struct fs_wkey *k, uint64_t i)
{
	return &k->ring[(i & (k->cap - 1)) * (ws->nslots + 1)];
}

static int64_t time_of(const struct fs_wspec *ws, const struct fs_wkey *k, uint64_t i)
{
	return event(ws, k, i)->t;
}

static union cell *cell(const struct fs_wspec *ws, const struct fs_wkey *k, uint64_t i, int slot)
{
	return event(ws, k, i) + 1 + slot;
}

static void drop_cells(const struct fs_wspec *ws, struct fs_wkey *k, uint64_t i)
{
	for (size_t s = 0; s < ws->nslots; s++)
		if (ws->slot_text[s])
			text_drop(cell(ws, k, i, (int)s));
}

void fs_wkey_free(const struct fs_wspec *ws, struct fs_wkey *k)
{
	if (!k)
		return;
	for (uint64_t i = k->base; k->ring && i < k->nev; i++)
		drop_cells(ws, k, i);
	for (size_t f = 0; f < ws->nfeat; f++) {
		const struct fs_wfeat *ft = &ws->feat[f];
		if (ft->bucket) {
			bshare_free(k->a[f].u.bk.share);
			bextra_free(k->a[f].u.bk.x);
		}
		else if (ft->agg == FS_AGG_COUNT_DISTINCT)
			fs_hmap_free(&k->a[f].u.dist);
		else if ((ft->agg == FS_AGG_MIN || ft->agg == FS_AGG_MAX) && ft->window)
			free(k->a[f].u.dq.v);
	}
	free(k->ring);
	free(k);
}

int64_t fs_wkey_last_time(const struct fs_wkey *k)
{
	return k->last_t;
}

/* ------------------------------------------------------------- the ring */

/* A windowed aggregate: events enter and leave it. */
static int slides(const struct fs_wfeat *f)
{
	return f->window && !f->bucket && f->agg != FS_AGG_LAG &&
	       f->agg != FS_AGG_TIME_SINCE_LAST && f->agg != FS_AGG_EWMA;
}

static int needs_ring(const struct fs_wfeat *f)
{
	return slides(f) || f->agg == FS_AGG_LAG;
}

static void ring_push(const struct fs_wspec *ws, struct fs_wkey *k, int64_t t,
                      const struct fs_wval *vals)
{
	uint64_t len = k->nev - k->base;
	if (len == k->cap) {
		uint32_t cap = k->cap ? k->cap * 2 : 4;
		size_t stride = ws->nslots + 1;
		union cell *nr = fs_xmalloc(cap * stride * sizeof *nr);
		for (uint64_t i = k->base; i < k->nev; i++)
			memcpy(&nr[(i & (cap - 1)) * stride], event(ws, k, i), stride * sizeof *nr);
		free(k->ring);
		k->ring = nr;
		k->cap = cap;
	}
	uint64_t i = k->nev;
	event(ws, k, i)->t = t;
	for (size_t s = 0; s < ws->nslots; s++) {
		union cell *c = cell(ws, k, i, (int)s);
		if (ws->slot_text[s]) {
			c->s = NULL;
			if (vals[s].present)
				text_put(c, vals[s].s, vals[s].n);
		} else {
			c->d = vals[s].present ? vals[s].d : NAN;
		}
	}
}

/* Frees ring events no feature can reach any more. */
static void ring_trim(const struct fs_wspec *ws, struct fs_wkey *k)
{
	uint64_t keep = k->nev;
	for (size_t f = 0; f < ws->nfeat; f++) {
		const struct fs_wfeat *ft = &ws->feat[f];
		if (!needs_ring(ft))
			continue;
		uint64_t from = k->a[f].lo;
		if (ft->agg == FS_AGG_LAG)
			from = k->nev >= (uint64_t)ft->lag ? k->nev - (uint64_t)ft->lag : 0;
		if (from < keep)
			keep = from;
	}
	while (k->base < keep)
		drop_cells(ws, k, k->base++);
}

/* ------------------------------------------------------------- deques */

static void dq_push(struct deque *q, uint64_t x)
{
	if (q->len == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 4;
		uint64_t *v = fs_xmalloc(cap * sizeof *v);
		for (uint32_t i = 0; i < q->len; i++)
			v[i] = q->v[(q->head + i) & (q->cap - 1)];
		free(q->v);
		q->v = v;
		q->cap = cap;
		q->head = 0;
	}
	q->v[(q->head + q->len++) & (q->cap - 1)] = x;
}

static uint64_t dq_front(const struct deque *q)
{
	return q->v[q->head];
}

static uint64_t dq_back(const struct deque *q)
{
	return q->v[(q->head + q->len - 1) & (q->cap - 1)];
}

static void dq_pop_front(struct deque *q)
{
	q->head = (q->head + 1) & (q->cap - 1);
	q->len--;
}

/* ------------------------------------------------------------- aggregates */

/* Adds x to the double-double *hi + *lo: two-sum keeps the exact rounding
 * error of every addition (Neumaier's form), so adding and later removing
 * the same values returns the sum to what it was, up to 2^-106 relative. */
static void dd_add(double *hi, double *lo, double x)
{
	double t = *hi + x;
	if (fabs(*hi) >= fabs(x))
		*lo += (*hi - t) + x;
	else
		*lo += (x - t) + *hi;
	*hi = t;
}

/* Adds sign * x to the sums of values and of squares. */
static void moments_add(struct agg *a, double x, double sign)
{
	double p = x * x, pe = fma(x, x, -p);  /* x^2 = p + pe exactly */
	dd_add(&a->u.m.s, &a->u.m.c, sign * x);
	dd_add(&a->u.m.q, &a->u.m.qc, sign * p);
	a->u.m.qc += sign * pe;
}

/* Sample variance (sum of squares - sum^2 / n) / (n - 1) from double-double
 * sums, evaluated in double-double so that the subtraction cancels exactly. */
static double variance_of(uint64_t count, double sh, double sc, double q, double qc)
{
	double n = (double)count;
	double s = sh + sc, sl = sc - (s - sh);                   /* normalise the sum */
	double p = s * s, pl = fma(s, s, -p) + 2 * s * sl;        /* sum^2 */
	double t = p / n, tl = (fma(-t, n, p) + pl) / n;          /* sum^2 / n */
	double u = q - t, ul = ((q - u) - t) + qc - tl;           /* squares - sum^2 / n */
	double v = (u + ul) / (n - 1);
	return v > 0 ? v : 0.0;
}

static double variance(const struct agg *a)
{
	return variance_of(a->n, a->u.m.s, a->u.m.c, a->u.m.q, a->u.m.qc);
}

static void value_add(const struct fs_wspec *ws, struct fs_wkey *k, size_t f, uint64_t i,
                      const struct fs_wval *vals)
{
	const struct fs_wfeat *ft = &ws->feat[f];
	struct agg *a = &k->a[f];
	if (ft->slot < 0) {
		a->n++;  /* count of events */
		return;
	}
	const struct fs_wval *v = &vals[ft->slot];
	if (!v->present)
		return;
	double x = v->d;
	int created;
	switch (ft->agg) {
	case FS_AGG_COUNT:
		a->n++;
		break;
	case FS_AGG_SUM:
	case FS_AGG_MEAN:
		dd_add(&a->u.m.s, &a->u.m.c, x);
		a->n++;
		break;
	case FS_AGG_STDDEV:
	case FS_AGG_VARIANCE:
		moments_add(a, x, 1.0);
		a->n++;
		break;
	case FS_AGG_MIN:
	case FS_AGG_MAX:
		if (!ft->window) {
			if (!a->n || (ft->agg == FS_AGG_MIN ? x < a->u.ext : x > a->u.ext))
				a->u.ext = x;
			a->n++;
			break;
		}
		/* Drop candidates the new value beats for the rest of their life. */
		while (a->u.dq.len) {
			double b = cell(ws, k, dq_back(&a->u.dq), ft->slot)->d;
			if (ft->agg == FS_AGG_MIN ? b < x : b > x)
				break;
			a->u.dq.len--;
		}
		dq_push(&a->u.dq, i);
		a->n++;
		break;
	case FS_AGG_LAST:
		a->u.last.v = x;
		a->u.last.i = i + 1;
		a->n++;
		break;
	case FS_AGG_COUNT_DISTINCT: {
		struct fs_hent *e = fs_hmap_upsert(&a->u.dist, v->s, v->n, fs_hash(v->s, v->n), &created);
		e->v.u++;
		break;
	}
	default:
		break;
	}
}

static void value_remove(const struct fs_wspec *ws, struct fs_wkey *k, size_t f, uint64_t i)
{
	const struct fs_wfeat *ft = &ws->feat[f];
	struct agg *a = &k->a[f];
	if (ft->slot < 0) {
		a->n--;
		return;
	}
	union cell *c = cell(ws, k, i, ft->slot);
	if (ws->slot_text[ft->slot]) {
		char buf[8];
		const char *p;
		size_t n;
		if (text_get(c, buf, &p, &n)) {
			struct fs_hent *e = fs_hmap_find(&a->u.dist, p, n, fs_hash(p, n));
			if (--e->v.u == 0)
				fs_hmap_remove(&a->u.dist, e);
		}
		return;
	}
	double x = c->d;
	if (isnan(x))
		return;
	a->n--;
	switch (ft->agg) {
	case FS_AGG_SUM:
	case FS_AGG_MEAN:
		if (a->n == 0)  /* an empty window starts again from an exact zero */
			a->u.m.s = a->u.m.c = 0;
		else
			dd_add(&a->u.m.s, &a->u.m.c, -x);
		break;
	case FS_AGG_STDDEV:
	case FS_AGG_VARIANCE:
		if (a->n == 0)
			a->u.m.s = a->u.m.c = a->u.m.q = a->u.m.qc = 0;
		else
			moments_add(a, x, -1.0);
		break;
	case FS_AGG_MIN:
	case FS_AGG_MAX:
		if (a->u.dq.len && dq_front(&a->u.dq) == i)
			dq_pop_front(&a->u.dq);
		break;
	default:
		break;
	}
}

static double value_of(const struct fs_wspec *ws, const struct fs_wkey *k, size_t f)
{
	const struct fs_wfeat *ft = &ws->feat[f];
	const struct agg *a = &k->a[f];
	double var;
	switch (ft->agg) {
	case FS_AGG_COUNT:
		return (double)a->n;
	case FS_AGG_SUM:
		return a->n ? a->u.m.s + a->u.m.c : 0.0;
	case FS_AGG_MEAN:
		return a->n ? (a->u.m.s + a->u.m.c) / (double)a->n : NAN;
	case FS_AGG_MIN:
	case FS_AGG_MAX:
		if (!ft->window)
			return a->n ? a->u.ext : NAN;
		return a->u.dq.len ? cell(ws, k, dq_front(&a->u.dq), ft->slot)->d : NAN;
	case FS_AGG_STDDEV:
	case FS_AGG_VARIANCE:
		if (a->n < 2)
			return NAN;
		var = variance(a);
		return ft->agg == FS_AGG_VARIANCE ? var : sqrt(var);
	case FS_AGG_LAST:
		if (!ft->window)
			return a->n ? a->u.last.v : NAN;
		return a->u.last.i > a->lo ? cell(ws, k, a->u.last.i - 1, ft->slot)->d : NAN;
	case FS_AGG_EWMA:
		return a->n ? a->u.ew.mean : NAN;
	case FS_AGG_COUNT_DISTINCT:
		return (double)a->u.dist.n;
	default:
		return NAN;
	}
}

/* ------------------------------------------------------- bucketed windows */

/* A deque of fixed-size elements, for the three queues of a bucketed window. */
struct fring {
	unsigned char *v;
	uint32_t cap, head, len;
};

static void *fring_at(const struct fring *r, size_t esz, uint32_t i)
{
	return r->v + ((r->head + i) & (r->cap - 1)) * esz;
}

static void *fring_push(struct fring *r, size_t esz)
{
	if (r->len == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 1;  /* most keys hold few buckets */
		unsigned char *v = fs_xmalloc(cap * esz);
		for (uint32_t i = 0; i < r->len; i++)
			memcpy(v + i * esz, fring_at(r, esz, i), esz);
		free(r->v);
		r->v = v;
		r->cap = cap;
		r->head = 0;
	}
	return fring_at(r, esz, r->len++);
}

static void fring_pop_front(struct fring *r)
{
	r->head = (r->head + 1) & (r->cap - 1);
	r->len--;
}

/* Bucketed features with the same bucket and window form a family: per key
 * it keeps one partial per non-empty bucket (its events, and the moments of
 * every value slot the family reads), owned by the family's first feature.
 * Features that need more than moments (min/max, last, count_distinct) keep
 * an extra of their own. Families are read off the spec, which is small. */

struct bsum {
	uint64_t n;
	double s, c, q, qc;     /* sum and sum of squares, double-double */
};

struct bpart {
	int64_t bucket;
	uint64_t events;
	struct bsum v[];        /* one per family slot */
};

struct bshare {
	uint64_t events;        /* totals over the live buckets */
	uint32_t ns;
	struct fring parts;     /* struct bpart + ns bsum, oldest bucket first */
	struct bsum tot[];
};

/* A min/max candidate: a bucket and its best value so far. */
struct bext {
	int64_t bucket;
	double v;
};

/* count_distinct: a value's latest bucket, queued when it changes. */
struct bseen {
	int64_t bucket;
	union cell v;
};

struct bextra {
	struct fring ext;       /* struct bext, monotonic (min/max) */
	struct fs_hmap seen;    /* count_distinct: value -> latest bucket */
	struct fring queue;     /* struct bseen, oldest first */
	int has_last;
	int64_t last_bucket;
	double last;
};

static int same_family(const struct fs_wfeat *a, const struct fs_wfeat *b)
{
	return a->bucket && a->bucket == b->bucket && a->window == b->window;
}

/* The first feature of f's family, which owns its partials. */
static size_t fam_owner(const struct fs_wspec *ws, size_t f)
{
	size_t g = 0;
	while (!same_family(&ws->feat[g], &ws->feat[f]))
		g++;
	return g;
}

/* The value slots whose moments f's family keeps, in order; returns how many. */
static uint32_t fam_slots(const struct fs_wspec *ws, size_t owner, int *slots)
{
	uint32_t n = 0;
	for (size_t g = owner; g < ws->nfeat; g++) {
		const struct fs_wfeat *ft = &ws->feat[g];
		if (!same_family(ft, &ws->feat[owner]) || ft->slot < 0 || ws->slot_text[ft->slot])
			continue;
		uint32_t i = 0;
		while (i < n && slots[i] != ft->slot)
			i++;
		if (i == n)
			slots[n++] = ft->slot;
	}
	return n;
}

static int needs_extra(enum fs_agg a)
{
	return a == FS_AGG_MIN || a == FS_AGG_MAX || a == FS_AGG_LAST || a == FS_AGG_COUNT_DISTINCT;
}

static size_t bpart_size(uint32_t ns)
{
	return sizeof(struct bpart) + ns * sizeof(struct bsum);
}

static struct bshare *bshare_new(uint32_t ns)
{
	struct bshare *s = fs_xcalloc(1, sizeof *s + ns * sizeof(struct bsum));
	s->ns = ns;
	return s;
}

static void bshare_free(struct bshare *s)
{
	if (!s)
		return;
	free(s->parts.v);
	free(s);
}

static void bextra_free(struct bextra *x)
{
	if (!x)
		return;
	for (uint32_t i = 0; i < x->queue.len; i++)
		text_drop(&((struct bseen *)fring_at(&x->queue, sizeof(struct bseen), i))->v);
	free(x->ext.v);
	free(x->queue.v);
	fs_hmap_free(&x->seen);
	free(x);
}

static void bsum_add(struct bsum *m, double x, double sign)
{
	double p = x * x, pe = fma(x, x, -p);  /* x^2 = p + pe exactly */
	dd_add(&m->s, &m->c, sign * x);
	dd_add(&m->q, &m->qc, sign * p);
	m->qc += sign * pe;
}

/* Buckets before lo leave the family's totals. */
static void bshare_expire(struct bshare *s, int64_t lo)
{
	size_t esz = bpart_size(s->ns);
	while (s->parts.len) {
		struct bpart *p = fring_at(&s->parts, esz, 0);
		if (p->bucket >= lo)
			break;
		s->events -= p->events;
		for (uint32_t i = 0; i < s->ns; i++) {
			struct bsum *t = &s->tot[i], *v = &p->v[i];
			t->n -= v->n;
			dd_add(&t->s, &t->c, -v->s);
			t->c -= v->c;
			dd_add(&t->q, &t->qc, -v->q);
			t->qc -= v->qc;
		}
		fring_pop_front(&s->parts);
	}
	if (!s->parts.len) {  /* empty: an exact zero again */
		s->events = 0;
		memset(s->tot, 0, s->ns * sizeof *s->tot);
	}
}

static void bshare_add(struct bshare *s, const int *slots, int64_t K, const struct fs_wval *vals)
{
	size_t esz = bpart_size(s->ns);
	struct bpart *p = s->parts.len ? fring_at(&s->parts, esz, s->parts.len - 1) : NULL;
	if (!p || p->bucket != K) {
		p = fring_push(&s->parts, esz);
		memset(p, 0, esz);
		p->bucket = K;
	}
	p->events++;
	s->events++;
	for (uint32_t i = 0; i < s->ns; i++) {
		const struct fs_wval *v = &vals[slots[i]];
		if (!v->present)
			continue;
		p->v[i].n++;
		s->tot[i].n++;
		bsum_add(&p->v[i], v->d, 1.0);
		bsum_add(&s->tot[i], v->d, 1.0);
	}
}

static void bextra_expire(struct bextra *x, int64_t lo)
{
	while (x->ext.len && ((struct bext *)fring_at(&x->ext, sizeof(struct bext), 0))->bucket < lo)
		fring_pop_front(&x->ext);
	while (x->queue.len) {
		struct bseen *q = fring_at(&x->queue, sizeof *q, 0);
		if (q->bucket >= lo)
			break;
		char buf[8];
		const char *p = "";
		size_t n = 0;
		text_get(&q->v, buf, &p, &n);  /* queued values are always present */
		struct fs_hent *e = fs_hmap_find(&x->seen, p, n, fs_hash(p, n));
		if (e && (int64_t)e->v.u == q->bucket)
			fs_hmap_remove(&x->seen, e);  /* not seen since: it leaves the window */
		text_drop(&q->v);
		fring_pop_front(&x->queue);
	}
	if (x->has_last && x->last_bucket < lo)
		x->has_last = 0;
}

static void bextra_add(const struct fs_wfeat *ft, struct bextra *x, int64_t K,
                       const struct fs_wval *v)
{
	if (!v->present)
		return;
	if (ft->agg == FS_AGG_COUNT_DISTINCT) {
		int created;
		struct fs_hent *e = fs_hmap_upsert(&x->seen, v->s, v->n, fs_hash(v->s, v->n), &created);
		if (created || (int64_t)e->v.u != K) {
			e->v.u = (uint64_t)K;
			struct bseen *q = fring_push(&x->queue, sizeof *q);
			q->bucket = K;
			text_put(&q->v, v->s, v->n);
		}
		return;
	}
	if (ft->agg == FS_AGG_MIN || ft->agg == FS_AGG_MAX) {
		int mn = ft->agg == FS_AGG_MIN;
		while (x->ext.len) {
			struct bext *b = fring_at(&x->ext, sizeof *b, x->ext.len - 1);
			if (mn ? b->v < v->d : b->v > v->d)
				break;
			x->ext.len--;
		}
		struct bext *b = x->ext.len ? fring_at(&x->ext, sizeof *b, x->ext.len - 1) : NULL;
		if (!b || b->bucket != K) {  /* a worse value of the same bucket never leads */
			b = fring_push(&x->ext, sizeof *b);
			b->bucket = K;
			b->v = v->d;
		}
	}
	x->has_last = 1;
	x->last_bucket = K;
	x->last = v->d;
}

static double bucketed_value(const struct fs_wspec *ws, const struct fs_wkey *k, size_t f)
{
	const struct fs_wfeat *ft = &ws->feat[f];
	const struct bextra *x = k->a[f].u.bk.x;
	switch (ft->agg) {
	case FS_AGG_MIN:
	case FS_AGG_MAX:
		return x->ext.len ? ((struct bext *)fring_at(&x->ext, sizeof(struct bext), 0))->v : NAN;
	case FS_AGG_LAST: return x->has_last ? x->last : NAN;
	case FS_AGG_COUNT_DISTINCT: return (double)x->seen.n;
	default: break;
	}
	size_t owner = fam_owner(ws, f);
	const struct bshare *s = k->a[owner].u.bk.share;
	if (ft->slot < 0)
		return (double)s->events;  /* count of events */
	int slots[ws->nslots + 1];  /* a family reads at most every slot */
	uint32_t ns = fam_slots(ws, owner, slots), i = 0;
	while (i < ns && slots[i] != ft->slot)
		i++;
	const struct bsum *t = &s->tot[i];
	switch (ft->agg) {
	case FS_AGG_COUNT: return (double)t->n;
	case FS_AGG_SUM: return t->n ? t->s + t->c : 0.0;
	case FS_AGG_MEAN: return t->n ? (t->s + t->c) / (double)t->n : NAN;
	case FS_AGG_VARIANCE:
	case FS_AGG_STDDEV: {
		if (t->n < 2)
			return NAN;
		double var = variance_of(t->n, t->s, t->c, t->q, t->qc);
		return ft->agg == FS_AGG_VARIANCE ? var : sqrt(var);
	}
	default: return NAN;
	}
}

/* Before the event: buckets leave, and the family's partials and the
 * feature's extra exist. */
static void bucketed_expire(const struct fs_wspec *ws, struct fs_wkey *k, size_t f, int64_t t)
{
	const struct fs_wfeat *ft = &ws->feat[f];
	struct agg *a = &k->a[f];
	int64_t lo = fs_time_period(t, ft->bucket) - ft->window / ft->bucket + 1;
	if (fam_owner(ws, f) == f) {
		if (!a->u.bk.share) {
			int slots[ws->nslots + 1];  /* a family reads at most every slot */
			a->u.bk.share = bshare_new(fam_slots(ws, f, slots));
		}
		bshare_expire(a->u.bk.share, lo);
	}
	if (needs_extra(ft->agg)) {
		if (!a->u.bk.x)
			a->u.bk.x = fs_xcalloc(1, sizeof *a->u.bk.x);
		bextra_expire(a->u.bk.x, lo);
	}
}

static void bucketed_add(const struct fs_wspec *ws, struct fs_wkey *k, size_t f, int64_t t,
                         const struct fs_wval *vals)
{
	const struct fs_wfeat *ft = &ws->feat[f];
	int64_t K = fs_time_period(t, ft->bucket);
	if (fam_owner(ws, f) == f) {
		int slots[ws->nslots + 1];  /* a family reads at most every slot */
		fam_slots(ws, f, slots);
		bshare_add(k->a[f].u.bk.share, slots, K, vals);
	}
	if (needs_extra(ft->agg))
		bextra_add(ft, k->a[f].u.bk.x, K, &vals[ft->slot]);
}

/* Values that look at the events before this one: lag and time since last. */
static double previous_value(const struct fs_wspec *ws, const struct fs_wkey *k, size_t f,
                             int64_t t)
{
	const struct fs_wfeat *ft = &ws->feat[f];
	if (ft->agg == FS_AGG_TIME_SINCE_LAST) {
		if (!k->nev || (ft->window && k->last_t <= t - ft->window))
			return NAN;
		return (double)(t - k->last_t) / 1e9;
	}
	if (k->nev < (uint64_t)ft->lag)
		return NAN;
	uint64_t i = k->nev - (uint64_t)ft->lag;
	if (ft->window && time_of(ws, k, i) <= t - ft->window)
		return NAN;
	return cell(ws, k, i, ft->slot)->d;
}

static void ewma_add(const struct fs_wfeat *ft, struct agg *a, int64_t t, const struct fs_wval *v)
{
	if (!v->present)
		return;
	if (!a->n) {
		a->u.ew.mean = v->d;
		a->u.ew.w = 1.0;
	} else {
		/* weights halve every halflife: w_i = 0.5^((t - t_i) / halflife) */
		a->u.ew.w *= exp2(-(double)(t - a->u.ew.t) / (double)ft->halflife);
		a->u.ew.mean = (a->u.ew.w * a->u.ew.mean + v->d) / (a->u.ew.w + 1.0);
		a->u.ew.w += 1.0;
	}
	a->u.ew.t = t;
	a->n++;
}

void fs_wkey_step(const struct fs_wspec *ws, struct fs_wkey *k, int64_t t,
                  const struct fs_wval *vals, double *out)
{
	if (t < k->last_t)
		t = k->last_t;
	int ring = 0;
	for (size_t f = 0; f < ws->nfeat; f++) {
		const struct fs_wfeat *ft = &ws->feat[f];
		ring |= needs_ring(ft);
		/* Evict what leaves the window (t - w, t]. */
		if (slides(ft)) {
			struct agg *a = &k->a[f];
			int64_t edge = t - ft->window;
			while (a->lo < k->nev && time_of(ws, k, a->lo) <= edge)
				value_remove(ws, k, f, a->lo++);
		}
		if (ft->bucket) {
			bucketed_expire(ws, k, f, t);
			if (!ft->include_current)
				out[f] = bucketed_value(ws, k, f);
		} else if (ft->agg == FS_AGG_LAG || ft->agg == FS_AGG_TIME_SINCE_LAST)
			out[f] = previous_value(ws, k, f, t);
		else if (!ft->include_current)
			out[f] = value_of(ws, k, f);
	}
	uint64_t i = k->nev;
	if (ring)
		ring_push(ws, k, t, vals);
	for (size_t f = 0; f < ws->nfeat; f++) {
		const struct fs_wfeat *ft = &ws->feat[f];
		if (ft->bucket)
			bucketed_add(ws, k, f, t, vals);
		else if (ft->agg == FS_AGG_EWMA)
			ewma_add(ft, &k->a[f], t, &vals[ft->slot]);
		else if (ft->agg != FS_AGG_LAG && ft->agg != FS_AGG_TIME_SINCE_LAST)
			value_add(ws, k, f, i, vals);
	}
	k->nev++;
	k->last_t = t;
	for (size_t f = 0; f < ws->nfeat; f++) {
		const struct fs_wfeat *ft = &ws->feat[f];
		if (ft->include_current && ft->bucket)
			out[f] = bucketed_value(ws, k, f);
		else if (ft->include_current && ft->agg != FS_AGG_LAG && ft->agg != FS_AGG_TIME_SINCE_LAST)
			out[f] = value_of(ws, k, f);
	}
	if (ring)
		ring_trim(ws, k);
}

/* ------------------------------------------------------------- state files */

static void put_bsum(struct fs_buf *b, const struct bsum *m)
{
	fs_put_u64(b, m->n);
	fs_put_f64(b, m->s);
	fs_put_f64(b, m->c);
	fs_put_f64(b, m->q);
	fs_put_f64(b, m->qc);
}

static void get_bsum(struct fs_rd *r, struct bsum *m)
{
	m->n = fs_get_u64(r);
	m->s = fs_get_f64(r);
	m->c = fs_get_f64(r);
	m->q = fs_get_f64(r);
	m->qc = fs_get_f64(r);
}

static void bucketed_save(const struct agg *a, struct fs_buf *b)
{
	const struct bshare *s = a->u.bk.share;
	const struct bextra *x = a->u.bk.x;
	fs_put_u64(b, s != NULL);
	if (s) {
		fs_put_u64(b, s->ns);
		fs_put_u64(b, s->events);
		for (uint32_t i = 0; i < s->ns; i++)
			put_bsum(b, &s->tot[i]);
		fs_put_u64(b, s->parts.len);
		for (uint32_t j = 0; j < s->parts.len; j++) {
			const struct bpart *p = fring_at(&s->parts, bpart_size(s->ns), j);
			fs_put_i64(b, p->bucket);
			fs_put_u64(b, p->events);
			for (uint32_t i = 0; i < s->ns; i++)
				put_bsum(b, &p->v[i]);
		}
	}
	fs_put_u64(b, x != NULL);
	if (!x)
		return;
	fs_put_u64(b, x->ext.len);
	for (uint32_t i = 0; i < x->ext.len; i++) {
		const struct bext *e = fring_at(&x->ext, sizeof *e, i);
		fs_put_i64(b, e->bucket);
		fs_put_f64(b, e->v);
	}
	fs_put_u64(b, x->seen.n);
	fs_hmap_foreach(&x->seen, it) {
		fs_put_bytes(b, fs_hent_key(it), it->klen);
		fs_put_u64(b, it->v.u);
	}
	fs_put_u64(b, x->queue.len);
	for (uint32_t i = 0; i < x->queue.len; i++) {
		const struct bseen *q = fring_at(&x->queue, sizeof *q, i);
		char buf[8];
		const char *p = "";
		size_t n = 0;
		text_get(&q->v, buf, &p, &n);
		fs_put_i64(b, q->bucket);
		fs_put_bytes(b, p, n);
	}
	fs_put_u64(b, (uint64_t)x->has_last);
	fs_put_i64(b, x->last_bucket);
	fs_put_f64(b, x->last);
}

/* ns: the slots f's family keeps, so that a state of another shape fails. */
static void bucketed_load(struct agg *a, uint32_t ns, struct fs_rd *r)
{
	if (fs_get_u64(r)) {
		if (fs_get_u64(r) != ns) {
			r->ok = 0;
			return;
		}
		struct bshare *s = a->u.bk.share = bshare_new(ns);
		s->events = fs_get_u64(r);
		for (uint32_t i = 0; i < ns; i++)
			get_bsum(r, &s->tot[i]);
		for (uint64_t j = 0, n = fs_get_u64(r); j < n && r->ok; j++) {
			struct bpart *p = fring_push(&s->parts, bpart_size(ns));
			p->bucket = fs_get_i64(r);
			p->events = fs_get_u64(r);
			for (uint32_t i = 0; i < ns; i++)
				get_bsum(r, &p->v[i]);
		}
	}
	if (!r->ok || !fs_get_u64(r))
		return;
	struct bextra *x = a->u.bk.x = fs_xcalloc(1, sizeof *x);
	for (uint64_t i = 0, n = fs_get_u64(r); i < n && r->ok; i++) {
		struct bext *e = fring_push(&x->ext, sizeof *e);
		e->bucket = fs_get_i64(r);
		e->v = fs_get_f64(r);
	}
	for (uint64_t i = 0, n = fs_get_u64(r); i < n && r->ok; i++) {
		size_t len;
		int created;
		const char *p = fs_get_bytes(r, &len);
		uint64_t v = fs_get_u64(r);
		if (r->ok)
			fs_hmap_upsert(&x->seen, p, len, fs_hash(p, len), &created)->v.u = v;
	}
	for (uint64_t i = 0, n = fs_get_u64(r); i < n && r->ok; i++) {
		int64_t bucket = fs_get_i64(r);
		size_t len;
		const char *p = fs_get_bytes(r, &len);
		if (!r->ok)
			break;
		struct bseen *q = fring_push(&x->queue, sizeof *q);
		q->bucket = bucket;
		text_put(&q->v, p, len);
	}
	x->has_last = (int)fs_get_u64(r);
	x->last_bucket = fs_get_i64(r);
	x->last = fs_get_f64(r);
}

uint64_t fs_wkey_events(const struct fs_wkey *k)
{
	return k->ring ? k->nev - k->base : 0;
}

void fs_wkey_save(const struct fs_wspec *ws, const struct fs_wkey *k, struct fs_buf *b)
{
	fs_put_i64(b, k->last_t);
	fs_put_u64(b, k->nev);
	fs_put_u64(b, k->base);
	fs_put_u64(b, fs_wkey_events(k));
	for (uint64_t i = k->base; k->ring && i < k->nev; i++) {
		fs_put_i64(b, time_of(ws, k, i));
		for (size_t s = 0; s < ws->nslots; s++) {
			const union cell *c = cell(ws, k, i, (int)s);
			if (!ws->slot_text[s]) {
				fs_put_f64(b, c->d);
				continue;
			}
			char buf[8];
			const char *p;
			size_t n;
			int present = text_get(c, buf, &p, &n);
			fs_put_u64(b, (uint64_t)present);
			if (present)
				fs_put_bytes(b, p, n);
		}
	}
	for (size_t f = 0; f < ws->nfeat; f++) {
		const struct fs_wfeat *ft = &ws->feat[f];
		const struct agg *a = &k->a[f];
		fs_put_u64(b, a->lo);
		fs_put_u64(b, a->n);
		if (ft->bucket) {
			bucketed_save(a, b);
			continue;
		}
		switch (ft->agg) {
		case FS_AGG_SUM: case FS_AGG_MEAN: case FS_AGG_STDDEV: case FS_AGG_VARIANCE:
			fs_put_f64(b, a->u.m.s);
			fs_put_f64(b, a->u.m.c);
			fs_put_f64(b, a->u.m.q);
			fs_put_f64(b, a->u.m.qc);
			break;
		case FS_AGG_EWMA:
			fs_put_f64(b, a->u.ew.mean);
			fs_put_f64(b, a->u.ew.w);
			fs_put_i64(b, a->u.ew.t);
			break;
		case FS_AGG_LAST:
			fs_put_f64(b, a->u.last.v);
			fs_put_u64(b, a->u.last.i);
			break;
		case FS_AGG_MIN: case FS_AGG_MAX:
			if (!ft->window) {
				fs_put_f64(b, a->u.ext);
				break;
			}
			fs_put_u64(b, a->u.dq.len);
			for (uint32_t i = 0; i < a->u.dq.len; i++)
				fs_put_u64(b, a->u.dq.v[(a->u.dq.head + i) & (a->u.dq.cap - 1)]);
			break;
		case FS_AGG_COUNT_DISTINCT:
			fs_put_u64(b, a->u.dist.n);
			fs_hmap_foreach(&a->u.dist, it) {
				fs_put_bytes(b, fs_hent_key(it), it->klen);
				fs_put_u64(b, it->v.u);
			}
			break;
		default:
			break;
		}
	}
}

struct fs_wkey *fs_wkey_load(const struct fs_wspec *ws, struct fs_rd *r)
{
	struct fs_wkey *k = fs_wkey_new(ws);
	k->last_t = fs_get_i64(r);
	k->nev = fs_get_u64(r);
	k->base = fs_get_u64(r);
	uint64_t kept = fs_get_u64(r);
	int ring = 0;
	for (size_t f = 0; f < ws->nfeat; f++)
		ring |= needs_ring(&ws->feat[f]);
	if (!r->ok || k->base > k->nev || (kept && (!ring || kept != k->nev - k->base)) ||
	    kept > (uint64_t)1 << 31) {
		r->ok = 0;
		k->nev = k->base;
		fs_wkey_free(ws, k);
		return NULL;
	}
	if (kept) {
		uint32_t cap = 4;
		while (cap < kept)
			cap *= 2;
		k->cap = cap;
		k->ring = fs_xcalloc((size_t)cap * (ws->nslots + 1), sizeof *k->ring);
	}
	for (uint64_t i = k->base; kept && i < k->nev && r->ok; i++) {
		event(ws, k, i)->t = fs_get_i64(r);
		for (size_t s = 0; s < ws->nslots; s++) {
			union cell *c = cell(ws, k, i, (int)s);
			if (!ws->slot_text[s]) {
				c->d = fs_get_f64(r);
				continue;
			}
			c->s = NULL;
			if (fs_get_u64(r)) {
				size_t n;
				const char *p = fs_get_bytes(r, &n);
				if (r->ok)
					text_put(c, p, n);
			}
		}
	}
	for (size_t f = 0; f < ws->nfeat && r->ok; f++) {
		const struct fs_wfeat *ft = &ws->feat[f];
		struct agg *a = &k->a[f];
		a->lo = fs_get_u64(r);
		a->n = fs_get_u64(r);
		if (slides(ft) && (a->lo < k->base || a->lo > k->nev))
			r->ok = 0;
		if (ft->bucket) {
			int slots[ws->nslots + 1];  /* a family reads at most every slot */
			bucketed_load(a, fam_owner(ws, f) == f ? fam_slots(ws, f, slots) : 0, r);
			continue;
		}
		switch (ft->agg) {
		case FS_AGG_SUM: case FS_AGG_MEAN: case FS_AGG_STDDEV: case FS_AGG_VARIANCE:
			a->u.m.s = fs_get_f64(r);
			a->u.m.c = fs_get_f64(r);
			a->u.m.q = fs_get_f64(r);
			a->u.m.qc = fs_get_f64(r);
			break;
		case FS_AGG_EWMA:
			a->u.ew.mean = fs_get_f64(r);
			a->u.ew.w = fs_get_f64(r);
			a->u.ew.t = fs_get_i64(r);
			break;
		case FS_AGG_LAST:
			a->u.last.v = fs_get_f64(r);
			a->u.last.i = fs_get_u64(r);
			if (a->u.last.i > k->nev || (ft->window && a->u.last.i > a->lo && a->u.last.i <= k->base))
				r->ok = 0;
			break;
		case FS_AGG_MIN: case FS_AGG_MAX:
			if (!ft->window) {
				a->u.ext = fs_get_f64(r);
				break;
			}
			for (uint64_t i = 0, n = fs_get_u64(r); i < n && r->ok; i++) {
				uint64_t idx = fs_get_u64(r);
				if (idx < a->lo || idx >= k->nev)
					r->ok = 0;
				else
					dq_push(&a->u.dq, idx);
			}
			break;
		case FS_AGG_COUNT_DISTINCT:
			for (uint64_t i = 0, n = fs_get_u64(r); i < n && r->ok; i++) {
				size_t len;
				int created;
				const char *p = fs_get_bytes(r, &len);
				uint64_t count = fs_get_u64(r);
				if (r->ok)
					fs_hmap_upsert(&a->u.dist, p, len, fs_hash(p, len), &created)->v.u = count;
			}
			break;
		default:
			break;
		}
	}
	if (!r->ok) {
		fs_wkey_free(ws, k);
		return NULL;
	}
	return k;
}
