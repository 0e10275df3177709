/* truth.h: fsgroundtruth's engine — delayed labels joined to predictions,
 * and model quality per window once the labels are in.
 *
 * Predictions (the main input) and labels (the loop's side input) meet by
 * id in either order. Time is the predictions' event time: the clock is the
 * latest prediction time seen. A label counts for its prediction when its
 * own time is no later than the prediction's time plus the maturity; a
 * prediction is final once the clock has passed that point, labeled or not
 * (then --absent-label, if given, is its label). A window of prediction
 * time is mature, and its metrics final, when all its predictions are.
 * Everything pending (predictions, windows, labels still waiting for their
 * prediction) is bounded by the maturity period and saved with --state.
 *
 * With --compare or --compare-scores, each window's metrics record is
 * followed by a comparison of champion and challenger: each one's metrics
 * with intervals, DeLong's test of their AUCs and a verdict; with
 * --horizon, also a running comparison since the start, whose repeated
 * looks spend the alpha by a Lan-DeMets function.
 */
#ifndef FS_TRUTH_H
#define FS_TRUTH_H

#include <stdint.h>

#include "loop.h"

struct fs_truth_config {
	const char *id;            /* --id PATH, in predictions and labels */
	const char *label_field;   /* --label-field PATH (default "label") */
	const char *score_field;   /* --score-field PATH, NULL: score, else scores */
	const char *classes;       /* --classes a,b,c: multiclass label names by index */
	int64_t maturity_ns;       /* --maturity */
	const char *maturity_arg;  /* as given, for messages */
	const char *absent_label;  /* --absent-label VALUE (JSON or text), or NULL */
	int64_t window_ns;         /* --window DURATION (aligned to the epoch) */
	uint64_t window_events;    /* --window N */
	double threshold;          /* --threshold */
	int emit_joined;           /* --emit joined */
	int provisional;           /* --provisional */
	char **alerts;             /* --alert EXPR, repeatable */
	int nalerts;
	/* champion and challenger (binary models): --compare FIELD, the arm of
	 * each prediction, one of --arms (default champion,challenger); or
	 * --compare-scores A,B, two scores of each prediction */
	const char *compare;
	const char *arms;
	const char *compare_scores;
	double alpha;              /* --alpha: the tests' level; intervals at 1 - alpha */
	uint64_t min_labels;       /* --min-labels: no verdict on fewer */
	uint64_t horizon;          /* --horizon N: a running comparison over N labels (0: none) */
	int spending;              /* --spending: enum fs_spending */
	int keep_open;             /* --state: open windows are saved, not written, at the end */
	const char *time_field;    /* for the state's canonical spec */
	const char *label_time_field;
	const char *time_unit;
};

struct fs_truth;

/* Returns the engine, or NULL with a message in err (a usage error). */
struct fs_truth *fs_truth_new(const struct fs_truth_config *cfg, char *err, size_t errsize);
/* The two steps: a prediction, a label. */
int fs_truth_prediction(void *ctx, const struct fs_record *r, struct fs_run *run);
int fs_truth_label(void *ctx, const struct fs_record *r, struct fs_run *run);
/* The end of input: open windows (mature: false) unless kept for a state. */
void fs_truth_finish(void *ctx, struct fs_run *run);
/* --state */
const char *fs_truth_canonical(const struct fs_truth *t);
void fs_truth_save(void *ctx, struct fs_state_writer *w);
int fs_truth_load(void *ctx, const unsigned char *p, size_t n);
/* FS_EX_ALERT when an alert fired, else FS_EX_OK. */
int fs_truth_status(const struct fs_truth *t);
void fs_truth_free(struct fs_truth *t);

#endif
