/* stats.h: the statistics of a comparison between two models.
 *
 * The standard normal's tail and its inverse (to the last bits, as scipy's
 * norm.sf and norm.isf), Wilson's score interval for a proportion (as
 * statsmodels' proportion_confint(method="wilson")), DeLong, DeLong and
 * Clarke-Pearson's (1988) variance of the ROC AUC and covariance of two
 * AUCs of the same events, and the Lan-DeMets alpha-spending functions of a
 * group-sequential test.
 */
#ifndef FS_STATS_H
#define FS_STATS_H

#include <stddef.h>
#include <stdint.h>

/* P(Z > z) for a standard normal Z. */
double fs_norm_sf(double z);
/* The z with P(Z > z) = p, for 0 < p < 1. */
double fs_norm_isf(double p);

/* Wilson's interval for k successes in n trials at the level whose
 * two-sided critical value is z; NAN bounds when n is 0. */
void fs_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);

/* DeLong's estimate for k (1 or 2) scores of the same n events: each AUC,
 * its variance, and for k = 2 their covariance. The variance needs two
 * positives and two negatives; without them var and cov are NAN (and the
 * AUC too when a class is absent). */
struct fs_delong {
	size_t positives, negatives;
	double auc[2], var[2], cov;
};
void fs_delong(const double *const *score, int k, const int *label, size_t n,
               struct fs_delong *d);

/* The alpha a group-sequential test has spent once a share t (0..1] of its
 * labels is in: Lan and DeMets' O'Brien-Fleming-like and Pocock-like
 * functions, a fixed horizon (nothing before t = 1), or none at all (every
 * look at the full alpha: the naive way, whose error rate grows with the
 * number of looks). */
enum fs_spending { FS_SPEND_OBF, FS_SPEND_POCOCK, FS_SPEND_FIXED, FS_SPEND_NONE };
double fs_spent(enum fs_spending f, double alpha, double t);
/* "obf", "pocock", "fixed", "none"; -1 for another name. */
int fs_spending_parse(const char *name);
const char *fs_spending_name(enum fs_spending f);

#endif
