/* metrics.h: the quality measures of fstools, each equal to its reference.
 *
 * Quantiles as numpy computes them (fspsi's bins, label delays) and the
 * classification metrics of fsgroundtruth as scikit-learn defines them:
 * roc_auc_score (ties count half), average_precision_score, log_loss
 * (probabilities clipped to [eps, 1 - eps]), brier_score_loss, precision,
 * recall, F1 and accuracy at a threshold, macro F1, and the expected
 * calibration error over calibration_curve's ten uniform bins. A measure
 * that is undefined for the data (one class only, nothing predicted
 * positive) is NAN, which callers write as null.
 */
#ifndef FS_METRICS_H
#define FS_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* qsort's comparison for doubles, ascending. */
int fs_cmp_double(const void *a, const void *b);
/* numpy.quantile's default (method "linear") of sorted x[0..n), n > 0. */
double fs_quantile_sorted(const double *x, size_t n, double q);

/* One evaluated binary prediction. */
struct fs_scored {
	double score;             /* the predicted probability of class 1 */
	int label;                /* 0 or 1 */
};

struct fs_binary_metrics {
	uint64_t n, positives, tp, fp, tn, fn;
	double precision, recall, f1, accuracy, roc_auc, pr_auc, log_loss, brier, ece;
};

/* All of them for x[0..n) at threshold (a score >= threshold predicts 1).
 * Sorts x by score. */
void fs_binary_metrics(struct fs_scored *x, size_t n, double threshold,
                       struct fs_binary_metrics *m);

struct fs_multiclass_metrics {
	double accuracy, f1_macro, log_loss;
};

/* For n predictions of k classes: probs[i*k .. i*k+k) and the true class
 * label[i]; the predicted class is the most probable one (the first on a
 * tie, as numpy.argmax). */
void fs_multiclass_metrics(const double *probs, const int *label, size_t n, int k,
                           struct fs_multiclass_metrics *m);

#endif
