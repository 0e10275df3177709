/* test_stats.c: the comparison statistics on cases small enough to check by
 * hand (tests/oracle/fsgroundtruth-compare.sh holds them to statsmodels and
 * to a transcription of DeLong et al. on large ones). */
#include <criterion/criterion.h>

#include "lib/stats.h"

#include <math.h>

Test(stats, norm_isf_inverts_norm_sf_to_the_last_bits)
{
	/* scipy.stats.norm.isf(0.025), isf(0.005), isf(1e-10) */
	cr_assert_float_eq(fs_norm_isf(0.025), 1.9599639845400545, 1e-15);
	cr_assert_float_eq(fs_norm_isf(0.005), 2.575829303548901, 1e-15);
	cr_assert_float_eq(fs_norm_isf(1e-10), 6.361340902404056, 1e-13);
	cr_assert_float_eq(fs_norm_isf(0.5), 0, 1e-16);
	cr_assert_float_eq(fs_norm_isf(0.975), -1.959963984540054, 1e-15);
	for (double p = 1e-12; p < 1; p *= 1.7)
		cr_assert_float_eq(fs_norm_sf(fs_norm_isf(p)) / p, 1, 1e-12, "p %g", p);
}

Test(stats, wilson_interval_of_8_in_10_at_95_percent)
{
	/* statsmodels proportion_confint(8, 10, 0.05, "wilson") */
	double lo, hi;
	fs_wilson(8, 10, fs_norm_isf(0.025), &lo, &hi);
	cr_assert_float_eq(lo, 0.49016247153664183, 1e-15);
	cr_assert_float_eq(hi, 0.9433178485456247, 1e-15);
}

Test(stats, wilson_interval_stays_inside_0_1_at_the_edges)
{
	double lo, hi, z = fs_norm_isf(0.025);
	fs_wilson(0, 5, z, &lo, &hi);
	cr_assert_float_eq(lo, 0, 1e-16);
	cr_assert(hi > 0.4 && hi < 0.5);
	fs_wilson(5, 5, z, &lo, &hi);
	cr_assert_float_eq(hi, 1, 1e-15);
	fs_wilson(0, 0, z, &lo, &hi);
	cr_assert(isnan(lo) && isnan(hi));
}

/* Two positives, two negatives: every structural component by hand. */
Test(stats, delong_variance_of_a_four_event_case_by_hand)
{
	/* positives 0.9, 0.4; negatives 0.5, 0.1.
	 * V10: 0.9 beats both = 1, 0.4 beats one = 0.5; V01: 0.5 is beaten by
	 * one = 0.5, 0.1 by both = 1. AUC 0.75; S10 = S01 = 2 * 0.25^2 / 1 = 0.125;
	 * var = 0.125 / 2 + 0.125 / 2 = 0.125. */
	double s[] = {0.9, 0.4, 0.5, 0.1};
	int y[] = {1, 1, 0, 0};
	const double *sc[] = {s};
	struct fs_delong d;
	fs_delong(sc, 1, y, 4, &d);
	cr_assert_eq(d.positives, 2);
	cr_assert_eq(d.negatives, 2);
	cr_assert_float_eq(d.auc[0], 0.75, 1e-15);
	cr_assert_float_eq(d.var[0], 0.125, 1e-15);
}

Test(stats, delong_counts_ties_half_and_a_score_with_itself_covaries_fully)
{
	double s[] = {0.5, 0.5, 0.5, 0.2, 0.9};
	int y[] = {1, 0, 0, 0, 1};
	const double *sc[] = {s, s};
	struct fs_delong d;
	fs_delong(sc, 2, y, 5, &d);
	/* pairs: 0.5 vs (0.5, 0.5, 0.2) = 0.5 + 0.5 + 1, 0.9 vs all = 3: 5 / 6 */
	cr_assert_float_eq(d.auc[0], 5.0 / 6, 1e-15);
	cr_assert_float_eq(d.auc[1], d.auc[0], 0);
	cr_assert_float_eq(d.cov, d.var[0], 1e-15);
}

Test(stats, delong_is_undefined_without_both_classes)
{
	double s[] = {0.1, 0.2, 0.3};
	int y[] = {1, 1, 1};
	const double *sc[] = {s};
	struct fs_delong d;
	fs_delong(sc, 1, y, 3, &d);
	cr_assert(isnan(d.auc[0]) && isnan(d.var[0]));
	int y2[] = {1, 1, 0};
	fs_delong(sc, 1, y2, 3, &d);  /* an AUC, but one negative gives no variance */
	cr_assert_float_eq(d.auc[0], 0, 1e-15);
	cr_assert(isnan(d.var[0]));
}

Test(stats, spending_functions_reach_alpha_at_the_horizon_and_obf_spends_little_early)
{
	for (int f = 0; f < 4; f++)
		cr_assert_float_eq(fs_spent((enum fs_spending)f, 0.05, 1), 0.05, 1e-15);
	cr_assert(fs_spent(FS_SPEND_OBF, 0.05, 0.1) < 1e-6);
	cr_assert_float_eq(fs_spent(FS_SPEND_OBF, 0.05, 0.5), 2 * fs_norm_sf(1.959963984540054 / sqrt(0.5)), 1e-15);
	cr_assert_float_eq(fs_spent(FS_SPEND_POCOCK, 0.05, 0.5), 0.05 * log(1 + (M_E - 1) * 0.5), 1e-15);
	cr_assert_eq(fs_spent(FS_SPEND_FIXED, 0.05, 0.99), 0);
	cr_assert_eq(fs_spent(FS_SPEND_NONE, 0.05, 0.01), 0.05);
	cr_assert_eq(fs_spending_parse("pocock"), FS_SPEND_POCOCK);
	cr_assert_eq(fs_spending_parse("bonferroni"), -1);
}
