/* endpoint.h: fsscore --endpoint, scoring through a model server.
 *
 * Events' inputs are pushed in input order and gathered into batches of
 * up to `batch` rows; each batch is one request (infer.h's V2 or TF Serving
 * form), at most `inflight` of them at once on keep-alive connections
 * (libcurl's multi interface). A request that fails for a reason worth
 * another try (no connection, a timeout, HTTP 408, 429 or 5xx) is sent
 * again after retry_wait, doubled each time, up to `retries` times; then
 * its rows are done with the error. When a request spent all its tries
 * without any answer (no connection, or timeouts), the server counts as
 * down: later batches fail at once, without waiting out their timeouts,
 * until a probe (one request after a second at first, then less often)
 * gets an answer again.
 *
 * Results come out in input order, whatever order the answers came in.
 */
#ifndef FS_ENDPOINT_H
#define FS_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "infer.h"

struct fs_endpoint_config {
	const char *url;         /* where to POST */
	enum fs_proto proto;
	char **names;            /* --features: the inputs in order, sent positionally; */
	size_t nnames;           /* none: asked from the server's metadata, sent by name */
	unsigned inflight;       /* requests at once */
	size_t batch;            /* rows per request */
	int64_t batch_wait_ns;   /* how long a partial batch waits for more when input pauses */
	int64_t timeout_ns;      /* per attempt */
	unsigned retries;        /* more attempts after the first */
	int64_t retry_wait_ns;   /* before the first retry; doubles */
};

/* One event's result. */
struct fs_endpoint_result {
	int ok;
	const double *out;       /* nout scores (ok) */
	size_t nout;
	const char *version;     /* the answer's model version, or NULL */
	const char *error;       /* why not (not ok) */
};

struct fs_endpoint;

/* The protocol a URL's path implies: a path ending in ":predict" is TF
 * Serving's, anything else V2. */
enum fs_proto fs_endpoint_proto_of(const char *url);
/* The model's name in a URL (/v2/models/NAME/..., /v1/models/NAME:predict),
 * newly allocated; the URL itself when it names none. */
char *fs_endpoint_model_name(const char *url);

/* Checks the URL and, without names, reads the model's inputs from its
 * metadata (with the retries of cfg). Returns NULL with a message and the
 * exit status (64 a bad URL, 69 no answer, 65 metadata it cannot use). */
struct fs_endpoint *fs_endpoint_open(const struct fs_endpoint_config *cfg, char *err,
                                     size_t errsize, int *status);
void fs_endpoint_free(struct fs_endpoint *e);
/* 1 unless the metadata showed a model with several scores and no "class"
 * output (a multi-output model; --features reads no metadata). */
int fs_endpoint_classes(const struct fs_endpoint *e);
/* The inputs each event sends, in order. */
char *const *fs_endpoint_names(const struct fs_endpoint *e, size_t *n);

/* Adds one event's inputs (fs_endpoint_names values, NaN: missing). A full
 * batch is sent at once. */
void fs_endpoint_push(struct fs_endpoint *e, const double *x);
/* 1 when enough rows wait for their results: take the ready ones, or
 * fs_endpoint_wait, before the next push. */
int fs_endpoint_full(const struct fs_endpoint *e);
/* Moves transfers on without waiting. */
void fs_endpoint_pump(struct fs_endpoint *e);
/* Input waits: sends a partial batch whose --batch-wait is over, then waits
 * up to ms (-1: no limit) for fd (-1: none) to be readable while serving
 * the requests. Returns poll(2)'s answer for fd: 0 when it returned early
 * because results are ready (or a timer is due). */
int fs_endpoint_wait(struct fs_endpoint *e, int fd, int ms);
/* Sends the partial batch now and waits until every row has its result. */
void fs_endpoint_drain(struct fs_endpoint *e);
/* The oldest row's result, when it has one: 1, and the row leaves at the
 * next call; 0 when it waits. res stays valid until the next call. */
int fs_endpoint_next(struct fs_endpoint *e, struct fs_endpoint_result *res);
/* Rows pushed whose results were not taken yet. */
size_t fs_endpoint_pending(const struct fs_endpoint *e);

#endif
