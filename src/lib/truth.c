/* truth.c: fsgroundtruth's engine (see truth.h).
 *
 * A window holds its predictions in arrival order: time, label, label time,
 * how many labels came, and the class probabilities (one per prediction for
 * a binary model) in a parallel array; ids and, with --emit joined, the
 * prediction lines sit in the window's byte buffers. The pending map finds
 * a prediction by id until its window is written. Labels that came before
 * their prediction wait in a queue in arrival order, found by id through a
 * second map; one that waits longer than the maturity is given up. Once a
 * window is written, its ids are remembered by hash for one maturity more,
 * so that a label for one of them is told too late rather than unmatched.
 *
 * Each window keeps a cursor: the predictions before it are final. Since
 * predictions arrive nearly in time order, advancing the cursors is cheap;
 * one that arrived out of order waits behind the cursor until the one
 * before it is final, which can delay it, never change it.
 */
#include "truth.h"
#include "diag.h"
#include "hmap.h"
#include "json.h"
#include "metrics.h"
#include "output.h"
#include "record.h"
#include "state.h"
#include "stats.h"
#include "timefmt.h"
#include "cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_UNKNOWN, K_BINARY, K_MULTI };

#define NO_LABEL (-1)
/* Labels are class numbers; text that names no class (yet) is kept as this
 * plus its index in the engine's names, to be judged once the kind is known. */
#define LABEL_INVALID (-2)

struct pred {
	int64_t t;
	int64_t t_label;           /* time of the counted label */
	uint64_t id_off;           /* in the window's ids */
	uint64_t line_off;         /* in the window's lines (--emit joined) */
	uint32_t id_len, line_len;
	uint32_t nlabels;          /* labels counted (a repeat replaces) */
	int32_t label;             /* class, or NO_LABEL */
	uint8_t final;             /* maturity has passed */
	uint8_t absent;            /* label from --absent-label */
	uint8_t arm;               /* --compare: 0 champion, 1 challenger */
};

struct window {
	int64_t key;               /* time windows: floor(t / W); count windows: k */
	uint32_t serial;           /* names it in the pending map */
	int64_t tmin, tmax;
	struct pred *p;
	size_t n, cap, cursor;     /* p[0 .. cursor) are final */
	double *prob;              /* k per prediction */
	double *alt;               /* --compare-scores: the two scores per prediction */
	struct fs_buf ids, lines;
	uint64_t duplicates, late;
};

/* A label that came before its prediction. */
struct waiting {
	int64_t t;
	int32_t label;
	uint8_t live;              /* 0 once matched */
	uint64_t prev;             /* an earlier one of the same id + 1, or 0 */
	char *id;
	size_t id_len;
	const char *source;        /* interned */
	uint64_t line;
	char *text;                /* the line, for its rejection */
	size_t text_len;
};

enum { CMP_NONE, CMP_ARMS, CMP_SCORES };

/* Labeled predictions of a comparison: a score per arm (paired) or the
 * score and its arm (unpaired), and the label. */
struct sample {
	double *s[2];
	int *y;
	uint8_t *arm;
	size_t n, cap;
};

/* --horizon: the running comparison since the start. */
struct running {
	struct sample x;
	uint64_t looks;
	double spent;              /* alpha spent by the last look */
	int64_t start;             /* the first window's start */
	int done;                  /* a final look was written */
};

struct alert {
	char *text;                /* as given */
	char *metric;
	int op;                    /* '<', 'l' (<=), '>', 'g' (>=) */
	double limit;
};

struct fs_truth {
	struct fs_truth_config cfg;
	struct fs_path *id, *label, *score, *scores;
	char **classes;
	size_t nclasses;
	enum kind kind;
	int k;                     /* probabilities per prediction */
	json_t *absent;            /* --absent-label, parsed */
	int absent_class;
	struct alert *alerts;
	int nalerts, fired;
	char *canonical;

	int64_t clock;             /* latest prediction time */
	int have_clock;
	int64_t written_below;     /* time windows: every key below is written */
	uint64_t predictions;      /* read so far (count windows) */
	struct window **w;         /* open windows, by key: w[0 .. nw) */
	size_t nw;
	struct window **wbase;     /* w's allocation: written windows leave its front */
	size_t capw;
	uint32_t next_serial;
	struct fs_hmap serials;    /* serial -> window */
	struct fs_hmap pending;    /* id -> serial << 32 | index */

	struct waiting *q;         /* waiting labels, arrival order: q[qhead .. qn) */
	uint64_t qbase;            /* queue position of q[0] */
	size_t qhead, qn, qcap;
	struct fs_hmap waiting;    /* id -> newest queue position + 1 */
	struct fs_hmap sources;    /* interned source names */
	/* Predictions whose window was written, remembered for one maturity
	 * more by their id's hash, so that a label for one is too late, not
	 * unmatched (a collision could only change which of the two it says) */
	struct fs_hset written;    /* id hash -> the clock it is forgotten after */
	int64_t written_swept;     /* the clock at the last sweep of it */

	/* --compare, --compare-scores */
	int cmp;
	struct fs_path *arm_path, *alt[2];
	char **arm_names;          /* the champion's and the challenger's --arms values */
	size_t narm_names;
	double z;                  /* the two-sided critical value at --alpha */
	uint8_t cur_arm;           /* of the prediction being read */
	double cur_alt[2];
	struct running running;

	struct fs_buf text, armtext;
	double *prob;              /* a prediction's probabilities while it is read */
	struct fs_run *run;        /* the step's, while one runs */
};

/* ---------------------------------------------------------------- helpers */

static struct fs_path *path(const char *spec, const char *opt, char *err, size_t errsize)
{
	const char *why;
	struct fs_path *p = fs_path_new(spec, &why);
	if (!p)
		snprintf(err, errsize, "%s: %s", opt, why);
	return p;
}

static const char *intern(struct fs_truth *t, const char *s)
{
	size_t n = strlen(s);
	int created;
	struct fs_hent *e = fs_hmap_upsert(&t->sources, s, n, fs_hash(s, n), &created);
	if (created)
		e->v.p = fs_xstrdup(s);
	return e->v.p;
}

static void put_time(struct fs_buf *b, int64_t ns)
{
	char s[64];
	fs_time_format(ns, s, sizeof s);
	fs_json_put_string(b, s, strlen(s));
}

static void put_u64(struct fs_buf *b, uint64_t v)
{
	char s[24];
	snprintf(s, sizeof s, "%" PRIu64, v);
	fs_buf_puts(b, s);
}

/* The class a label value names: 0/1 and booleans for a binary model, a
 * class number or a --classes name; LABEL_INVALID when it names none. The
 * range is checked later, when the kind of model is known. */
static int32_t label_class(const struct fs_truth *t, const json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	double d;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		for (size_t i = 0; i < t->nclasses; i++)
			if (strcmp(s, t->classes[i]) == 0)
				return (int32_t)i;
		if (!strcmp(s, "true") || !strcmp(s, "false"))
			return !strcmp(s, "true");
	}
	if (fs_value_number(v, &d) != FS_NUM_OK || d < 0 || d > 1e9 || d != floor(d))
		return LABEL_INVALID;
	return (int32_t)d;
}

static int label_ok(const struct fs_truth *t, int32_t c)
{
	return c >= 0 && c < (t->kind == K_BINARY ? 2 : t->k);
}

static void put_label(const struct fs_truth *t, struct fs_buf *b, int32_t c)
{
	if (c < 0)
		fs_buf_puts(b, "null");
	else if (t->kind == K_MULTI && (size_t)c < t->nclasses)
		fs_json_put_string(b, t->classes[c], strlen(t->classes[c]));
	else
		put_u64(b, (uint64_t)c);
}

/* Rejects a waiting label's line, with its own source and line. */
#define reject_held(t, l, why, ...) \
	fs_run_reject_held((t)->run, why, (l)->source, (l)->line, (l)->text, (l)->text_len, __VA_ARGS__)

/* ---------------------------------------------------------------- windows */

static struct window *window_find(struct fs_truth *t, int64_t key, int create)
{
	size_t lo = 0, hi = t->nw;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->w[mid]->key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->nw && t->w[lo]->key == key)
		return t->w[lo];
	if (!create)
		return NULL;
	if ((size_t)(t->w - t->wbase) + t->nw == t->capw) {
		if (t->w != t->wbase && t->nw < t->capw / 2) {
			memmove(t->wbase, t->w, t->nw * sizeof *t->w);
		} else {
			t->capw = t->capw ? 2 * t->capw : 8;
			size_t head = (size_t)(t->w - t->wbase);
			t->wbase = fs_xrealloc(t->wbase, t->capw * sizeof *t->w);
			memmove(t->wbase, t->wbase + head, t->nw * sizeof *t->w);
		}
		t->w = t->wbase;
	}
	memmove(t->w + lo + 1, t->w + lo, (t->nw - lo) * sizeof *t->w);
	struct window *w = fs_xcalloc(1, sizeof *w);
	w->key = key;
	w->serial = t->next_serial++;
	int created;
	fs_hmap_upsert(&t->serials, &w->serial, sizeof w->serial,
	               fs_hash(&w->serial, sizeof w->serial), &created)->v.p = w;
	w->tmin = INT64_MAX;
	w->tmax = INT64_MIN;
	t->w[lo] = w;
	t->nw++;
	return w;
}

static struct window *window_by_serial(struct fs_truth *t, uint32_t serial)
{
	struct fs_hent *e = fs_hmap_find(&t->serials, &serial, sizeof serial,
	                                 fs_hash(&serial, sizeof serial));
	return e ? e->v.p : NULL;
}

static void window_free(struct window *w)
{
	if (!w)
		return;
	free(w->p);
	free(w->prob);
	free(w->alt);
	fs_buf_free(&w->ids);
	fs_buf_free(&w->lines);
	free(w);
}

/* The oldest window leaves, once written. */
static void window_pop(struct fs_truth *t)
{
	struct window *w = t->w[0];
	struct fs_hent *e = fs_hmap_find(&t->serials, &w->serial, sizeof w->serial,
	                                 fs_hash(&w->serial, sizeof w->serial));
	fs_hmap_remove(&t->serials, e);
	t->w++;
	t->nw--;
	window_free(w);
}

static int64_t window_start(const struct fs_truth *t, const struct window *w)
{
	return t->cfg.window_ns ? w->key * t->cfg.window_ns : w->tmin;
}

static int64_t window_end(const struct fs_truth *t, const struct window *w)
{
	return t->cfg.window_ns ? (w->key + 1) * t->cfg.window_ns : w->tmax;
}

/* ---------------------------------------------------------------- output */

/* The joined record: the prediction's line with its label appended. */
static void emit_joined(struct fs_truth *t, const struct window *w, const struct pred *p)
{
	if (!t->cfg.emit_joined)
		return;
	struct fs_record r = {.raw = w->lines.p + p->line_off, .rawlen = p->line_len};
	struct fs_emit e;
	struct fs_buf *b = t->run->out;
	fs_emit_begin(&e, b, &r, NULL, 0);
	fs_emit_key(&e, "\"kind\":", 7);
	fs_buf_puts(b, "\"joined\"");
	fs_emit_key(&e, "\"label\":", 8);
	put_label(t, b, p->label);
	fs_emit_key(&e, "\"label_ts\":", 11);
	if (p->nlabels)
		put_time(b, p->t_label);
	else
		fs_buf_puts(b, "null");
	fs_emit_key(&e, "\"label_delay\":", 14);
	if (p->nlabels)
		fs_json_put_double(b, (double)(p->t_label - p->t) / 1e9);
	else
		fs_buf_puts(b, "null");
	fs_emit_key(&e, "\"label_count\":", 14);
	put_u64(b, p->nlabels);
	fs_emit_end(&e);
}

/* Every metric of a window by name, for the record and for --alert. */
struct measures {
	char name[80][48];
	double v[80];
	int integer[80];
	int n;
};

static void measure(struct measures *m, const char *name, double v, int integer)
{
	snprintf(m->name[m->n], sizeof m->name[m->n], "%s", name);
	m->v[m->n] = v;
	m->integer[m->n++] = integer;
}

static void window_measures(struct fs_truth *t, const struct window *w, struct measures *m)
{
	uint64_t labeled = 0, absent = 0;
	size_t nd = 0;
	for (size_t i = 0; i < w->n; i++) {
		labeled += w->p[i].nlabels > 0;
		absent += w->p[i].absent;
	}
	double *delay = fs_xmalloc((labeled ? labeled : 1) * sizeof *delay);
	m->n = 0;
	measure(m, "predictions", (double)w->n, 1);
	measure(m, "labeled", (double)labeled, 1);
	measure(m, "absent", (double)absent, 1);
	measure(m, "unlabeled", (double)(w->n - labeled - absent), 1);
	measure(m, "labeled_share", w->n ? (double)labeled / (double)w->n : NAN, 0);
	size_t ne = labeled + absent;
	if (t->kind == K_MULTI) {
		double *prob = fs_xmalloc((ne ? ne : 1) * (size_t)t->k * sizeof *prob);
		int *label = fs_xmalloc((ne ? ne : 1) * sizeof *label);
		size_t j = 0;
		for (size_t i = 0; i < w->n; i++) {
			const struct pred *p = &w->p[i];
			if (p->label < 0)
				continue;
			memcpy(prob + j * (size_t)t->k, w->prob + i * (size_t)t->k, (size_t)t->k * sizeof *prob);
			label[j++] = p->label;
			if (p->nlabels)
				delay[nd++] = (double)(p->t_label - p->t) / 1e9;
		}
		struct fs_multiclass_metrics mm;
		fs_multiclass_metrics(prob, label, ne, t->k, &mm);
		measure(m, "accuracy", mm.accuracy, 0);
		measure(m, "f1_macro", mm.f1_macro, 0);
		measure(m, "log_loss", mm.log_loss, 0);
		free(prob);
		free(label);
	} else {
		struct fs_scored *x = fs_xmalloc((ne ? ne : 1) * sizeof *x);
		size_t j = 0;
		for (size_t i = 0; i < w->n; i++) {
			const struct pred *p = &w->p[i];
			if (p->label < 0)
				continue;
			x[j].score = w->prob[i];
			x[j++].label = p->label;
			if (p->nlabels)
				delay[nd++] = (double)(p->t_label - p->t) / 1e9;
		}
		struct fs_binary_metrics bm;
		fs_binary_metrics(x, ne, t->cfg.threshold, &bm);
		measure(m, "positives", (double)bm.positives, 1);
		measure(m, "negatives", (double)(ne - bm.positives), 1);
		measure(m, "threshold", t->cfg.threshold, 0);
		measure(m, "tp", (double)bm.tp, 1);
		measure(m, "fp", (double)bm.fp, 1);
		measure(m, "tn", (double)bm.tn, 1);
		measure(m, "fn", (double)bm.fn, 1);
		measure(m, "precision", bm.precision, 0);
		measure(m, "recall", bm.recall, 0);
		measure(m, "f1", bm.f1, 0);
		measure(m, "accuracy", bm.accuracy, 0);
		measure(m, "roc_auc", bm.roc_auc, 0);
		measure(m, "pr_auc", bm.pr_auc, 0);
		measure(m, "log_loss", bm.log_loss, 0);
		measure(m, "brier", bm.brier, 0);
		measure(m, "ece", bm.ece, 0);
		free(x);
	}
	qsort(delay, nd, sizeof *delay, fs_cmp_double);
	measure(m, "delay_p50", nd ? fs_quantile_sorted(delay, nd, 0.5) : NAN, 0);
	measure(m, "delay_p95", nd ? fs_quantile_sorted(delay, nd, 0.95) : NAN, 0);
	measure(m, "duplicate_labels", (double)w->duplicates, 1);
	measure(m, "late_labels", (double)w->late, 1);
	free(delay);
}

/* What a record covers: a window, or a running comparison's windows. */
struct span {
	int64_t key;               /* the (last) window's key, named for count windows */
	int64_t start, end;
	const char *scope;         /* compare records: "window" or "running" */
};

static struct span window_span(const struct fs_truth *t, const struct window *w)
{
	return (struct span){w->key, window_start(t, w), window_end(t, w), "window"};
}

static void put_head(struct fs_truth *t, struct fs_buf *b, const struct span *sp, const char *kind)
{
	fs_buf_puts(b, "{\"kind\":\"");
	fs_buf_puts(b, kind);
	fs_buf_puts(b, "\",");
	if (!t->cfg.window_ns) {
		fs_buf_puts(b, "\"window\":");
		put_u64(b, (uint64_t)sp->key);
		fs_buf_putc(b, ',');
	}
	fs_buf_puts(b, "\"window_start\":");
	put_time(b, sp->start);
	fs_buf_puts(b, ",\"window_end\":");
	put_time(b, sp->end);
}

static int breaks(const struct alert *a, double v)
{
	switch (a->op) {
	case '<': return v < a->limit;
	case 'l': return v <= a->limit;
	case '>': return v > a->limit;
	default: return v >= a->limit;
	}
}

/* The alerts a mature record's measures break. */
static void fire(struct fs_truth *t, const struct span *sp, const struct measures *m)
{
	struct fs_buf *b = t->run->out;
	for (int a = 0; a < t->nalerts; a++) {
		const struct alert *al = &t->alerts[a];
		for (int i = 0; i < m->n; i++) {
			if (strcmp(m->name[i], al->metric) != 0 || !isfinite(m->v[i]) || !breaks(al, m->v[i]))
				continue;
			t->fired = 1;
			put_head(t, b, sp, "alert");
			if (!strcmp(sp->scope, "running"))
				fs_buf_puts(b, ",\"scope\":\"running\"");
			fs_buf_puts(b, ",\"alert\":");
			fs_json_put_string(b, al->text, strlen(al->text));
			fs_buf_puts(b, ",\"metric\":");
			fs_json_put_string(b, al->metric, strlen(al->metric));
			fs_buf_puts(b, ",\"value\":");
			fs_json_put_double(b, m->v[i]);
			fs_buf_puts(b, ",\"limit\":");
			fs_json_put_double(b, al->limit);
			fs_buf_puts(b, "}\n");
			char s[64], e[64], v[FS_DBL_MAX];
			fs_time_format(sp->start, s, sizeof s);
			fs_time_format(sp->end, e, sizeof e);
			fs_fmt_double(v, m->v[i]);
			fs_warn("alert: %s: %s is %s in the %s %s .. %s", al->text, al->metric, v,
			        strcmp(sp->scope, "running") ? "window" : "running comparison", s, e);
		}
	}
}

static void put_measures(struct fs_buf *b, const struct measures *m, int from, int to)
{
	for (int i = from; i < to; i++) {
		fs_buf_puts(b, ",\"");
		fs_buf_puts(b, m->name[i]);
		fs_buf_puts(b, "\":");
		if (m->integer[i])
			put_u64(b, (uint64_t)m->v[i]);
		else
			fs_json_put_double(b, m->v[i]);
	}
}

static void write_compare(struct fs_truth *t, const struct window *w, int mature);

/* The metrics record of a window; for a mature one, its alerts. */
static void write_metrics(struct fs_truth *t, const struct window *w, int mature)
{
	struct fs_buf *b = t->run->out;
	struct measures m;
	struct span sp = window_span(t, w);
	window_measures(t, w, &m);
	put_head(t, b, &sp, "metrics");
	fs_buf_puts(b, mature ? ",\"mature\":true" : ",\"mature\":false");
	put_measures(b, &m, 0, m.n);
	fs_buf_puts(b, "}\n");
	if (mature)
		fire(t, &sp, &m);
	if (t->cmp)
		write_compare(t, w, mature);
}

/* ---------------------------------------------------------------- compare */

static void sample_add(struct sample *x, double s0, double s1, uint8_t arm, int y)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		for (int j = 0; j < 2; j++)
			x->s[j] = fs_xrealloc(x->s[j], x->cap * sizeof *x->s[j]);
		x->y = fs_xrealloc(x->y, x->cap * sizeof *x->y);
		x->arm = fs_xrealloc(x->arm, x->cap * sizeof *x->arm);
	}
	x->s[0][x->n] = s0;
	x->s[1][x->n] = s1;
	x->arm[x->n] = arm;
	x->y[x->n++] = y;
}

static void sample_free(struct sample *x)
{
	free(x->s[0]);
	free(x->s[1]);
	free(x->y);
	free(x->arm);
	memset(x, 0, sizeof *x);
}

/* A window's labeled predictions, in arrival order (up to max of them). */
static void window_sample(const struct fs_truth *t, const struct window *w, struct sample *x,
                          uint64_t max)
{
	for (size_t i = 0; i < w->n && x->n < max; i++) {
		const struct pred *p = &w->p[i];
		if (p->label < 0)
			continue;
		if (t->cmp == CMP_SCORES)
			sample_add(x, w->alt[2 * i], w->alt[2 * i + 1], 0, p->label);
		else
			sample_add(x, w->prob[i], 0, p->arm, p->label);
	}
}

static const char *const arm_role[] = {"champion", "challenger"};

/* One arm's metrics and intervals, as "champion_..." or "challenger_...". */
static void arm_measures(struct fs_truth *t, struct measures *m, int arm, const double *score,
                         const int *y, size_t n, uint64_t predictions, int with_predictions,
                         const struct fs_delong *d, int which)
{
	struct fs_scored *x = fs_xmalloc((n ? n : 1) * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = (struct fs_scored){score[i], y[i]};
	struct fs_binary_metrics bm;
	fs_binary_metrics(x, n, t->cfg.threshold, &bm);
	free(x);
	char name[48];
	const char *role = arm_role[arm];
#define M(what, v, integer) \
	(snprintf(name, sizeof name, "%s_%s", role, what), measure(m, name, v, integer))
	double lo, hi;
	if (with_predictions)
		M("predictions", (double)predictions, 1);
	M("labels", (double)n, 1);
	M("positives", (double)bm.positives, 1);
	M("negatives", (double)(n - bm.positives), 1);
	M("tp", (double)bm.tp, 1);
	M("fp", (double)bm.fp, 1);
	M("tn", (double)bm.tn, 1);
	M("fn", (double)bm.fn, 1);
	M("precision", bm.precision, 0);
	fs_wilson(bm.tp, bm.tp + bm.fp, t->z, &lo, &hi);
	M("precision_lo", lo, 0);
	M("precision_hi", hi, 0);
	M("recall", bm.recall, 0);
	fs_wilson(bm.tp, bm.tp + bm.fn, t->z, &lo, &hi);
	M("recall_lo", lo, 0);
	M("recall_hi", hi, 0);
	M("f1", bm.f1, 0);
	M("accuracy", bm.accuracy, 0);
	fs_wilson(bm.tp + bm.tn, n, t->z, &lo, &hi);
	M("accuracy_lo", lo, 0);
	M("accuracy_hi", hi, 0);
	double auc = d->auc[which], se = sqrt(d->var[which]);
	M("roc_auc", auc, 0);
	M("roc_auc_se", se, 0);
	M("roc_auc_lo", isfinite(se) ? fmax(0, auc - t->z * se) : NAN, 0);
	M("roc_auc_hi", isfinite(se) ? fmin(1, auc + t->z * se) : NAN, 0);
	M("pr_auc", bm.pr_auc, 0);
	M("log_loss", bm.log_loss, 0);
	M("brier", bm.brier, 0);
	M("ece", bm.ece, 0);
#undef M
}

/* The verdict of a test at level: the better arm, or "none", and why. */
static const char *verdict(const struct fs_truth *t, uint64_t labels, double delta, double p,
                           double level, const char *notest, char *why, size_t n)
{
	char a[FS_DBL_MAX], b[FS_DBL_MAX];
	if (labels < t->cfg.min_labels) {
		snprintf(why, n, "%" PRIu64 " labels, fewer than --min-labels %" PRIu64, labels,
		         t->cfg.min_labels);
		return "none";
	}
	if (!isfinite(p)) {
		snprintf(why, n, "%s", notest);
		return "none";
	}
	fs_fmt_double(a, p);
	fs_fmt_double(b, level);
	if (!(p < level)) {
		snprintf(why, n, "p_value %s is not below %s", a, b);
		return "none";
	}
	snprintf(why, n, "p_value %s is below %s", a, b);
	return delta > 0 ? "challenger" : "champion";
}

/* Writes a compare record of sample x: level is the test's (alpha, or a
 * running look's share of it); for a mature record, its alerts. A running
 * look has its own members, then "final": at the horizon (at_horizon) or
 * at a verdict. Returns 1 when the verdict names a winner. */
static int compare_record(struct fs_truth *t, const struct span *sp, const struct sample *x,
                          const uint64_t *predictions, int mature, double level,
                          const char *running_members, int at_horizon)
{
	struct measures m;
	m.n = 0;
	struct fs_delong d[2];
	int paired = t->cmp == CMP_SCORES;
	size_t narm[2] = {0, 0};
	double *sc[2];
	int *ys[2];
	if (paired) {
		const double *both[2] = {x->s[0], x->s[1]};
		fs_delong(both, 2, x->y, x->n, &d[0]);
		for (int a = 0; a < 2; a++) {
			sc[a] = x->s[a];
			ys[a] = x->y;
			narm[a] = x->n;
		}
	} else {
		for (int a = 0; a < 2; a++) {
			sc[a] = fs_xmalloc((x->n ? x->n : 1) * sizeof *sc[a]);
			ys[a] = fs_xmalloc((x->n ? x->n : 1) * sizeof *ys[a]);
		}
		for (size_t i = 0; i < x->n; i++) {
			int a = x->arm[i];
			sc[a][narm[a]] = x->s[0][i];
			ys[a][narm[a]++] = x->y[i];
		}
		for (int a = 0; a < 2; a++) {
			const double *one[1] = {sc[a]};
			fs_delong(one, 1, ys[a], narm[a], &d[a]);
		}
	}
	int from[3];
	for (int a = 0; a < 2; a++) {
		from[a] = m.n;
		arm_measures(t, &m, a, sc[a], ys[a], narm[a], predictions ? predictions[a] : 0,
		             predictions != NULL, paired ? &d[0] : &d[a], paired ? a : 0);
	}
	from[2] = m.n;
	double auc0 = d[0].auc[0], auc1 = paired ? d[0].auc[1] : d[1].auc[0];
	double var = paired ? d[0].var[0] + d[0].var[1] - 2 * d[0].cov : d[0].var[0] + d[1].var[0];
	/* a paired difference of two scores that order the events alike has a
	 * variance of 0, give or take rounding: no test, but its se is 0 */
	double delta = auc1 - auc0, se = isfinite(var) ? sqrt(fmax(var, 0)) : NAN;
	double z = se > 0 ? delta / se : NAN;
	double p = isfinite(z) ? 2 * fs_norm_sf(fabs(z)) : NAN;
	measure(&m, "labels", (double)x->n, 1);
	measure(&m, "challenger_auc_delta", delta, 0);
	measure(&m, "challenger_auc_delta_se", se, 0);
	measure(&m, "challenger_auc_delta_lo", delta - t->z * se, 0);
	measure(&m, "challenger_auc_delta_hi", delta + t->z * se, 0);
	measure(&m, "z", z, 0);
	measure(&m, "p_value", p, 0);
	char why[256];
	const char *notest = !isfinite(se) ? (paired ? "no test: it needs two labels of each class"
	                                             : "no test: each arm needs two labels of each class")
	                     : paired ? "the two scores order the labeled predictions alike: nothing to test"
	                     : "neither AUC varies (both arms separate the classes perfectly): nothing to test";
	const char *v = verdict(t, x->n, delta, p, level, notest, why, sizeof why);

	struct fs_buf *b = t->run->out;
	put_head(t, b, sp, "compare");
	fs_buf_puts(b, mature ? ",\"mature\":true" : ",\"mature\":false");
	fs_buf_puts(b, ",\"scope\":\"");
	fs_buf_puts(b, sp->scope);
	fs_buf_puts(b, "\",\"compare\":");
	const char *what = paired ? "scores" : t->cfg.compare;
	fs_json_put_string(b, what, strlen(what));
	fs_buf_puts(b, paired ? ",\"test\":\"delong_paired\"" : ",\"test\":\"delong_unpaired\"");
	fs_buf_puts(b, ",\"alpha\":");
	fs_json_put_double(b, t->cfg.alpha);
	if (running_members) {
		fs_buf_puts(b, running_members);
		fs_buf_puts(b, at_horizon || strcmp(v, "none") ? ",\"final\":true" : ",\"final\":false");
	}
	put_measures(b, &m, from[2], from[2] + 1);  /* labels */
	for (int a = 0; a < 2; a++) {
		fs_buf_puts(b, ",\"");
		fs_buf_puts(b, arm_role[a]);
		fs_buf_puts(b, "\":{\"name\":");
		const char *name = paired ? t->alt[a]->spec : t->arm_names[a];
		fs_json_put_string(b, name, strlen(name));
		/* the members without the arm's prefix */
		size_t cut = strlen(arm_role[a]) + 1;
		for (int i = from[a]; i < from[a + 1]; i++) {
			fs_buf_puts(b, ",\"");
			fs_buf_puts(b, m.name[i] + cut);
			fs_buf_puts(b, "\":");
			if (m.integer[i])
				put_u64(b, (uint64_t)m.v[i]);
			else
				fs_json_put_double(b, m.v[i]);
		}
		fs_buf_putc(b, '}');
	}
	put_measures(b, &m, from[2] + 1, m.n);
	fs_buf_puts(b, ",\"verdict\":\"");
	fs_buf_puts(b, v);
	fs_buf_puts(b, "\",\"why\":");
	fs_json_put_string(b, why, strlen(why));
	fs_buf_puts(b, "}\n");
	if (mature)
		fire(t, sp, &m);
	if (!paired)
		for (int a = 0; a < 2; a++) {
			free(sc[a]);
			free(ys[a]);
		}
	return strcmp(v, "none") != 0;
}

/* The window's comparison; a mature window also makes the next look of
 * the running comparison (--horizon). */
static void write_compare(struct fs_truth *t, const struct window *w, int mature)
{
	struct sample x = {0};
	window_sample(t, w, &x, UINT64_MAX);
	uint64_t predictions[2] = {0, 0};
	for (size_t i = 0; i < w->n; i++)
		predictions[t->cmp == CMP_SCORES ? 0 : w->p[i].arm]++;
	if (t->cmp == CMP_SCORES)
		predictions[1] = predictions[0];
	struct span sp = window_span(t, w);
	compare_record(t, &sp, &x, predictions, mature, t->cfg.alpha, NULL, 0);
	sample_free(&x);

	struct running *r = &t->running;
	if (!mature || !t->cfg.horizon || r->done)
		return;
	size_t before = r->x.n;
	if (!r->looks && !before)
		r->start = sp.start;
	window_sample(t, w, &r->x, t->cfg.horizon);
	if (r->x.n == before)
		return;  /* nothing new to look at */
	r->looks++;
	double info = fmin(1, (double)r->x.n / (double)t->cfg.horizon);
	double spent = fs_spent((enum fs_spending)t->cfg.spending, t->cfg.alpha, info);
	double level = t->cfg.spending == FS_SPEND_NONE ? t->cfg.alpha : spent - r->spent;
	r->spent = spent;
	int final = r->x.n >= t->cfg.horizon;
	/* the members before "labels": which look, and its share of alpha */
	struct fs_buf extra = {0};
	fs_buf_puts(&extra, ",\"look\":");
	put_u64(&extra, r->looks);
	fs_buf_puts(&extra, ",\"horizon\":");
	put_u64(&extra, t->cfg.horizon);
	fs_buf_puts(&extra, ",\"information\":");
	fs_json_put_double(&extra, info);
	fs_buf_puts(&extra, ",\"spending\":\"");
	fs_buf_puts(&extra, fs_spending_name((enum fs_spending)t->cfg.spending));
	fs_buf_puts(&extra, "\",\"alpha_spent\":");
	fs_json_put_double(&extra, spent);
	fs_buf_puts(&extra, ",\"alpha_look\":");
	fs_json_put_double(&extra, level);
	struct span rs = {sp.key, r->start, sp.end, "running"};
	if (compare_record(t, &rs, &r->x, NULL, 1, level, fs_buf_cstr(&extra), final) || final)
		r->done = 1;
	fs_buf_free(&extra);
}

/* ---------------------------------------------------------------- the join */

/* A label for prediction p of window w. Returns 0, or -1 when the label is
 * too late to count (its reason in msg). */
static int apply_label(struct fs_truth *t, struct window *w, struct pred *p, int64_t tl,
                       int32_t label, char *msg, size_t msgsize)
{
	if (p->final || tl > p->t + t->cfg.maturity_ns) {
		char a[64], b[64];
		w->late++;
		fs_time_format(tl, a, sizeof a);
		fs_time_format(p->t, b, sizeof b);
		if (tl > p->t + t->cfg.maturity_ns)
			snprintf(msg, msgsize, "label at %s is later than its prediction's time %s plus "
			         "--maturity %s: not counted", a, b, t->cfg.maturity_arg);
		else
			snprintf(msg, msgsize, "label read after its prediction (at %s) was final: the "
			         "labels input is behind the predictions by more than --maturity %s; "
			         "not counted", b, t->cfg.maturity_arg);
		return -1;
	}
	if (p->nlabels++)
		w->duplicates++;
	p->label = label;
	p->t_label = tl;
	emit_joined(t, w, p);
	return 0;
}

/* Marks a prediction final: unlabeled, it takes --absent-label. */
static void finalize(struct fs_truth *t, struct window *w, struct pred *p)
{
	p->final = 1;
	if (p->nlabels)
		return;
	if (t->absent) {
		p->label = t->absent_class;
		p->absent = 1;
	}
	emit_joined(t, w, p);
}

/* A written window's ids leave the pending map, and are remembered as
 * written for one maturity more. */
static void forget_ids(struct fs_truth *t, struct window *w)
{
	for (size_t i = 0; i < w->n; i++) {
		const char *id = w->ids.p + w->p[i].id_off;
		size_t n = w->p[i].id_len;
		uint64_t h = fs_hash(id, n);
		struct fs_hent *e = fs_hmap_find(&t->pending, id, n, h);
		if (e)
			fs_hmap_remove(&t->pending, e);
		*fs_hset_put(&t->written, h) = (uint64_t)(t->clock + t->cfg.maturity_ns);
	}
}

static int still_remembered(uint64_t until, const void *clock)
{
	return (int64_t)until >= *(const int64_t *)clock;
}

static int window_mature(const struct fs_truth *t, const struct window *w)
{
	if (!t->have_clock)
		return 0;
	if (t->cfg.window_ns)
		return t->clock - t->cfg.maturity_ns >= window_end(t, w);
	return w->n == t->cfg.window_events && t->clock - t->cfg.maturity_ns > w->tmax;
}

/* What the clock's advance makes final, in order: predictions (joined
 * records of those left unlabeled), waiting labels given up, then every
 * window now mature. */
static void advance(struct fs_truth *t)
{
	int64_t horizon = t->clock - t->cfg.maturity_ns;  /* final: t < horizon */
	for (size_t i = 0; i < t->nw; i++) {
		struct window *w = t->w[i];
		/* none of its predictions is final yet, nor (but for ones that came
		 * out of order, which wait their turn) any later window's */
		if (window_start(t, w) >= horizon)
			break;
		while (w->cursor < w->n && w->p[w->cursor].t < horizon)
			finalize(t, w, &w->p[w->cursor++]);
	}
	while (t->qhead < t->qn && t->q[t->qhead].t < horizon) {
		struct waiting *l = &t->q[t->qhead];
		if (l->live) {
			reject_held(t, l, FS_REJ_UNMATCHED, "no prediction with this id came within "
			            "--maturity %s of the label's time", t->cfg.maturity_arg);
			struct fs_hent *e = fs_hmap_find(&t->waiting, l->id, l->id_len, fs_hash(l->id, l->id_len));
			if (e && e->v.u == t->qbase + t->qhead + 1)
				fs_hmap_remove(&t->waiting, e);
		}
		free(l->id);
		free(l->text);
		t->qhead++;
	}
	/* written predictions are forgotten a quarter of a maturity at a time */
	if (t->written_swept == INT64_MIN || t->clock - t->written_swept >= t->cfg.maturity_ns / 4) {
		fs_hset_filter(&t->written, still_remembered, &t->clock);
		t->written_swept = t->clock;
	}
	if (t->qhead > 4096 && t->qhead * 2 > t->qn) {
		memmove(t->q, t->q + t->qhead, (t->qn - t->qhead) * sizeof *t->q);
		t->qbase += t->qhead;
		t->qn -= t->qhead;
		t->qhead = 0;
	}
	while (t->nw && window_mature(t, t->w[0])) {
		struct window *w = t->w[0];
		while (w->cursor < w->n)
			finalize(t, w, &w->p[w->cursor++]);
		write_metrics(t, w, 1);
		forget_ids(t, w);
		if (t->cfg.window_ns)
			t->written_below = w->key + 1;
		window_pop(t);
	}
}

/* ---------------------------------------------------------------- steps */

/* The id of r as text in t->text; -1 after a rejection. */
static int read_id(struct fs_truth *t, const struct fs_record *r, struct fs_run *run)
{
	int rc = fs_record_path_text(r, t->id, &t->text);
	if (rc < 0)
		return fs_run_reject(run, FS_REJ_KEY, "%s id \"%s\" (--id names it)",
		                     rc == FS_TEXT_UNUSABLE ? "no usable" : "no", t->id->spec);
	return 0;
}

/* The metrics --alert may name: every number of a metrics record. */
#define COMMON_METRICS "predictions, labeled, absent, unlabeled, labeled_share, "
#define COMMON_TAIL "log_loss, delay_p50, delay_p95, duplicate_labels, late_labels"
static const char binary_list[] = COMMON_METRICS "positives, negatives, tp, fp, tn, fn, "
	"precision, recall, f1, accuracy, roc_auc, pr_auc, brier, ece, " COMMON_TAIL;
static const char multi_list[] = COMMON_METRICS "accuracy, f1_macro, " COMMON_TAIL;

/* 1 when name is one of a ", "-separated list. */
static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == 0))
			return 1;
	return 0;
}

/* 1 when a model of this kind (K_UNKNOWN: either) has the metric. */
static int metric_of(enum kind kind, const char *name)
{
	return (kind != K_MULTI && in_list(binary_list, name)) ||
	       (kind != K_BINARY && in_list(multi_list, name));
}

/* The numbers of a compare record --alert may name: an arm's, after
 * "champion_" or "challenger_", and the test's. */
static const char arm_list[] = "predictions, labels, positives, negatives, tp, fp, tn, fn, "
	"precision, precision_lo, precision_hi, recall, recall_lo, recall_hi, f1, accuracy, "
	"accuracy_lo, accuracy_hi, roc_auc, roc_auc_se, roc_auc_lo, roc_auc_hi, pr_auc, log_loss, "
	"brier, ece";
static const char test_list[] = "labels, challenger_auc_delta, challenger_auc_delta_se, "
	"challenger_auc_delta_lo, challenger_auc_delta_hi, z, p_value";

static int compare_metric(const char *name)
{
	for (int a = 0; a < 2; a++) {
		size_t n = strlen(arm_role[a]);
		if (!strncmp(name, arm_role[a], n) && name[n] == '_' && in_list(arm_list, name + n + 1))
			return 1;
	}
	return in_list(test_list, name);
}

/* The kind of model, from the first prediction's score. */
static int learn_kind(struct fs_truth *t, const json_t *v, struct fs_run *run)
{
	if (json_is_array(v)) {
		t->kind = K_MULTI;
		t->k = (int)json_array_size(v);
		if (t->k < 2)
			return fs_run_reject(run, FS_REJ_LABEL, "scores has %d probabilities; a "
			                     "multiclass model has two or more", t->k);
		if (t->nclasses && t->nclasses != (size_t)t->k)
			fs_die(FS_EX_USAGE, "--classes names %zu classes, but the scores have %d",
			       t->nclasses, t->k);
		if (t->cmp)
			fs_die(FS_EX_USAGE, "%s compares binary models (a score each); these predictions "
			       "have scores of %d classes", t->cmp == CMP_ARMS ? "--compare" :
			       "--compare-scores", t->k);
	} else {
		t->kind = K_BINARY;
		t->k = 1;
	}
	t->prob = fs_xrealloc(t->prob, (size_t)t->k * sizeof *t->prob);
	for (int i = 0; i < t->nalerts; i++)
		if (!metric_of(t->kind, t->alerts[i].metric) &&
		    !(t->cmp && compare_metric(t->alerts[i].metric)))
			fs_die(FS_EX_USAGE, "--alert %s: a %s model has no %s; its metrics are %s",
			       t->alerts[i].text, t->kind == K_BINARY ? "binary" : "multiclass",
			       t->alerts[i].metric, t->kind == K_BINARY ? binary_list : multi_list);
	if (t->absent) {
		t->absent_class = label_class(t, t->absent);
		if (!label_ok(t, t->absent_class))
			fs_die(FS_EX_USAGE, "--absent-label %s is not a class of this %s model (%s)",
			       t->cfg.absent_label, t->kind == K_BINARY ? "binary" : "multiclass",
			       t->kind == K_BINARY ? "0, 1, true or false" : "a class number or --classes name");
	}
	return 0;
}

/* The prediction's probabilities into t->prob[0 .. k). */
static int read_score(struct fs_truth *t, const struct fs_record *r, struct fs_run *run)
{
	json_t *own = NULL, *v = fs_path_get_any(t->score, r, &own);
	if (!v && t->scores) {
		v = fs_path_get_any(t->scores, r, &own);
	}
	const char *name = t->cfg.score_field ? t->cfg.score_field : "score";
	int rc = 0;
	if (!v || json_is_null(v)) {
		rc = fs_run_reject(run, FS_REJ_LABEL, "no score \"%s\"%s (name it with --score-field)",
		                   name, t->cfg.score_field ? "" : " or \"scores\"");
		goto out;
	}
	if (t->kind == K_UNKNOWN && learn_kind(t, v, run) < 0) {
		t->kind = K_UNKNOWN;
		rc = -1;
		goto out;
	}
	if (json_is_array(v) != (t->kind == K_MULTI) ||
	    (t->kind == K_MULTI && json_array_size(v) != (size_t)t->k)) {
		rc = fs_run_reject(run, FS_REJ_LABEL, "the score is %s, but the first prediction's "
		                   "was %s", json_is_array(v) ? "an array" : "not an array",
		                   t->kind == K_MULTI ? "an array of that many probabilities" : "a number");
		goto out;
	}
	for (int c = 0; c < t->k; c++) {
		const json_t *x = t->kind == K_MULTI ? json_array_get(v, (size_t)c) : v;
		double *pc = &t->prob[c];
		if (fs_value_number(x, pc) != FS_NUM_OK || !(*pc >= 0 && *pc <= 1)) {
			rc = fs_run_reject(run, FS_REJ_LABEL, "score is not a probability in [0, 1]");
			goto out;
		}
	}
out:
	json_decref(own);
	return rc;
}

/* --compare: the prediction's arm; --compare-scores: its two scores. */
static int read_compare(struct fs_truth *t, const struct fs_record *r, struct fs_run *run)
{
	if (t->cmp == CMP_ARMS) {
		struct fs_buf *b = &t->armtext;
		int rc = fs_record_path_text(r, t->arm_path, b);
		if (rc < 0)
			return fs_run_reject(run, FS_REJ_KEY, "%s arm \"%s\" (--compare names it)",
			                     rc == FS_TEXT_UNUSABLE ? "no usable" : "no", t->arm_path->spec);
		for (uint8_t a = 0; a < 2; a++)
			if (strlen(t->arm_names[a]) == b->len && !memcmp(t->arm_names[a], b->p, b->len)) {
				t->cur_arm = a;
				return 0;
			}
		return fs_run_reject(run, FS_REJ_KEY, "arm \"%.*s\" is neither %s nor %s (name the "
		                     "champion's and the challenger's values with --arms)",
		                     b->len > 60 ? 60 : (int)b->len, b->p,
		                     t->arm_names[0], t->arm_names[1]);
	}
	for (int a = 0; a < 2; a++) {
		json_t *own, *v = fs_path_get_any(t->alt[a], r, &own);
		int ok = fs_value_number(v, &t->cur_alt[a]) == FS_NUM_OK &&
		         t->cur_alt[a] >= 0 && t->cur_alt[a] <= 1;
		json_decref(own);
		if (!ok)
			return fs_run_reject(run, FS_REJ_LABEL, "%s \"%s\" is %s (--compare-scores "
			                     "compares two scores of each prediction)",
			                     arm_role[a], t->alt[a]->spec,
			                     v && !json_is_null(v) ? "not a probability in [0, 1]" : "missing");
	}
	return 0;
}

static int check_conflicts(const struct fs_record *r, struct fs_run *run)
{
	static const char *const names[] = {"kind", "label", "label_ts", "label_delay", "label_count"};
	size_t vs, ve;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (fs_json_find_member(r->raw, r->rawlen, names[i], &vs, &ve))
			return fs_run_reject(run, FS_REJ_CONFLICT, "the prediction already has \"%s\", "
			                     "which --emit joined adds", names[i]);
	return 0;
}

int fs_truth_prediction(void *ctx, const struct fs_record *r, struct fs_run *run)
{
	struct fs_truth *t = ctx;
	t->run = run;
	if (!r->raw)
		return FS_STEP_PARSE;
	if (read_id(t, r, run) < 0)
		return -1;
	if (read_score(t, r, run) < 0)
		return -1;
	if (t->cmp && read_compare(t, r, run) < 0)
		return -1;
	if (t->cfg.emit_joined && check_conflicts(r, run) < 0)
		return -1;
	int64_t key;
	if (t->cfg.window_ns) {
		key = fs_time_period(r->time, t->cfg.window_ns);
		if (key < t->written_below) {
			char s[64];
			fs_time_format(key * t->cfg.window_ns, s, sizeof s);
			return fs_run_reject(run, FS_REJ_LATE, "the prediction's window (from %s) was "
			                     "already written: it came more than --maturity late", s);
		}
	} else {
		key = (int64_t)(t->predictions / t->cfg.window_events);
	}
	const char *id = t->text.p;
	size_t idn = t->text.len;
	uint64_t h = fs_hash(id, idn);
	int created;
	struct fs_hent *e = fs_hmap_upsert(&t->pending, id, idn, h, &created);
	if (!created)
		return fs_run_reject(run, FS_REJ_KEY, "a prediction with this id is already waiting "
		                     "for its label; ids must be unique");
	int new_window = t->nw == 0 || key > t->w[t->nw - 1]->key;
	struct window *w = window_find(t, key, 1);
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		if (t->cfg.window_events && w->cap > t->cfg.window_events)
			w->cap = t->cfg.window_events;  /* a count window never grows past N */
		w->p = fs_xrealloc(w->p, w->cap * sizeof *w->p);
		w->prob = fs_xrealloc(w->prob, w->cap * (size_t)t->k * sizeof *w->prob);
		if (t->cmp == CMP_SCORES)
			w->alt = fs_xrealloc(w->alt, w->cap * 2 * sizeof *w->alt);
	}
	e->v.u = (uint64_t)w->serial << 32 | w->n;
	struct pred *p = &w->p[w->n];
	memset(p, 0, sizeof *p);
	p->t = r->time;
	p->label = NO_LABEL;
	p->arm = t->cur_arm;
	if (t->cmp == CMP_SCORES)
		memcpy(w->alt + 2 * w->n, t->cur_alt, sizeof t->cur_alt);
	p->id_off = w->ids.len;
	p->id_len = (uint32_t)idn;
	fs_buf_put(&w->ids, id, idn);
	if (t->cfg.emit_joined) {
		p->line_off = w->lines.len;
		p->line_len = (uint32_t)r->rawlen;
		fs_buf_put(&w->lines, r->raw, r->rawlen);
	}
	memcpy(w->prob + w->n * (size_t)t->k, t->prob, (size_t)t->k * sizeof *t->prob);
	w->n++;
	t->predictions++;
	if (r->time < w->tmin)
		w->tmin = r->time;
	if (r->time > w->tmax)
		w->tmax = r->time;

	/* labels that came first, oldest first */
	struct fs_hent *we = fs_hmap_find(&t->waiting, id, idn, h);
	if (we) {
		/* the chain runs newest to oldest, up to the first already given up */
		uint64_t chain[64], *all = chain;
		size_t n = 0, cap = 64;
		for (uint64_t pos = we->v.u; pos && pos - 1 >= t->qbase + t->qhead;
		     pos = t->q[pos - 1 - t->qbase].prev) {
			if (n == cap) {
				cap *= 2;
				all = all == chain ? memcpy(fs_xmalloc(cap * sizeof *all), chain, sizeof chain)
				                   : fs_xrealloc(all, cap * sizeof *all);
			}
			all[n++] = pos;
		}
		fs_hmap_remove(&t->waiting, we);
		while (n--) {
			struct waiting *l = &t->q[all[n] - 1 - t->qbase];
			if (!l->live)
				continue;
			l->live = 0;
			char msg[384];
			if (!label_ok(t, l->label))
				reject_held(t, l, FS_REJ_LABEL, "label is not a class of this %s model",
				            t->kind == K_BINARY ? "binary" : "multiclass");
			else if (apply_label(t, w, p, l->t, l->label, msg, sizeof msg) < 0)
				reject_held(t, l, FS_REJ_LATE, "%s", msg);
			free(l->id);
			free(l->text);
			l->id = l->text = NULL;
		}
		if (all != chain)
			free(all);
	}

	if (!t->have_clock || r->time > t->clock) {
		t->clock = r->time;
		t->have_clock = 1;
		advance(t);
	} else if (!t->cfg.window_ns && w->n == t->cfg.window_events) {
		advance(t);  /* a count window filled up */
	}
	/* --provisional: the clock entered a new window; the earlier ones still
	 * open are written as they stand */
	if (t->cfg.provisional && new_window)
		for (size_t i = 0; i < t->nw && t->w[i]->key < key; i++)
			write_metrics(t, t->w[i], 0);
	return 0;
}

int fs_truth_label(void *ctx, const struct fs_record *r, struct fs_run *run)
{
	struct fs_truth *t = ctx;
	t->run = run;
	if (!r->raw)
		return FS_STEP_PARSE;
	if (read_id(t, r, run) < 0)
		return -1;
	json_t *own, *v = fs_path_get_any(t->label, r, &own);
	int present = v && !json_is_null(v);
	int32_t c = present ? label_class(t, v) : LABEL_INVALID;
	json_decref(own);
	if (!present)
		return fs_run_reject(run, FS_REJ_LABEL, "no label \"%s\" (name it with --label-field)",
		                     t->label->spec);
	if (c == LABEL_INVALID || (t->kind != K_UNKNOWN && !label_ok(t, c)))
		return fs_run_reject(run, FS_REJ_LABEL, "the label is not a class: give 0/1 or "
		                     "true/false for a binary model, a class number or a --classes "
		                     "name for a multiclass one");
	const char *id = t->text.p;
	size_t idn = t->text.len;
	uint64_t h = fs_hash(id, idn);
	struct fs_hent *e = fs_hmap_find(&t->pending, id, idn, h);
	if (e) {
		struct window *w = window_by_serial(t, (uint32_t)(e->v.u >> 32));
		struct pred *p = &w->p[e->v.u & 0xffffffffu];
		if (apply_label(t, w, p, r->time, c, run->msg, sizeof run->msg) < 0) {
			run->why = FS_REJ_LATE;
			/* the count stays: the window says how many came late */
			return -1;
		}
		return 0;
	}
	if (fs_hset_get(&t->written, h)) {
		char a[64];
		fs_time_format(r->time, a, sizeof a);
		return fs_run_reject(run, FS_REJ_LATE, "label at %s came after its prediction matured "
		                     "and its window was written (--maturity %s): not counted", a,
		                     t->cfg.maturity_arg);
	}
	/* no prediction yet: the label waits for it */
	if (t->qn == t->qcap) {
		t->qcap = t->qcap ? 2 * t->qcap : 1024;
		t->q = fs_xrealloc(t->q, t->qcap * sizeof *t->q);
	}
	struct waiting *l = &t->q[t->qn];
	int created;
	struct fs_hent *we = fs_hmap_upsert(&t->waiting, id, idn, h, &created);
	*l = (struct waiting){.t = r->time, .label = c, .live = 1, .prev = created ? 0 : we->v.u,
	                      .id = fs_xmalloc(idn ? idn : 1), .id_len = idn,
	                      .source = intern(t, r->source), .line = r->line,
	                      .text = fs_xmalloc(r->textlen ? r->textlen : 1), .text_len = r->textlen};
	memcpy(l->id, id, idn);
	memcpy(l->text, r->text, r->textlen);
	we->v.u = t->qbase + t->qn + 1;
	t->qn++;
	return 0;
}

/* ---------------------------------------------------------------- the end */

void fs_truth_finish(void *ctx, struct fs_run *run)
{
	struct fs_truth *t = ctx;
	t->run = run;
	if (t->cfg.keep_open)
		return;  /* --state: the next run goes on with them */
	for (size_t i = 0; i < t->nw; i++)
		write_metrics(t, t->w[i], 0);
	for (size_t i = t->qhead; i < t->qn; i++)
		if (t->q[i].live)
			reject_held(t, &t->q[i], FS_REJ_UNMATCHED, "no prediction with this id came "
			            "before the end of input");
}

int fs_truth_status(const struct fs_truth *t)
{
	return t->fired ? FS_EX_ALERT : FS_EX_OK;
}

/* ---------------------------------------------------------------- state */

/* 2: each prediction's arm (a flag) and --compare-scores scores, and the
 * running comparison; a version 1 state (no comparison) still loads. */
#define PAYLOAD_VERSION 2

void fs_truth_save(void *ctx, struct fs_state_writer *sw)
{
	struct fs_truth *t = ctx;
	struct fs_buf *b = fs_state_buf(sw);
	fs_put_u64(b, PAYLOAD_VERSION);
	fs_put_u64(b, (uint64_t)t->kind);
	fs_put_u64(b, (uint64_t)t->k);
	fs_put_i64(b, t->clock);
	fs_put_u64(b, (uint64_t)t->have_clock);
	fs_put_i64(b, t->written_below);
	fs_put_u64(b, t->predictions);
	fs_put_u64(b, (uint64_t)t->fired);
	fs_put_u64(b, t->nw);
	for (size_t i = 0; i < t->nw; i++) {
		const struct window *w = t->w[i];
		fs_put_i64(b, w->key);
		fs_put_i64(b, w->tmin);
		fs_put_i64(b, w->tmax);
		fs_put_u64(b, w->n);
		fs_put_u64(b, w->cursor);
		fs_put_u64(b, w->duplicates);
		fs_put_u64(b, w->late);
		for (size_t j = 0; j < w->n; j++) {
			const struct pred *p = &w->p[j];
			fs_put_i64(b, p->t);
			fs_put_i64(b, p->t_label);
			fs_put_u64(b, p->nlabels);
			fs_put_i64(b, p->label);
			fs_put_u64(b, (uint64_t)p->final | (uint64_t)p->absent << 1 | (uint64_t)p->arm << 2);
			for (int c = 0; c < t->k; c++)
				fs_put_f64(b, w->prob[j * (size_t)t->k + (size_t)c]);
			if (t->cmp == CMP_SCORES) {
				fs_put_f64(b, w->alt[2 * j]);
				fs_put_f64(b, w->alt[2 * j + 1]);
			}
			fs_put_bytes(b, w->ids.p + p->id_off, p->id_len);
			fs_put_bytes(b, t->cfg.emit_joined ? w->lines.p + p->line_off : "", p->line_len);
			fs_state_flush(sw);
		}
	}
	uint64_t live = 0;
	for (size_t i = t->qhead; i < t->qn; i++)
		live += t->q[i].live;
	fs_put_u64(b, live);
	for (size_t i = t->qhead; i < t->qn; i++) {
		const struct waiting *l = &t->q[i];
		if (!l->live)
			continue;
		fs_put_i64(b, l->t);
		fs_put_i64(b, l->label);
		fs_put_bytes(b, l->id, l->id_len);
		fs_put_bytes(b, l->source, strlen(l->source));
		fs_put_u64(b, l->line);
		fs_put_bytes(b, l->text, l->text_len);
		fs_state_flush(sw);
	}
	fs_put_i64(b, t->written_swept);
	fs_put_u64(b, t->written.n);
	for (size_t i = 0; i < t->written.cap; i++) {
		if (!t->written.e[i].h)
			continue;
		fs_put_u64(b, t->written.e[i].h);
		fs_put_u64(b, t->written.e[i].v);
	}
	const struct running *rn = &t->running;
	fs_put_u64(b, rn->looks);
	fs_put_f64(b, rn->spent);
	fs_put_i64(b, rn->start);
	fs_put_u64(b, (uint64_t)rn->done);
	fs_put_u64(b, rn->x.n);
	for (size_t i = 0; i < rn->x.n; i++) {
		fs_put_f64(b, rn->x.s[0][i]);
		fs_put_f64(b, rn->x.s[1][i]);
		fs_put_u64(b, (uint64_t)rn->x.arm[i] << 1 | (uint64_t)rn->x.y[i]);
		if (i % 4096 == 4095)
			fs_state_flush(sw);
	}
}

int fs_truth_load(void *ctx, const unsigned char *data, size_t n)
{
	struct fs_truth *t = ctx;
	struct fs_rd r = {data, data + n, 1};
	size_t len;
	uint64_t version = fs_get_u64(&r);
	if (version != 1 && version != PAYLOAD_VERSION)
		return -1;
	t->kind = (enum kind)fs_get_u64(&r);
	t->k = (int)fs_get_u64(&r);
	if (t->kind > K_MULTI || t->k < 0 || t->k > 1 << 20)
		return -1;
	if (t->k)
		t->prob = fs_xrealloc(t->prob, (size_t)t->k * sizeof *t->prob);
	if (t->kind != K_UNKNOWN && t->absent) {
		t->absent_class = label_class(t, t->absent);
		if (!label_ok(t, t->absent_class))
			return -1;
	}
	t->clock = fs_get_i64(&r);
	t->have_clock = (int)fs_get_u64(&r);
	t->written_below = fs_get_i64(&r);
	t->predictions = fs_get_u64(&r);
	t->fired = 0;  /* alerts are each run's own */
	(void)fs_get_u64(&r);
	uint64_t nw = fs_get_u64(&r);
	for (uint64_t i = 0; i < nw && r.ok; i++) {
		struct window *w = window_find(t, fs_get_i64(&r), 1);
		w->tmin = fs_get_i64(&r);
		w->tmax = fs_get_i64(&r);
		uint64_t np = fs_get_u64(&r);
		w->cursor = fs_get_u64(&r);
		w->duplicates = fs_get_u64(&r);
		w->late = fs_get_u64(&r);
		if (np > (uint64_t)(r.end - r.p) || w->cursor > np)
			return -1;
		w->cap = np ? np : 1;
		w->p = fs_xcalloc(w->cap, sizeof *w->p);
		w->prob = fs_xcalloc(w->cap * (size_t)(t->k ? t->k : 1), sizeof *w->prob);
		if (t->cmp == CMP_SCORES)
			w->alt = fs_xcalloc(w->cap * 2, sizeof *w->alt);
		for (uint64_t j = 0; j < np && r.ok; j++) {
			struct pred *p = &w->p[j];
			p->t = fs_get_i64(&r);
			p->t_label = fs_get_i64(&r);
			p->nlabels = (uint32_t)fs_get_u64(&r);
			p->label = (int32_t)fs_get_i64(&r);
			uint64_t flags = fs_get_u64(&r);
			p->final = flags & 1;
			p->absent = (flags >> 1) & 1;
			p->arm = (flags >> 2) & 1;
			for (int c = 0; c < t->k; c++)
				w->prob[j * (size_t)t->k + (size_t)c] = fs_get_f64(&r);
			if (t->cmp == CMP_SCORES) {
				w->alt[2 * j] = fs_get_f64(&r);
				w->alt[2 * j + 1] = fs_get_f64(&r);
			}
			const char *id = fs_get_bytes(&r, &len);
			if (!r.ok)
				return -1;
			p->id_off = w->ids.len;
			p->id_len = (uint32_t)len;
			fs_buf_put(&w->ids, id, len);
			int created;
			struct fs_hent *e = fs_hmap_upsert(&t->pending, id, len, fs_hash(id, len), &created);
			e->v.u = (uint64_t)w->serial << 32 | j;
			const char *line = fs_get_bytes(&r, &len);
			p->line_off = w->lines.len;
			p->line_len = (uint32_t)len;
			fs_buf_put(&w->lines, line, len);
			w->n++;
		}
	}
	uint64_t nq = fs_get_u64(&r);
	if (nq > (uint64_t)(r.end - r.p))
		return -1;
	for (uint64_t i = 0; i < nq && r.ok; i++) {
		if (t->qn == t->qcap) {
			t->qcap = t->qcap ? 2 * t->qcap : 1024;
			t->q = fs_xrealloc(t->q, t->qcap * sizeof *t->q);
		}
		struct waiting *l = &t->q[t->qn];
		memset(l, 0, sizeof *l);
		l->t = fs_get_i64(&r);
		l->label = (int32_t)fs_get_i64(&r);
		l->live = 1;
		const char *id = fs_get_bytes(&r, &l->id_len);
		const char *src = fs_get_bytes(&r, &len);
		l->line = fs_get_u64(&r);
		const char *text = fs_get_bytes(&r, &l->text_len);
		if (!r.ok)
			return -1;
		char *s = fs_xmalloc(len + 1);
		memcpy(s, src, len);
		s[len] = 0;
		l->source = intern(t, s);
		free(s);
		l->id = fs_xmalloc(l->id_len ? l->id_len : 1);
		memcpy(l->id, id, l->id_len);
		l->text = fs_xmalloc(l->text_len ? l->text_len : 1);
		memcpy(l->text, text, l->text_len);
		int created;
		struct fs_hent *e = fs_hmap_upsert(&t->waiting, l->id, l->id_len,
		                                   fs_hash(l->id, l->id_len), &created);
		l->prev = created ? 0 : e->v.u;
		e->v.u = t->qbase + t->qn + 1;
		t->qn++;
	}
	t->written_swept = fs_get_i64(&r);
	uint64_t nwr = fs_get_u64(&r);
	if (nwr > (uint64_t)(r.end - r.p))
		return -1;
	for (uint64_t i = 0; i < nwr && r.ok; i++) {
		uint64_t h = fs_get_u64(&r);
		uint64_t until = fs_get_u64(&r);
		if (r.ok && h)
			*fs_hset_put(&t->written, h) = until;
	}
	if (version >= 2) {
		struct running *rn = &t->running;
		rn->looks = fs_get_u64(&r);
		rn->spent = fs_get_f64(&r);
		rn->start = fs_get_i64(&r);
		rn->done = (int)fs_get_u64(&r);
		uint64_t ns = fs_get_u64(&r);
		if (ns > (uint64_t)(r.end - r.p) || (ns && !t->cfg.horizon))
			return -1;
		for (uint64_t i = 0; i < ns && r.ok; i++) {
			double s0 = fs_get_f64(&r), s1 = fs_get_f64(&r);
			uint64_t f = fs_get_u64(&r);
			sample_add(&rn->x, s0, s1, (uint8_t)((f >> 1) & 1), (int)(f & 1));
		}
	}
	return r.ok && r.p == r.end ? 0 : -1;
}

/* ---------------------------------------------------------------- setup */

static int parse_alert(struct alert *a, const char *text, int cmp, char *err, size_t errsize)
{
	const char *op = strpbrk(text, "<>");
	if (!op) {
		snprintf(err, errsize, "--alert %s: write metric<value, metric<=value, metric>value "
		         "or metric>=value (recall<0.6)", text);
		return -1;
	}
	size_t mn = (size_t)(op - text);
	while (mn && text[mn - 1] == ' ')
		mn--;
	a->text = fs_xstrdup(text);
	a->metric = fs_xmalloc(mn + 1);
	memcpy(a->metric, text, mn);
	a->metric[mn] = 0;
	int eq = op[1] == '=';
	a->op = op[0] == '<' ? (eq ? 'l' : '<') : (eq ? 'g' : '>');
	const char *v = op + 1 + eq;
	char *end;
	a->limit = strtod(v, &end);
	while (*end == ' ')
		end++;
	if (end == v || *end || !isfinite(a->limit)) {
		snprintf(err, errsize, "--alert %s: \"%s\" is not a number", text, v);
		return -1;
	}
	if (metric_of(K_UNKNOWN, a->metric) || (cmp && compare_metric(a->metric)))
		return 0;
	if (!cmp && compare_metric(a->metric)) {
		snprintf(err, errsize, "--alert %s: %s is a number of a comparison: add --compare FIELD "
		         "or --compare-scores A,B", text, a->metric);
		return -1;
	}
	snprintf(err, errsize, "--alert %s: no metric \"%s\"; a binary model's are %s; a "
	         "multiclass model's are %s%s%s%s%s", text, a->metric, binary_list, multi_list,
	         cmp ? "; a comparison's are champion_ or challenger_ before " : "",
	         cmp ? arm_list : "", cmp ? ", and " : "", cmp ? test_list : "");
	return -1;
}

struct fs_truth *fs_truth_new(const struct fs_truth_config *cfg, char *err, size_t errsize)
{
	struct fs_truth *t = fs_xcalloc(1, sizeof *t);
	t->cfg = *cfg;
	t->written_below = INT64_MIN;
	t->written_swept = INT64_MIN;
	if (!(t->id = path(cfg->id, "--id", err, errsize)) ||
	    !(t->label = path(cfg->label_field, "--label-field", err, errsize)) ||
	    !(t->score = path(cfg->score_field ? cfg->score_field : "score", "--score-field", err, errsize)))
		goto fail;
	if (!cfg->score_field)
		t->scores = path("scores", "--score-field", err, errsize);
	if (cfg->classes) {
		t->classes = fs_cli_list(cfg->classes, &t->nclasses);
		for (size_t i = 0; i < t->nclasses; i++) {
			if (!*t->classes[i]) {
				snprintf(err, errsize, "--classes %s: a class name is empty", cfg->classes);
				goto fail;
			}
		}
		if (t->nclasses < 2) {
			snprintf(err, errsize, "--classes %s: name two or more classes", cfg->classes);
			goto fail;
		}
	}
	if (cfg->absent_label) {
		json_error_t je;
		t->absent = json_loads(cfg->absent_label, JSON_DECODE_ANY, &je);
		if (!t->absent)
			t->absent = json_string(cfg->absent_label);  /* a class name, unquoted */
		if (!t->absent || label_class(t, t->absent) == LABEL_INVALID) {
			snprintf(err, errsize, "--absent-label %s: not a class (0/1, true/false, a class "
			         "number or a --classes name)", cfg->absent_label);
			goto fail;
		}
	}
	if (cfg->compare && cfg->compare_scores) {
		snprintf(err, errsize, "--compare and --compare-scores exclude each other: an A/B split "
		         "has an arm per prediction, a shadow comparison two scores");
		goto fail;
	}
	if (cfg->compare) {
		t->cmp = CMP_ARMS;
		if (!(t->arm_path = path(cfg->compare, "--compare", err, errsize)))
			goto fail;
		const char *arms = cfg->arms ? cfg->arms : "champion,challenger";
		t->arm_names = fs_cli_list(arms, &t->narm_names);
		if (t->narm_names != 2 || !*t->arm_names[0] || !*t->arm_names[1] ||
		    !strcmp(t->arm_names[0], t->arm_names[1])) {
			snprintf(err, errsize, "--arms %s: name two different values, the champion's "
			         "first (control,treatment)", arms);
			goto fail;
		}
	} else if (cfg->compare_scores) {
		t->cmp = CMP_SCORES;
		size_t n;
		char **names = fs_cli_list(cfg->compare_scores, &n);
		int ok = n == 2 && *names[0] && *names[1] && strcmp(names[0], names[1]);
		if (ok && (!(t->alt[0] = path(names[0], "--compare-scores", err, errsize)) ||
		           !(t->alt[1] = path(names[1], "--compare-scores", err, errsize)))) {
			fs_cli_list_free(names, n);
			goto fail;
		}
		fs_cli_list_free(names, n);
		if (!ok) {
			snprintf(err, errsize, "--compare-scores %s: name two different score fields, the "
			         "champion's first (score,score_shadow)", cfg->compare_scores);
			goto fail;
		}
	}
	const char *needs = cfg->arms ? "--arms" : cfg->horizon ? "--horizon" : NULL;
	if (!t->cmp && needs) {
		snprintf(err, errsize, "%s is an option of --compare%s", needs,
		         cfg->arms ? "" : " and --compare-scores");
		goto fail;
	}
	if (cfg->arms && t->cmp != CMP_ARMS) {
		snprintf(err, errsize, "--arms names the values of --compare FIELD; --compare-scores "
		         "names its two score fields itself");
		goto fail;
	}
	t->z = fs_norm_isf(cfg->alpha / 2);
	t->alerts = fs_xcalloc((size_t)cfg->nalerts + 1, sizeof *t->alerts);
	for (int i = 0; i < cfg->nalerts; i++) {
		t->nalerts++;
		if (parse_alert(&t->alerts[i], cfg->alerts[i], t->cmp, err, errsize) < 0)
			goto fail;
	}
	/* What a state depends on; --threshold, --alert and --provisional
	 * only change what is written, and may change between runs. */
	struct fs_buf c = {0};
	char m[64], w[64];
	fs_duration_format(cfg->maturity_ns, m, sizeof m);
	if (cfg->window_ns)
		fs_duration_format(cfg->window_ns, w, sizeof w);
	else
		snprintf(w, sizeof w, "%" PRIu64, cfg->window_events);
	fs_buf_puts(&c, "fsgroundtruth 1\nid ");
	fs_buf_puts(&c, cfg->id);
	fs_buf_puts(&c, "\nlabel-field ");
	fs_buf_puts(&c, cfg->label_field);
	fs_buf_puts(&c, "\nscore-field ");
	fs_buf_puts(&c, cfg->score_field ? cfg->score_field : "score|scores");
	fs_buf_puts(&c, "\nclasses ");
	fs_buf_puts(&c, cfg->classes ? cfg->classes : "");
	fs_buf_puts(&c, "\nmaturity ");
	fs_buf_puts(&c, m);
	fs_buf_puts(&c, "\nwindow ");
	fs_buf_puts(&c, w);
	fs_buf_puts(&c, "\nabsent-label ");
	fs_buf_puts(&c, cfg->absent_label ? cfg->absent_label : "");
	fs_buf_puts(&c, "\nemit ");
	fs_buf_puts(&c, cfg->emit_joined ? "joined" : "");
	fs_buf_puts(&c, "\ntime-field ");
	fs_buf_puts(&c, cfg->time_field ? cfg->time_field : "ts");
	fs_buf_puts(&c, "\nlabel-time-field ");
	fs_buf_puts(&c, cfg->label_time_field ? cfg->label_time_field : "");
	fs_buf_puts(&c, "\ntime-unit ");
	fs_buf_puts(&c, cfg->time_unit ? cfg->time_unit : "s");
	fs_buf_putc(&c, '\n');
	if (t->cmp) {
		/* the state holds each prediction's arm or scores, and the running
		 * comparison's looks */
		fs_buf_puts(&c, t->cmp == CMP_ARMS ? "compare " : "compare-scores ");
		fs_buf_puts(&c, t->cmp == CMP_ARMS ? cfg->compare : cfg->compare_scores);
		if (t->cmp == CMP_ARMS) {
			fs_buf_puts(&c, "\narms ");
			fs_buf_puts(&c, cfg->arms ? cfg->arms : "champion,challenger");
		}
		char h[96];
		snprintf(h, sizeof h, "\nhorizon %" PRIu64 "\n", cfg->horizon);
		fs_buf_puts(&c, h);
		if (cfg->horizon) {
			char a[FS_DBL_MAX];
			fs_fmt_double(a, cfg->alpha);
			fs_buf_puts(&c, "spending ");
			fs_buf_puts(&c, fs_spending_name((enum fs_spending)cfg->spending));
			fs_buf_puts(&c, "\nalpha ");
			fs_buf_puts(&c, a);
			fs_buf_putc(&c, '\n');
		}
	}
	t->canonical = fs_xstrdup(fs_buf_cstr(&c));
	fs_buf_free(&c);
	return t;
fail:
	fs_truth_free(t);
	return NULL;
}

const char *fs_truth_canonical(const struct fs_truth *t)
{
	return t->canonical;
}

void fs_truth_free(struct fs_truth *t)
{
	if (!t)
		return;
	fs_path_free(t->id);
	fs_path_free(t->label);
	fs_path_free(t->score);
	fs_path_free(t->scores);
	if (t->classes)
		fs_cli_list_free(t->classes, t->nclasses);
	json_decref(t->absent);
	for (int i = 0; i < t->nalerts; i++) {
		free(t->alerts[i].text);
		free(t->alerts[i].metric);
	}
	free(t->alerts);
	free(t->canonical);
	for (size_t i = 0; i < t->nw; i++)
		window_free(t->w[i]);
	free(t->wbase);
	fs_hmap_free(&t->serials);
	fs_hmap_free(&t->pending);
	for (size_t i = t->qhead; i < t->qn; i++) {
		free(t->q[i].id);
		free(t->q[i].text);
	}
	free(t->q);
	fs_hmap_free(&t->waiting);
	fs_hset_free(&t->written);
	fs_hmap_foreach(&t->sources, e) free(e->v.p);
	fs_hmap_free(&t->sources);
	fs_buf_free(&t->text);
	fs_buf_free(&t->armtext);
	free(t->prob);
	fs_path_free(t->arm_path);
	fs_path_free(t->alt[0]);
	fs_path_free(t->alt[1]);
	if (t->arm_names)
		fs_cli_list_free(t->arm_names, t->narm_names);
	sample_free(&t->running.x);
	free(t);
}
