/* model.h: models trained elsewhere, loaded from their files and evaluated
 * exactly as the training library evaluates them.
 *
 * Three formats, told apart by content:
 *  - XGBoost JSON (Booster.save_model("m.json"), 1.x and 2.x schemas):
 *    gbtree and dart boosters, numerical and categorical splits, missing
 *    values routed by default_left. Evaluation repeats XGBoost's float32
 *    arithmetic: inputs rounded to float, leaves summed in float in tree
 *    order onto the base margin, transforms in float.
 *  - the fstools linear format (fsscore(1)): intercept, weights, centring
 *    and scaling by feature name, string fields hashed into weight buckets,
 *    logistic or identity link, in double. fsscore --learn (learn.c) writes it.
 *  - TorchScript (torch.jit.script or trace, then save), run by libtorch
 *    (torch.h) on float32 rows; its feature names and defaults for missing
 *    values come from the sidecar file FILE.json beside it, or --features.
 *
 * A model is immutable once loaded; fsscore swaps whole models on reload.
 */
#ifndef FS_MODEL_H
#define FS_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "record.h"

struct fs_model;

/* What a prediction is. */
enum fs_model_task {
	FS_TASK_SCORE,       /* one number: a probability or a regression value */
	FS_TASK_MULTICLASS,  /* one probability per class, and the chosen class */
	FS_TASK_MULTIOUTPUT, /* several numbers (a TorchScript model's outputs), no class */
};

/* Loads and validates a model file. names (nnames of them, or NULL) are
 * --features: a TorchScript model takes them instead of its sidecar's
 * list; the other formats ignore them here. Returns NULL with a message
 * naming the file and the cause in err, and *status set to 66 (unreadable)
 * or 65 (not a model fstools can score). */
struct fs_model *fs_model_load(const char *path, char *const *names, size_t nnames, char *err,
                               size_t errsize, int *status);
/* The same from bytes already read, for the JSON formats; name is used in
 * messages and the id. */
struct fs_model *fs_model_parse(const char *name, const char *p, size_t n, char *err,
                                size_t errsize);
void fs_model_free(struct fs_model *m);

/* Feature names in input order (NULL entries when the file has none). */
size_t fs_model_nfeatures(const struct fs_model *m);
const char *fs_model_feature(const struct fs_model *m, size_t i);
/* 1 when every feature has a name in the file. */
int fs_model_has_names(const struct fs_model *m);

enum fs_model_task fs_model_task(const struct fs_model *m);
/* Number of outputs fs_model_predict writes per row: 1, the number of
 * classes, or a TorchScript model's outputs. */
size_t fs_model_noutputs(const struct fs_model *m);
/* "fraud.json@1f2e3d4c5b6a7988": the file's base name and a hash of its bytes. */
const char *fs_model_id(const struct fs_model *m);
/* The file name a model goes by in its id (newly allocated): "fraud.json"
 * of "models/fraud.json". */
char *fs_model_base_name(const char *path);
/* A line for messages: "xgboost gbtree, 100 trees, binary:logistic, 30 features". */
const char *fs_model_describe(const struct fs_model *m);

/* Evaluates the model on n rows: x holds n rows of fs_model_nfeatures
 * values (NaN is missing), h for a linear model with hashed fields n rows
 * of one fs_feature_hash per field (-1 where it is missing; NULL without
 * them), and out gets n rows of fs_model_noutputs values (XGBoost's are
 * float32 values, exactly; so are TorchScript's). cls, when not NULL, gets
 * per row the predicted class of a multiclass model (the first of the
 * highest), -1 for other models. m is not written: threads may score with
 * one model at once.
 *
 * A TorchScript model evaluates the rows in one pass of max(n, pad) rows,
 * those beyond n copies of the last: libtorch computes a row with other
 * kernels in passes of other sizes (the last bits of a float differ), so a
 * fixed pad makes each row's result independent of how many came with it.
 * The other models score each row alone. Returns 0, or -1 with a message
 * in err when libtorch failed. */
int fs_model_predict(const struct fs_model *m, size_t n, size_t pad, const double *x,
                     const int64_t *h, double *out, int *cls, char *err, size_t errsize);

/* A TorchScript model takes no missing values: fills x's NaNs with the
 * sidecar's "impute" defaults and returns the index of the first feature
 * left without a value, or -1 when x is complete. Always -1 for the other
 * formats, which score NaN as missing. */
long fs_model_fill(const struct fs_model *m, double *x);

/* 1 for a TorchScript model. */
int fs_model_is_torch(const struct fs_model *m);

/* A JSON value as a model input: a number or a numeric string (record.h's
 * fs_value_number), true and false as 1 and 0; null is missing. */
enum fs_num fs_feature_number(const json_t *v, double *d);

/* The first index of the largest of k values: a multiclass model's class. */
int fs_argmax(const double *v, size_t k);

/* ---- a model file watched for replacement (fsscore --watch) */

/* What a file looked like: device, inode, size, times. */
struct fs_file_sig {
	int ok;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

struct fs_model_watch {
	struct fs_file_sig loaded;   /* the file as it was when last read (good or bad) */
	struct fs_file_sig pending;  /* a change seen once, waiting to settle */
	int gone_reported;
};

/* Notes the file as it is now, just before it is read. */
void fs_model_watch_read(struct fs_model_watch *w, const char *path);
/* One look at the file: 1 once a change has looked the same at two looks
 * in a row (a copy may still be going): read it now. The first look that
 * finds it missing (between an unlink and the rename of its replacement,
 * or gone) says so once, naming the model id still serving. */
int fs_model_watch_look(struct fs_model_watch *w, const char *path, const char *serving);

/* ---- the linear format, shared with the learner (learn.c) */

#define FS_HASH_BITS_MAX 24

struct fs_linear {
	int logistic;            /* the link: 1 logistic, 0 identity */
	double intercept;
	size_t nfeat;            /* numeric features by name, in the file's order */
	char **names;
	double *w, *center, *scale, *impute;
	unsigned bits;           /* hashed fields: 2^bits weight buckets (0: none) */
	size_t nhashed;
	char **hashed;           /* the fields hashed, in the file's order */
	double *hw;              /* 2^bits weights */
};

/* The linear model's parts, or NULL for another kind. */
const struct fs_linear *fs_model_linear(const struct fs_model *m);

/* What feature i of a linear model adds per unit of weight for the value x
 * (NaN: missing, which takes the impute value): (x - center) / scale. */
static inline double fs_linear_input(const struct fs_linear *l, size_t i, double x)
{
	return ((x != x ? l->impute[i] : x) - l->center[i]) / l->scale[i];
}

/* The hash of a string feature: MurmurHash3_x86_32, seed 0, of the bytes
 * "NAME=VALUE" (scikit-learn's murmurhash3_32(f"{name}={value}",
 * positive=True)); its bucket is the hash modulo 2^bits. */
uint32_t fs_feature_hash(const char *name, size_t nl, const char *value, size_t vl);

/* 1 / (1 + e^-z), computed without overflow on either side. */
double fs_logistic(double z);

/* The float nearest to a double read from the shortest decimal of a float
 * (how XGBoost writes them): exact also where reading the decimal as a
 * double first would land on a tie between two floats. */
float fs_float_from_shortest(double d);

#endif
