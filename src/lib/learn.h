/* learn.h: linear models learned from the stream (fsscore --learn).
 *
 * A learner holds a linear model of the fstools format (model.h's
 * fs_linear: numeric features by name, string fields hashed into 2^bits
 * buckets) and its algorithm's accumulators per coordinate: FTRL-Proximal
 * (McMahan et al. 2013, "Ad Click Prediction: a View from the Trenches",
 * Algorithm 1), AdaGrad, or plain SGD; log loss with the logistic link, or
 * squared loss with the identity. fs_learner_predict scores an example with
 * the current weights, bit for bit as fsscore scores the saved model, and
 * fs_learner_update then learns from its label. fs_learner_save writes the
 * fstools linear format with a "learning" member holding the accumulators, so
 * a run started from the saved file goes on exactly where it was.
 *
 * fs_progress is the progressive validation of the examples, each scored
 * before it is learned from: running loss, AUC over a recent window and
 * counts, as a table on standard error at doubling intervals and as NDJSON
 * records.
 */
#ifndef FS_LEARN_H
#define FS_LEARN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fs_model;

enum fs_learn_algo { FS_LEARN_FTRL, FS_LEARN_ADAGRAD, FS_LEARN_SGD };

struct fs_learn_config {
	enum fs_learn_algo algo;
	int squared;             /* 1 squared loss, 0 log loss, -1: the start model's link */
	double alpha, beta;      /* a coordinate's rate: alpha / (beta + sqrt(sum of its g^2)) */
	double l1, l2;
	int invsqrt;             /* sgd: the rate is alpha / sqrt(t), else alpha */
	double min_rate;         /* no rate falls below this; 0: no floor */
	double clip;             /* the gradient's L2 norm is capped at clip; 0: no cap */
	unsigned bits;           /* hashed fields: 2^bits buckets */
};

struct fs_learner;

/* A learner with zero weights for the numeric features names[0..nnames) and
 * the string fields hashed[0..nhashed). */
struct fs_learner *fs_learner_new(const struct fs_learn_config *cfg, char *const *names,
                                  size_t nnames, char *const *hashed, size_t nhashed);
/* A learner starting from the linear model m loaded from path: its weights,
 * centring, scaling and hashed fields; and when the file was saved by a
 * learner of the same algorithm, its accumulators and example count too.
 * Returns NULL with the reason in err (an XGBoost model, a loss other than
 * the model's link). */
struct fs_learner *fs_learner_from(const struct fs_learn_config *cfg, const struct fs_model *m,
                                   const char *path, char *err, size_t errsize);
void fs_learner_free(struct fs_learner *l);

/* The model's parts (names, hashed fields, bits) as a serving model has them. */
const struct fs_linear *fs_learner_linear(const struct fs_learner *l);
/* "ftrl (alpha 0.1, beta 1, l1 0, l2 0), log loss, 20 features, 5 hashed (18 bits)" */
const char *fs_learner_describe(const struct fs_learner *l);
int fs_learner_squared(const struct fs_learner *l);
/* Examples learned from so far. */
uint64_t fs_learner_examples(const struct fs_learner *l);

/* Scores the example x (one value per numeric feature, NaN missing) and h
 * (fs_feature_hash per hashed field, -1 missing) with the current weights,
 * and keeps it for fs_learner_update. */
double fs_learner_predict(struct fs_learner *l, const double *x, const int64_t *h);
/* Learns from the label y of the example last predicted (score p). Returns
 * 0, or -1 when a weight became NaN or infinite (diverged): what in why. */
int fs_learner_update(struct fs_learner *l, double p, double y, char *why, size_t whysize);

/* Writes the model and its accumulators to path atomically. Refuses (-1,
 * the reason in err) a model with a weight that is not finite. */
int fs_learner_save(struct fs_learner *l, const char *path, char *err, size_t errsize);

/* ---- progressive validation */

struct fs_progress;

/* every: a report every so many labelled examples, 0: at 1, 2, 4, 8, ...;
 * window: examples in the recent AUC; table: where the table goes (NULL:
 * nowhere); records: NDJSON records (NULL: none). */
struct fs_progress *fs_progress_new(int squared, uint64_t every, size_t window, FILE *table,
                                    FILE *records);
void fs_progress_free(struct fs_progress *p);
/* One example scored (labelled or not). */
void fs_progress_scored(struct fs_progress *p);
/* One labelled example: its score before learning and its label. Reports
 * when one is due; name#version is the model that scored it (name stays
 * valid for the progress's life). */
void fs_progress_add(struct fs_progress *p, double score, double y, const char *name,
                     uint64_t version);
/* The last report, at the end of a run (when anything came since the last).
 * Returns -1 when writing the records failed at any time. */
int fs_progress_finish(struct fs_progress *p);

#endif
