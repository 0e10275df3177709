/* serve.h: fsscore --serve, the models as an HTTP inference service.
 *
 * libmicrohttpd answers the KServe V2 and TF Serving REST APIs (infer.h)
 * from a pool of threads; each request scores with the model version
 * current when it began, held by a reference, so a reload (SIGHUP, or a
 * changed file with --watch) swaps versions without failing a request.
 * GET /metrics gives Prometheus counters and a latency histogram.
 */
#ifndef FS_SERVE_H
#define FS_SERVE_H

#include <stddef.h>

struct fs_serve_config {
	const char *listen;      /* [ADDR:]PORT as given to --serve */
	char **models;           /* --model FILE..., and per model its --name or NULL */
	char **names;
	size_t nmodels;
	const char *features;    /* --features a,b,c: names for a model without them */
	int watch;               /* --watch */
	unsigned threads;        /* 0: one per CPU */
	size_t batch;            /* --batch: a TorchScript model scores a request's rows this many
	                            to a pass (0, 1: one) */
	size_t max_body;         /* larger request bodies get a 413 */
};

/* Serves until SIGINT or SIGTERM. Returns the exit status: 0, or 64/65/66
 * when a model cannot be served, 69 when the address cannot be bound. */
int fs_serve_run(const struct fs_serve_config *cfg);

/* The NAME a model file is served under: its base name without the
 * extension ("models/fraud.json" -> "fraud"), newly allocated. */
char *fs_serve_default_name(const char *path);

#endif
