/* metrics.c: quantiles and classification metrics (see metrics.h).
 *
 * Sums are compensated (Neumaier), so that a window of a million
 * predictions still agrees with numpy's pairwise sums to 1e-12 or so.
 */
#include "metrics.h"
#include "diag.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int fs_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double fs_quantile_sorted(const double *x, size_t n, double q)
{
	/* numpy interpolates from the nearer end: the same bits as numpy */
	double h = q * (double)(n - 1);
	size_t i = (size_t)floor(h);
	if (i >= n - 1)
		return x[n - 1];
	double t = h - (double)i, a = x[i], b = x[i + 1], diff = b - a;
	return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

struct sum {
	double s, c;
};

static void add(struct sum *k, double v)
{
	double t = k->s + v;
	if (fabs(k->s) >= fabs(v))
		k->c += (k->s - t) + v;
	else
		k->c += (v - t) + k->s;
	k->s = t;
}

static double total(const struct sum *k)
{
	return k->s + k->c;
}

static int by_score_desc(const void *a, const void *b)
{
	double x = ((const struct fs_scored *)a)->score, y = ((const struct fs_scored *)b)->score;
	return (x < y) - (x > y);
}

/* log_loss's clipping: numpy's float64 machine epsilon. */
static double clip(double p)
{
	return p < DBL_EPSILON ? DBL_EPSILON : p > 1 - DBL_EPSILON ? 1 - DBL_EPSILON : p;
}

/* calibration_curve's bin: numpy.searchsorted(linspace(0, 1, 11)[1:-1], p),
 * the edges being k * 0.1 as linspace computes them. */
static int ece_bin(double p)
{
	int b = 0;
	while (b < 9 && (double)(b + 1) * 0.1 < p)
		b++;
	return b;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : NAN;
}

void fs_binary_metrics(struct fs_scored *x, size_t n, double threshold,
                       struct fs_binary_metrics *m)
{
	memset(m, 0, sizeof *m);
	m->n = n;
	struct sum ll = {0}, br = {0}, bin_p[10] = {{0}};
	uint64_t bin_n[10] = {0}, bin_y[10] = {0};
	for (size_t i = 0; i < n; i++) {
		double p = x[i].score;
		int y = x[i].label;
		int pos = p >= threshold;
		m->positives += (uint64_t)y;
		m->tp += (uint64_t)(pos && y);
		m->fp += (uint64_t)(pos && !y);
		m->tn += (uint64_t)(!pos && !y);
		m->fn += (uint64_t)(!pos && y);
		add(&ll, -log(y ? clip(p) : 1 - clip(p)));
		add(&br, (p - y) * (p - y));
		int b = ece_bin(p);
		bin_n[b]++;
		bin_y[b] += (uint64_t)y;
		add(&bin_p[b], p);
	}
	m->precision = ratio(m->tp, m->tp + m->fp);
	m->recall = ratio(m->tp, m->tp + m->fn);
	m->f1 = ratio(2 * m->tp, 2 * m->tp + m->fp + m->fn);
	m->accuracy = ratio(m->tp + m->tn, n);
	m->log_loss = n ? total(&ll) / (double)n : NAN;
	m->brier = n ? total(&br) / (double)n : NAN;
	if (n) {
		struct sum e = {0};
		for (int b = 0; b < 10; b++)
			if (bin_n[b])
				add(&e, (double)bin_n[b] / (double)n *
				        fabs((double)bin_y[b] / (double)bin_n[b] - total(&bin_p[b]) / (double)bin_n[b]));
		m->ece = total(&e);
	} else {
		m->ece = NAN;
	}
	uint64_t npos = m->positives, nneg = n - npos;
	m->roc_auc = m->pr_auc = NAN;
	if (!n)
		return;
	/* Both AUCs walk the predictions from the highest score down, a group
	 * of tied scores at a time (a tie is one threshold). */
	qsort(x, n, sizeof *x, by_score_desc);
	uint64_t tp = 0, fp = 0;
	double auc = 0;             /* in units of one positive x one negative */
	struct sum ap = {0};
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint64_t gp = 0, gn = 0;
		while (j < n && x[j].score == x[i].score) {
			gp += (uint64_t)x[j].label;
			gn += (uint64_t)!x[j].label;
			j++;
		}
		/* positives of this group beat the negatives below it, tie with its own */
		auc += (double)gp * ((double)nneg - (double)fp - (double)gn) + 0.5 * (double)gp * (double)gn;
		tp += gp;
		fp += gn;
		if (npos && gp)
			add(&ap, (double)gp / (double)npos * ((double)tp / (double)(tp + fp)));
		i = j;
	}
	if (npos && nneg)
		m->roc_auc = auc / ((double)npos * (double)nneg);
	if (npos)
		m->pr_auc = total(&ap);
}

void fs_multiclass_metrics(const double *probs, const int *label, size_t n, int k,
                           struct fs_multiclass_metrics *m)
{
	uint64_t *tp = fs_xcalloc((size_t)k * 3, sizeof *tp), *fp = tp + k, *fn = fp + k;
	uint64_t right = 0;
	struct sum ll = {0};
	for (size_t i = 0; i < n; i++) {
		const double *p = probs + i * (size_t)k;
		int best = 0;
		struct sum rowsum = {0};
		for (int c = 0; c < k; c++) {
			if (p[c] > p[best])
				best = c;
			add(&rowsum, clip(p[c]));
		}
		int y = label[i];
		if (best == y) {
			right++;
			tp[y]++;
		} else {
			fp[best]++;
			fn[y]++;
		}
		/* log_loss clips each probability, then renormalises the row */
		add(&ll, -log(clip(p[y]) / total(&rowsum)));
	}
	m->accuracy = ratio(right, n);
	m->log_loss = n ? total(&ll) / (double)n : NAN;
	/* f1_score(average="macro") averages over the classes that occur among
	 * the true or the predicted labels */
	struct sum f1 = {0};
	int classes = 0;
	for (int c = 0; c < k; c++) {
		if (!tp[c] && !fp[c] && !fn[c])
			continue;
		classes++;
		add(&f1, (double)(2 * tp[c]) / (double)(2 * tp[c] + fp[c] + fn[c]));
	}
	m->f1_macro = classes ? total(&f1) / classes : NAN;
	free(tp);
}
