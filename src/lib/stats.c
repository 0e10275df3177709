/* stats.c: normal tails, Wilson, DeLong, alpha spending (see stats.h).
 *
 * DeLong's structural components come from one sort of the scores, as in
 * Sun and Xu (2014): a positive's component is the share of negatives
 * scored below it (ties counting half), a negative's the share of
 * positives scored above it; the O(m n) double sum of the paper gives the
 * same numbers, which the oracle test checks.
 */
#include "stats.h"
#include "diag.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double fs_norm_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

/* Acklam's rational approximation of the lower quantile (relative error
 * 1.2e-9), then two Halley steps on erfc, which make it exact to the last
 * bits or so. */
double fs_norm_isf(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
	                           -2.759285104469687e+02, 1.383577518672690e+02,
	                           -3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
	                           -1.556989798598866e+02, 6.680131188771972e+01,
	                           -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
	                           -2.400758277161838e+00, -2.549732539343734e+00,
	                           4.374664141464968e+00, 2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	                           2.445134137142996e+00, 3.754408661907416e+00};
	if (!(p > 0 && p < 1))
		return p == 0 ? INFINITY : p == 1 ? -INFINITY : NAN;
	double q = 1 - p, x;  /* the lower quantile of q is our z */
	double lo = q < 0.5 ? q : p;  /* the smaller tail, taken without cancellation */
	if (lo < 0.02425) {
		double r = sqrt(-2 * log(lo));
		x = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) /
		    ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
		if (q > 0.5)
			x = -x;
	} else {
		double s = q - 0.5, r = s * s;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * s /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	/* x is the lower quantile of q, so P(Z > x) should be p */
	for (int i = 0; i < 2; i++) {
		double e = fs_norm_sf(x) - p;
		double u = -e * sqrt(2 * M_PI) * exp(x * x / 2);
		x = x - u / (1 + x * u / 2);
	}
	return x;
}

void fs_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
	if (!n) {
		*lo = *hi = NAN;
		return;
	}
	double nn = (double)n, p = (double)k / nn, z2 = z * z;
	double denom = 1 + z2 / nn;
	double center = (p + z2 / (2 * nn)) / denom;
	double half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
	*lo = center - half;
	*hi = center + half;
}

struct ranked {
	double s;
	size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return x->s < y->s ? -1 : x->s > y->s ? 1 : (x->i > y->i) - (x->i < y->i);
}

/* v[i]: a positive's share of negatives below it, a negative's share of
 * positives above it (ties half). Returns the AUC. */
static double components(const double *score, const int *label, size_t n, size_t m, size_t nn,
                         struct ranked *r, double *v)
{
	for (size_t i = 0; i < n; i++)
		r[i] = (struct ranked){score[i], i};
	qsort(r, n, sizeof *r, cmp_ranked);
	size_t neg_below = 0, pos_below = 0;
	double sum = 0;
	for (size_t g = 0; g < n;) {
		size_t e = g, pos = 0, neg = 0;
		while (e < n && r[e].s == r[g].s) {
			if (label[r[e].i])
				pos++;
			else
				neg++;
			e++;
		}
		double v10 = ((double)neg_below + 0.5 * (double)neg) / (double)nn;
		double v01 = ((double)(m - pos_below - pos) + 0.5 * (double)pos) / (double)m;
		for (size_t j = g; j < e; j++)
			v[r[j].i] = label[r[j].i] ? v10 : v01;
		sum += (double)pos * v10;
		neg_below += neg;
		pos_below += pos;
		g = e;
	}
	return sum / (double)m;
}

void fs_delong(const double *const *score, int k, const int *label, size_t n,
               struct fs_delong *d)
{
	memset(d, 0, sizeof *d);
	for (size_t i = 0; i < n; i++)
		d->positives += label[i] != 0;
	d->negatives = n - d->positives;
	size_t m = d->positives, nn = d->negatives;
	d->cov = NAN;
	for (int j = 0; j < 2; j++)
		d->auc[j] = d->var[j] = NAN;
	if (!m || !nn)
		return;
	struct ranked *r = fs_xmalloc(n * sizeof *r);
	double *v[2] = {fs_xmalloc(n * sizeof *v[0]), k > 1 ? fs_xmalloc(n * sizeof *v[1]) : NULL};
	for (int j = 0; j < k; j++)
		d->auc[j] = components(score[j], label, n, m, nn, r, v[j]);
	if (m >= 2 && nn >= 2) {
		/* S10 and S01 of the paper: the components' (co)variances over the
		 * positives and over the negatives */
		double s10[3] = {0, 0, 0}, s01[3] = {0, 0, 0};
		for (size_t i = 0; i < n; i++) {
			double a = v[0][i] - d->auc[0];  /* both kinds of component average to the AUC */
			double b = k > 1 ? v[1][i] - d->auc[1] : 0;
			double *s = label[i] ? s10 : s01;
			s[0] += a * a;
			s[1] += b * b;
			s[2] += a * b;
		}
		for (int j = 0; j < 3; j++) {
			s10[j] /= (double)(m - 1);
			s01[j] /= (double)(nn - 1);
		}
		for (int j = 0; j < k; j++)
			d->var[j] = s10[j] / (double)m + s01[j] / (double)nn;
		if (k > 1)
			d->cov = s10[2] / (double)m + s01[2] / (double)nn;
	}
	free(r);
	free(v[0]);
	free(v[1]);
}

double fs_spent(enum fs_spending f, double alpha, double t)
{
	if (t >= 1)
		return alpha;
	if (t <= 0)
		return 0;
	switch (f) {
	case FS_SPEND_OBF:
		return 2 * fs_norm_sf(fs_norm_isf(alpha / 2) / sqrt(t));
	case FS_SPEND_POCOCK:
		return alpha * log(1 + (M_E - 1) * t);
	case FS_SPEND_FIXED:
		return 0;
	default:
		return alpha;
	}
}

static const char *const spend_names[] = {"obf", "pocock", "fixed", "none"};

int fs_spending_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, spend_names[i]))
			return i;
	return -1;
}

const char *fs_spending_name(enum fs_spending f)
{
	return spend_names[f];
}
