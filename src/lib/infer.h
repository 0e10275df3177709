/* infer.h: the two inference protocols over HTTP, both ways: the KServe
 * (Open Inference Protocol) V2 REST API and TensorFlow Serving's REST
 * predict API.
 *
 * The server side (serve.c) reads a request's rows against a model's inputs
 * and writes the answer and the model's metadata; the client side (fsscore
 * --endpoint, endpoint.c) writes requests and reads answers and metadata.
 * Both directions of a protocol live here, so that what one end writes the
 * other reads by the same rules. Scores are written as the shortest text
 * that reads back to the same double: a client gets the embedded score
 * exactly.
 *
 * Rows come in two forms. Positional: one [N, F] tensor (V2) or rows as
 * lists (TF), columns in the model's feature order. Named: one tensor per
 * feature (V2) or rows as objects (TF), so a feature not sent is missing;
 * strings go to a linear model's hashed fields by their path.
 */
#ifndef FS_INFER_H
#define FS_INFER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hmap.h"

struct fs_model;

enum fs_proto { FS_PROTO_V2, FS_PROTO_TF };

/* ---- server side */

/* A model as the protocols describe it. */
struct fs_infer_model {
	const struct fs_model *m;
	char *name;                /* the served NAME */
	size_t nfeat, nhashed, nout;
	const char *const *features;  /* names of the numeric inputs, in order (XGBoost's
	                                 f0, f1, ... for a model without them) */
	const char *const *hashed;    /* a linear model's hashed fields (paths) */
	int multiclass;
	struct fs_hmap inputs;     /* name -> 1 + feature index, or -(1 + hashed index) */
};

/* names: the features' names, NULL for the model's own. */
void fs_infer_model_init(struct fs_infer_model *im, const char *name, const struct fs_model *m,
                         char *const *names);
void fs_infer_model_free(struct fs_infer_model *im);

/* A request's rows, read by fs_infer_read_request. */
struct fs_infer_rows {
	size_t n;                  /* rows */
	double *x;                 /* n * nfeat inputs, NaN: missing */
	int64_t *h;                /* n * nhashed feature hashes, -1: missing */
	int tf_inputs;             /* TF: asked with "inputs" (answered with "outputs") */
	char *id;                  /* V2: the request's "id", or NULL */
	int want_score, want_class; /* V2: the outputs asked for (both when none named) */
};

/* Reads a request body. Returns 0, or -1 with what is wrong (and where) in
 * err: the server's 400. Free rows with fs_infer_rows_free either way. */
int fs_infer_read_request(enum fs_proto p, const struct fs_infer_model *im, const char *body,
                          size_t n, struct fs_infer_rows *rows, char *err, size_t errsize);
void fs_infer_rows_free(struct fs_infer_rows *rows);
/* Writes the answer: out holds n * nout scores, cls the classes (multiclass). */
void fs_infer_write_answer(struct fs_buf *b, enum fs_proto p, const struct fs_infer_model *im,
                           const char *version, const struct fs_infer_rows *rows,
                           const double *out, const int *cls);
/* The model's metadata: GET /v2/models/NAME, GET /v1/models/NAME/metadata. */
void fs_infer_write_metadata(struct fs_buf *b, enum fs_proto p, const struct fs_infer_model *im,
                             const char *version, const char *platform);
/* {"error":"msg"} */
void fs_infer_write_error(struct fs_buf *b, const char *msg);

/* ---- client side */

/* A request for n rows of x (n * nnames values, NaN: missing, sent as
 * null): named (one tensor per name, rows as objects) or positional. */
void fs_infer_write_request(struct fs_buf *b, enum fs_proto p, int named, char *const *names,
                            size_t nnames, const double *x, size_t n);
/* Reads an answer for n rows into out (grown to n * *nout; *nout 1, or the
 * classes of a multiclass model) and its model version (V2's
 * "model_version", newly allocated, or NULL). Returns 0, or -1 with why in
 * err. */
int fs_infer_read_answer(enum fs_proto p, const char *body, size_t len, size_t n, double **out,
                         size_t *nout, char **version, char *err, size_t errsize);
/* Reads the input names of a model's metadata (newly allocated; free with
 * fs_cli_list_free) and whether it has an output "class" (a multiclass
 * model; scores without it are a multi-output model's). Returns 0, or -1
 * with why in err. */
int fs_infer_read_metadata(enum fs_proto p, const char *body, size_t len, char ***names,
                           size_t *n, int *classes, char *err, size_t errsize);
/* The error message of an error answer ({"error": "..."}), or NULL. */
char *fs_infer_read_error(const char *body, size_t len);

#endif
