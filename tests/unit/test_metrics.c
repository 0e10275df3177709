/* test_metrics.c: the metrics' definitions on cases small enough to check
 * by hand (tests/oracle/fsgroundtruth-sklearn.sh holds them to
 * scikit-learn on large ones). */
#include <criterion/criterion.h>

#include "lib/metrics.h"

#include <float.h>
#include <math.h>

#define EPS 1e-15

static struct fs_binary_metrics binary(struct fs_scored *x, size_t n, double threshold)
{
	struct fs_binary_metrics m;
	fs_binary_metrics(x, n, threshold, &m);
	return m;
}

Test(metrics, confusion_counts_a_score_at_the_threshold_as_positive)
{
	struct fs_scored x[] = {{0.5, 1}, {0.49, 1}, {0.5, 0}, {0.1, 0}, {0.9, 1}};
	struct fs_binary_metrics m = binary(x, 5, 0.5);
	cr_assert_eq(m.tp, 2);
	cr_assert_eq(m.fn, 1);
	cr_assert_eq(m.fp, 1);
	cr_assert_eq(m.tn, 1);
	cr_assert_float_eq(m.precision, 2.0 / 3, EPS);
	cr_assert_float_eq(m.recall, 2.0 / 3, EPS);
	cr_assert_float_eq(m.f1, 4.0 / 6, EPS);
	cr_assert_float_eq(m.accuracy, 0.6, EPS);
}

Test(metrics, roc_auc_counts_a_tied_pair_half)
{
	/* pairs (pos, neg): (0.8, 0.8) tie = 1/2, (0.8, 0.2) = 1, (0.4, 0.8) = 0, (0.4, 0.2) = 1 */
	struct fs_scored x[] = {{0.8, 1}, {0.4, 1}, {0.8, 0}, {0.2, 0}};
	cr_assert_float_eq(binary(x, 4, 0.5).roc_auc, 2.5 / 4, EPS);
}

Test(metrics, pr_auc_is_average_precision_one_step_per_distinct_score)
{
	/* descending: 0.9 (1), 0.7 (0), 0.5 (1) tied with 0.5 (0), 0.1 (1):
	 * recall steps 1/3 at P 1, 1/3 at P 2/4, 1/3 at P 3/5 */
	struct fs_scored x[] = {{0.1, 1}, {0.5, 0}, {0.9, 1}, {0.5, 1}, {0.7, 0}};
	cr_assert_float_eq(binary(x, 5, 0.5).pr_auc, (1.0 + 0.5 + 0.6) / 3, EPS);
}

Test(metrics, log_loss_clips_certain_wrong_scores_to_machine_epsilon)
{
	struct fs_scored x[] = {{0.0, 1}, {1.0, 1}};
	double want = (-log(DBL_EPSILON) - log(1 - DBL_EPSILON)) / 2;
	cr_assert_float_eq(binary(x, 2, 0.5).log_loss, want, 1e-12);
}

Test(metrics, brier_is_the_mean_squared_error_of_the_probability)
{
	struct fs_scored x[] = {{0.25, 1}, {0.5, 0}};
	cr_assert_float_eq(binary(x, 2, 0.5).brier, (0.5625 + 0.25) / 2, EPS);
}

Test(metrics, ece_bins_are_calibration_curves_right_closed_bins)
{
	/* 0.1 falls in bin 0 with 0.05, 0.3 in bin 2 (its edge 3 * 0.1 is
	 * 0.30000000000000004), 1.0 in bin 9 */
	struct fs_scored x[] = {{0.05, 0}, {0.1, 1}, {0.3, 0}, {1.0, 1}};
	/* bin 0: |1/2 - 0.075| * 2/4; bin 2: |0 - 0.3| / 4; bin 9: 0 */
	cr_assert_float_eq(binary(x, 4, 0.5).ece, 0.425 * 0.5 + 0.3 * 0.25, 1e-15);
}

Test(metrics, undefined_metrics_are_nan)
{
	struct fs_scored neg[] = {{0.2, 0}, {0.3, 0}};
	struct fs_binary_metrics m = binary(neg, 2, 0.5);
	cr_assert(isnan(m.precision), "nothing predicted positive");
	cr_assert(isnan(m.recall), "no positives");
	cr_assert(isnan(m.f1));
	cr_assert(isnan(m.roc_auc), "one class only");
	cr_assert(isnan(m.pr_auc), "no positives");
	cr_assert_float_eq(m.accuracy, 1.0, EPS);
	m = binary(NULL, 0, 0.5);
	cr_assert(isnan(m.accuracy) && isnan(m.log_loss) && isnan(m.brier) && isnan(m.ece));
}

Test(metrics, macro_f1_averages_the_classes_in_labels_or_predictions)
{
	/* classes 0, 1 present; class 2 never labeled nor predicted */
	double p[] = {0.7, 0.2, 0.1, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1};
	int y[] = {0, 1, 1};
	struct fs_multiclass_metrics m;
	fs_multiclass_metrics(p, y, 3, 3, &m);
	cr_assert_float_eq(m.accuracy, 2.0 / 3, EPS);
	/* class 0: tp 1 fp 1 -> 2/3; class 1: tp 1 fn 1 -> 2/3 */
	cr_assert_float_eq(m.f1_macro, 2.0 / 3, EPS);
	cr_assert_float_eq(m.log_loss, -(log(0.7) + log(0.7) + log(0.3)) / 3, 1e-15);
}

Test(metrics, argmax_takes_the_first_of_tied_classes)
{
	double p[] = {0.4, 0.4, 0.2};
	int y[] = {1};
	struct fs_multiclass_metrics m;
	fs_multiclass_metrics(p, y, 1, 3, &m);
	cr_assert_float_eq(m.accuracy, 0.0, EPS);
}

Test(metrics, quantile_interpolates_as_numpy_does)
{
	double x[] = {0, 10, 20, 30};
	cr_assert_float_eq(fs_quantile_sorted(x, 4, 0.5), 15, EPS);
	/* 0.95 * 3 is 2.8499999999999996: numpy too gives 28.499999999999996 */
	cr_assert_eq(fs_quantile_sorted(x, 4, 0.95), 28.499999999999996);
	cr_assert_float_eq(fs_quantile_sorted(x, 1, 0.95), 0, EPS);
}
