/* serve.c: fsscore --serve (see serve.h).
 *
 * Each served model has a current version: the model, its protocol view
 * (infer.h) and a reference count. A request takes a reference under the
 * lock, scores without it, and drops it; a reload builds the new version
 * whole, swaps it in under the lock and drops the registry's reference to
 * the old one, which is freed by whoever lets go of it last. Counters are
 * atomics, so the threads never wait for each other to count.
 *
 * The main thread waits for signals and, with --watch, looks at the files.
 */
#include "serve.h"
#include "cli.h"
#include "diag.h"
#include "infer.h"
#include "json.h"
#include "model.h"
#include "timefmt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum MHD_Result MHD_Result_t;

/* --watch looks at the files this often (as fsscore embedded does). */
#define WATCH_MS 100

/* Latency histogram bounds, seconds. */
static const double bounds[] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

/* The status codes counted one by one; others count as "other". */
static const int codes[] = {200, 400, 404, 405, 413, 500};
#define NCODES (sizeof codes / sizeof codes[0])

struct version {
	struct fs_model *m;
	struct fs_infer_model im;
	int refs;                    /* the registry's one, and one per request using it */
};

struct stats {
	atomic_ullong requests[2][NCODES + 1];  /* per protocol and code */
	atomic_ullong events;
	atomic_ullong buckets[NBOUNDS + 1];
	atomic_ullong count, sum_ns;
	atomic_ullong reloads_ok, reloads_failed;
};

struct served {
	char *name;
	const char *path;
	struct version *cur;
	struct fs_model_watch watch;
	struct stats st;
};

struct server {
	const struct fs_serve_config *cfg;
	struct served *models;
	size_t n;
	char **given;                /* --features */
	size_t batch;                /* --batch: rows per pass of a TorchScript model */
	size_t ngiven;
	pthread_mutex_t lock;
	atomic_ullong other[NCODES + 1];  /* requests naming no served model */
};

struct request {
	int64_t start;
	struct fs_buf body;
	int too_big;
};

char *fs_serve_default_name(const char *path)
{
	char *base = fs_model_base_name(path);
	char *dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = 0;
	return base;
}

/* ------------------------------------------------------------ versions */

static struct version *version_new(struct server *S, const char *name, const char *path,
                                   char *err, size_t errsize, int *status)
{
	struct fs_model *m = fs_model_load(path, S->given, S->ngiven, err, errsize, status);
	if (!m)
		return NULL;
	size_t nf = fs_model_nfeatures(m);
	if (S->ngiven && S->ngiven != nf) {
		snprintf(err, errsize, "%s: the model has %zu features, --features names %zu", path, nf,
		         S->ngiven);
		fs_model_free(m);
		*status = FS_EX_USAGE;
		return NULL;
	}
	struct version *v = fs_xcalloc(1, sizeof *v);
	v->m = m;
	v->refs = 1;
	fs_infer_model_init(&v->im, name, m, S->ngiven ? S->given : NULL);
	return v;
}

static void version_free(struct version *v)
{
	fs_infer_model_free(&v->im);
	fs_model_free(v->m);
	free(v);
}

static struct version *hold(struct server *S, struct served *sv)
{
	pthread_mutex_lock(&S->lock);
	struct version *v = sv->cur;
	v->refs++;
	pthread_mutex_unlock(&S->lock);
	return v;
}

static void let_go(struct server *S, struct version *v)
{
	pthread_mutex_lock(&S->lock);
	int last = --v->refs == 0;
	pthread_mutex_unlock(&S->lock);
	if (last)
		version_free(v);
}

static void reload(struct server *S, struct served *sv, const char *why)
{
	char err[768];
	int status;
	fs_model_watch_read(&sv->watch, sv->path);
	struct version *v = version_new(S, sv->name, sv->path, err, sizeof err, &status);
	const struct fs_model *old = sv->cur->m;
	if (v && (fs_model_task(v->m) != fs_model_task(old) ||
	          fs_model_noutputs(v->m) != fs_model_noutputs(old))) {
		snprintf(err, sizeof err, "%s: the new model gives %zu output(s), the one serving %zu: "
		         "clients would get other fields; restart fsscore --serve to change the kind of "
		         "model", sv->path, fs_model_noutputs(v->m), fs_model_noutputs(old));
		version_free(v);
		v = NULL;
	}
	if (!v) {
		atomic_fetch_add(&sv->st.reloads_failed, 1);
		fs_warn("%s (%s): cannot reload, still serving %s: %s", sv->path, why, fs_model_id(old),
		        err);
		return;
	}
	char was_id[512];
	snprintf(was_id, sizeof was_id, "%s", fs_model_id(old));
	pthread_mutex_lock(&S->lock);
	struct version *was = sv->cur;
	sv->cur = v;
	int last = --was->refs == 0;
	pthread_mutex_unlock(&S->lock);
	if (last)
		version_free(was);
	/* said once it is true: every request from now on gets the new version */
	fs_warn("%s (%s): now serving %s (%s), was %s", sv->path, why, fs_model_id(v->m),
	        fs_model_describe(v->m), was_id);
	atomic_fetch_add(&sv->st.reloads_ok, 1);
}

/* ------------------------------------------------------------ answers */

static int code_index(int code)
{
	for (size_t i = 0; i < NCODES; i++)
		if (codes[i] == code)
			return (int)i;
	return NCODES;
}

static MHD_Result_t send_buf(struct MHD_Connection *c, int code, struct fs_buf *b,
                             const char *type)
{
	/* the buffer passes to libmicrohttpd, which frees it */
	struct MHD_Response *r = MHD_create_response_from_buffer(b->len, b->p, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		fs_buf_free(b);
		return MHD_NO;
	}
	b->p = NULL;
	b->len = b->cap = 0;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, POST");
	MHD_Result_t ok = MHD_queue_response(c, (unsigned)code, r);
	MHD_destroy_response(r);
	return ok;
}

static MHD_Result_t send_json(struct MHD_Connection *c, int code, struct fs_buf *b)
{
	return send_buf(c, code, b, "application/json");
}

static MHD_Result_t send_error(struct MHD_Connection *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static MHD_Result_t send_error(struct MHD_Connection *c, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct fs_buf b = {0};
	fs_infer_write_error(&b, msg);
	return send_json(c, code, &b);
}

static MHD_Result_t send_literal(struct MHD_Connection *c, const char *s)
{
	struct fs_buf b = {0};
	fs_buf_puts(&b, s);
	return send_json(c, 200, &b);
}

/* ------------------------------------------------------------ metrics */

static void metric_head(struct fs_buf *b, const char *name, const char *type, const char *help)
{
	char s[512];
	snprintf(s, sizeof s, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	fs_buf_puts(b, s);
}

static void put_label(struct fs_buf *b, const char *v)
{
	/* Prometheus label values escape \, " and newline */
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fs_buf_putc(b, '\\');
		if (*v == '\n') {
			fs_buf_puts(b, "\\n");
			continue;
		}
		fs_buf_putc(b, *v);
	}
}

/* A series: NAME{model="MODEL" (no label for a NULL model), more labels
 * with label(), then its value. */
static void series(struct fs_buf *b, const char *name, const char *model)
{
	fs_buf_puts(b, name);
	fs_buf_putc(b, '{');
	if (model) {
		fs_buf_puts(b, "model=\"");
		put_label(b, model);
		fs_buf_putc(b, '"');
	}
}

static void label(struct fs_buf *b, const char *k, const char *v)
{
	if (b->p[b->len - 1] != '{')
		fs_buf_putc(b, ',');
	fs_buf_puts(b, k);
	fs_buf_puts(b, "=\"");
	put_label(b, v);
	fs_buf_putc(b, '"');
}

static void value(struct fs_buf *b, unsigned long long u)
{
	fs_buf_puts(b, "} ");
	fs_json_put_u64(b, u);
	fs_buf_putc(b, '\n');
}

/* The code label of counter k: the status, or "other". */
static const char *code_label(size_t k, char s[8])
{
	if (k == NCODES)
		return "other";
	snprintf(s, 8, "%d", codes[k]);
	return s;
}

static void metrics(struct server *S, struct fs_buf *b)
{
	static const char *proto[] = {"v2", "tfserving"};
	char s[32];
	metric_head(b, "fsscore_requests_total", "counter",
	            "Requests to a served model, by protocol and HTTP status code.");
	for (size_t i = 0; i < S->n; i++)
		for (int p = 0; p < 2; p++)
			for (size_t k = 0; k <= NCODES; k++) {
				unsigned long long n = atomic_load(&S->models[i].st.requests[p][k]);
				if (!n && k)
					continue;  /* 200 always shows; other codes once they happened */
				series(b, "fsscore_requests_total", S->models[i].name);
				label(b, "protocol", proto[p]);
				label(b, "code", code_label(k, s));
				value(b, n);
			}
	metric_head(b, "fsscore_request_errors_total", "counter",
	            "Requests to a served model answered with an error (HTTP status >= 400).");
	for (size_t i = 0; i < S->n; i++)
		for (int p = 0; p < 2; p++) {
			unsigned long long n = 0;
			for (size_t k = 1; k <= NCODES; k++)
				n += atomic_load(&S->models[i].st.requests[p][k]);
			series(b, "fsscore_request_errors_total", S->models[i].name);
			label(b, "protocol", proto[p]);
			value(b, n);
		}
	metric_head(b, "fsscore_other_requests_total", "counter",
	            "Requests naming no served model (health, metadata of the server, unknown paths).");
	for (size_t k = 0; k <= NCODES; k++) {
		unsigned long long n = atomic_load(&S->other[k]);
		if (!n && k)
			continue;
		series(b, "fsscore_other_requests_total", NULL);
		label(b, "code", code_label(k, s));
		value(b, n);
	}
	metric_head(b, "fsscore_events_total", "counter", "Rows scored.");
	for (size_t i = 0; i < S->n; i++) {
		series(b, "fsscore_events_total", S->models[i].name);
		value(b, atomic_load(&S->models[i].st.events));
	}
	metric_head(b, "fsscore_request_duration_seconds", "histogram",
	            "Time from a request's headers to its answer, scoring requests only.");
	for (size_t i = 0; i < S->n; i++) {
		struct stats *st = &S->models[i].st;
		unsigned long long cum = 0;
		for (size_t k = 0; k <= NBOUNDS; k++) {
			cum += atomic_load(&st->buckets[k]);
			series(b, "fsscore_request_duration_seconds_bucket", S->models[i].name);
			if (k < NBOUNDS)
				snprintf(s, sizeof s, "%g", bounds[k]);
			label(b, "le", k < NBOUNDS ? s : "+Inf");
			value(b, cum);
		}
		series(b, "fsscore_request_duration_seconds_sum", S->models[i].name);
		snprintf(s, sizeof s, "} %.9f\n", (double)atomic_load(&st->sum_ns) / 1e9);
		fs_buf_puts(b, s);
		series(b, "fsscore_request_duration_seconds_count", S->models[i].name);
		value(b, atomic_load(&st->count));
	}
	metric_head(b, "fsscore_model_info", "gauge",
	            "The model version serving under each name (its file name and content hash).");
	for (size_t i = 0; i < S->n; i++) {
		struct version *v = hold(S, &S->models[i]);
		series(b, "fsscore_model_info", S->models[i].name);
		label(b, "id", fs_model_id(v->m));
		label(b, "kind", fs_model_describe(v->m));
		value(b, 1);
		let_go(S, v);
	}
	metric_head(b, "fsscore_model_reloads_total", "counter",
	            "Reloads of a model's file: taken (ok) or refused, the old version serving on.");
	for (size_t i = 0; i < S->n; i++)
		for (int ok = 1; ok >= 0; ok--) {
			series(b, "fsscore_model_reloads_total", S->models[i].name);
			label(b, "result", ok ? "ok" : "failed");
			value(b, atomic_load(ok ? &S->models[i].st.reloads_ok : &S->models[i].st.reloads_failed));
		}
}

/* ------------------------------------------------------------ routing */

static struct served *find(struct server *S, const char *name, size_t n)
{
	for (size_t i = 0; i < S->n; i++)
		if (strlen(S->models[i].name) == n && !memcmp(S->models[i].name, name, n))
			return &S->models[i];
	return NULL;
}

static void served_list(struct server *S, char *s, size_t size)
{
	size_t at = 0;
	s[0] = 0;
	for (size_t i = 0; i < S->n && at < size; i++)
		at += (size_t)snprintf(s + at, size - at, "%s%s", i ? ", " : "", S->models[i].name);
}

static MHD_Result_t infer(struct server *S, struct MHD_Connection *c, struct served *sv,
                          enum fs_proto p, const char *want_version, struct request *rq, int *code)
{
	struct version *v = hold(S, sv);
	const char *id = fs_model_id(v->m);
	MHD_Result_t ok;
	if (want_version && strcmp(want_version, id) != 0) {
		*code = 404;
		ok = send_error(c, 404, "model %s is at version %s, not %s", sv->name, id, want_version);
		let_go(S, v);
		return ok;
	}
	struct fs_infer_rows rows;
	char err[1024];
	if (fs_infer_read_request(p, &v->im, rq->body.p ? rq->body.p : "", rq->body.len, &rows, err,
	                          sizeof err) < 0) {
		*code = 400;
		ok = send_error(c, 400, "%s", err);
		fs_infer_rows_free(&rows);
		let_go(S, v);
		return ok;
	}
	size_t k = v->im.nout, nf = v->im.nfeat, nh = v->im.nhashed;
	for (size_t r = 0; r < rows.n; r++) {
		long miss = fs_model_fill(v->m, rows.x + r * nf);
		if (miss >= 0) {
			*code = 400;
			ok = send_error(c, 400, "row %zu: \"%s\" is missing, and the model takes no missing "
			                "values (give it a default in the sidecar's \"impute\")", r,
			                v->im.features[miss]);
			fs_infer_rows_free(&rows);
			let_go(S, v);
			return ok;
		}
	}
	double *out = fs_xmalloc((rows.n * k + 1) * sizeof *out);
	int *cls = fs_xmalloc((rows.n + 1) * sizeof *cls);
	/* in passes of --batch rows, as an embedded fsscore --batch scores them */
	size_t pass = S->batch > 1 ? S->batch : 1;
	for (size_t r = 0; r < rows.n; r += pass) {
		size_t n = rows.n - r < pass ? rows.n - r : pass;
		if (fs_model_predict(v->m, n, pass, rows.x + r * nf, nh ? rows.h + r * nh : NULL,
		                     out + r * k, cls + r, err, sizeof err) < 0) {
			*code = 500;
			ok = send_error(c, 500, "%s", err);
			free(out);
			free(cls);
			fs_infer_rows_free(&rows);
			let_go(S, v);
			return ok;
		}
	}
	struct fs_buf b = {0};
	fs_infer_write_answer(&b, p, &v->im, id, &rows, out, cls);
	atomic_fetch_add(&sv->st.events, rows.n);
	free(out);
	free(cls);
	fs_infer_rows_free(&rows);
	let_go(S, v);
	*code = 200;
	return send_json(c, 200, &b);
}

static MHD_Result_t metadata(struct server *S, struct MHD_Connection *c, struct served *sv,
                             enum fs_proto p)
{
	struct version *v = hold(S, sv);
	struct fs_buf b = {0};
	fs_infer_write_metadata(&b, p, &v->im, fs_model_id(v->m),
	                        fs_model_is_torch(v->m) ? "pytorch_libtorch" :
	                        fs_model_linear(v->m) ? "fstools-linear" : "xgboost");
	let_go(S, v);
	return send_json(c, 200, &b);
}

/* Answers a whole request. *sv is set when it names a served model, *proto
 * its protocol, *scoring for an inference request. */
static MHD_Result_t route(struct server *S, struct MHD_Connection *c, const char *url,
                          const char *method, struct request *rq, struct served **sv,
                          int *proto, int *scoring, int *code)
{
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	int post = !strcmp(method, "POST");
	char list[512];
	*code = 200;
	if (!strcmp(url, "/v2/health/live") || !strcmp(url, "/v2/health/ready") ||
	    !strcmp(url, "/v2") || !strcmp(url, "/v2/") || !strcmp(url, "/metrics")) {
		if (!get) {
			*code = 405;
			return send_error(c, 405, "%s takes GET, not %s", url, method);
		}
		if (!strcmp(url, "/v2/health/live"))
			return send_literal(c, "{\"live\":true}");
		if (!strcmp(url, "/v2/health/ready"))
			return send_literal(c, "{\"ready\":true}");
		if (!strcmp(url, "/metrics")) {
			struct fs_buf b = {0};
			metrics(S, &b);
			return send_buf(c, 200, &b, "text/plain; version=0.0.4; charset=utf-8");
		}
		return send_literal(c, "{\"name\":\"fsscore\",\"version\":\"" PACKAGE_VERSION
		                    "\",\"extensions\":[]}");
	}
	/* /v2/models/NAME[/versions/V][/infer|/ready] and /v1/models/NAME[/versions/N][:predict|/metadata] */
	int v2 = !strncmp(url, "/v2/models/", 11), v1 = !strncmp(url, "/v1/models/", 11);
	if (!v2 && !v1) {
		*code = 404;
		return send_error(c, 404, "no such path: %s (fsscore --serve answers /v2/health/live, "
		                  "/v2/health/ready, /v2/models/NAME[/infer], /v1/models/NAME[:predict], "
		                  "/metrics)", url);
	}
	*proto = v1;
	const char *name = url + 11, *rest = name + strcspn(name, v1 ? "/:" : "/");
	struct served *m = find(S, name, (size_t)(rest - name));
	if (!m) {
		*code = 404;
		served_list(S, list, sizeof list);
		return send_error(c, 404, "model \"%.*s\" is not served here; served: %s",
		                  (int)(rest - name), name, list);
	}
	*sv = m;
	char version[512] = "";
	int has_version = 0;
	if (!strncmp(rest, "/versions/", 10)) {
		const char *vs = rest + 10, *ve = vs + strcspn(vs, v1 ? "/:" : "/");
		if (ve == vs || (size_t)(ve - vs) >= sizeof version) {
			*code = 404;
			return send_error(c, 404, "no such path: %s", url);
		}
		memcpy(version, vs, (size_t)(ve - vs));
		version[ve - vs] = 0;
		has_version = 1;
		rest = ve;
	}
	enum { META, READY, INFER, STATUS } what;
	if (v2 && !*rest)
		what = META;
	else if (v2 && !strcmp(rest, "/ready"))
		what = READY;
	else if (v2 && !strcmp(rest, "/infer"))
		what = INFER;
	else if (v1 && !*rest)
		what = STATUS;
	else if (v1 && !strcmp(rest, "/metadata"))
		what = META;
	else if (v1 && !strcmp(rest, ":predict"))
		what = INFER;
	else {
		*code = 404;
		return send_error(c, 404, "no such path: %s", url);
	}
	if (what == INFER ? !post : !get) {
		*code = 405;
		return send_error(c, 405, "%s takes %s, not %s", url, what == INFER ? "POST" : "GET",
		                  method);
	}
	if (what == INFER) {
		*scoring = 1;
		/* TF Serving numbers versions: this server has one, "1" */
		if (v1 && has_version && strcmp(version, "1") != 0) {
			*code = 404;
			return send_error(c, 404, "model %s has one version here, 1, not %s", m->name, version);
		}
		if (rq->too_big) {
			*code = 413;
			return send_error(c, 413, "the request body is larger than --max-body (%zu bytes): "
			                  "send smaller batches", S->cfg->max_body);
		}
		return infer(S, c, m, v1 ? FS_PROTO_TF : FS_PROTO_V2, v2 && has_version ? version : NULL,
		             rq, code);
	}
	if (has_version && what != INFER) {
		struct version *v = hold(S, m);
		int other = v1 ? strcmp(version, "1") != 0 : strcmp(version, fs_model_id(v->m)) != 0;
		let_go(S, v);
		if (other) {
			*code = 404;
			return send_error(c, 404, "model %s is not at version %s", m->name, version);
		}
	}
	if (what == META)
		return metadata(S, c, m, v1 ? FS_PROTO_TF : FS_PROTO_V2);
	if (what == READY) {
		struct fs_buf b = {0};
		fs_buf_puts(&b, "{\"name\":");
		fs_json_put_string(&b, m->name, strlen(m->name));
		fs_buf_puts(&b, ",\"ready\":true}");
		return send_json(c, 200, &b);
	}
	return send_literal(c, "{\"model_version_status\":[{\"version\":\"1\",\"state\":\"AVAILABLE\","
	                    "\"status\":{\"error_code\":\"OK\",\"error_message\":\"\"}}]}");
}

static MHD_Result_t on_request(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
	(void)version;
	struct server *S = cls;
	struct request *rq = *con_cls;
	if (!rq) {
		rq = fs_xcalloc(1, sizeof *rq);
		rq->start = fs_clock_ns(CLOCK_MONOTONIC);
		*con_cls = rq;
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > S->cfg->max_body) {
			/* said at once, without reading the body: the connection then closes */
			rq->too_big = 1;
		} else {
			return MHD_YES;
		}
	}
	if (*upload_size) {
		if (!rq->too_big) {
			if (rq->body.len + *upload_size > S->cfg->max_body) {
				rq->too_big = 1;  /* no Content-Length (chunked): counted as it came */
				fs_buf_free(&rq->body);
			} else {
				fs_buf_put(&rq->body, upload, *upload_size);
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	struct served *sv = NULL;
	int proto = 0, scoring = 0, code = 200;
	MHD_Result_t ok = route(S, c, url, method, rq, &sv, &proto, &scoring, &code);
	if (sv) {
		atomic_fetch_add(&sv->st.requests[proto][code_index(code)], 1);
		if (scoring) {
			int64_t ns = fs_clock_ns(CLOCK_MONOTONIC) - rq->start;
			double sec = (double)ns / 1e9;
			size_t k = 0;
			while (k < NBOUNDS && sec > bounds[k])
				k++;
			atomic_fetch_add(&sv->st.buckets[k], 1);
			atomic_fetch_add(&sv->st.count, 1);
			atomic_fetch_add(&sv->st.sum_ns, (unsigned long long)ns);
		}
	} else {
		atomic_fetch_add(&S->other[code_index(code)], 1);
	}
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct request *rq = *con_cls;
	if (rq) {
		fs_buf_free(&rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

/* ------------------------------------------------------------ start, run, stop */

/* [ADDR:]PORT into a socket address. Returns 0, or -1 with why. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, int *v6, unsigned *port,
                        char *shown, size_t shownsize, char *err, size_t errsize)
{
	char host[128] = "127.0.0.1";
	const char *p = spec, *colon = strrchr(spec, ':');
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof host) {
			snprintf(err, errsize, "--serve %s: write an IPv6 address as [ADDR]:PORT", spec);
			return -1;
		}
		memcpy(host, spec + 1, (size_t)(close - spec - 1));
		host[close - spec - 1] = 0;
		p = close + 2;
	} else if (colon) {
		if ((size_t)(colon - spec) >= sizeof host || colon == spec) {
			snprintf(err, errsize, "--serve %s: not [ADDR:]PORT", spec);
			return -1;
		}
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = 0;
		p = colon + 1;
	}
	char *end;
	unsigned long n = strtoul(p, &end, 10);
	if (!*p || *end || n > 65535) {
		snprintf(err, errsize, "--serve %s: the port must be a number from 0 to 65535 (0: any "
		         "free port)", spec);
		return -1;
	}
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof host, "127.0.0.1");
	*port = (unsigned)n;
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)n);
		*v6 = 0;
		snprintf(shown, shownsize, "%s", host);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)n);
		*v6 = 1;
		snprintf(shown, shownsize, "[%s]", host);
	} else {
		snprintf(err, errsize, "--serve %s: \"%s\" is not an IP address (127.0.0.1, 0.0.0.0, "
		         "[::1], [::])", spec, host);
		return -1;
	}
	return 0;
}

static int valid_name(const char *n)
{
	if (!*n)
		return 0;
	for (; *n; n++)
		if (!(('a' <= *n && *n <= 'z') || ('A' <= *n && *n <= 'Z') || ('0' <= *n && *n <= '9') ||
		      *n == '_' || *n == '-' || *n == '.'))
			return 0;
	return 1;
}

static void server_free(struct server *S)
{
	for (size_t i = 0; i < S->n; i++) {
		if (S->models[i].cur)
			version_free(S->models[i].cur);
		free(S->models[i].name);
	}
	free(S->models);
	fs_cli_list_free(S->given, S->ngiven);
	pthread_mutex_destroy(&S->lock);
}

int fs_serve_run(const struct fs_serve_config *cfg)
{
	struct server S = {.cfg = cfg};
	char err[768];
	int status;
	pthread_mutex_init(&S.lock, NULL);
	S.batch = cfg->batch;
	if (cfg->features) {
		S.given = fs_cli_list(cfg->features, &S.ngiven);
		for (size_t i = 0; i < S.ngiven; i++)
			if (!*S.given[i]) {
				fs_warn("--features %s: an empty name", cfg->features);
				server_free(&S);
				return FS_EX_USAGE;
			}
	}
	S.models = fs_xcalloc(cfg->nmodels, sizeof *S.models);
	for (size_t i = 0; i < cfg->nmodels; i++) {
		struct served *sv = &S.models[S.n++];
		sv->path = cfg->models[i];
		sv->name = cfg->names[i] ? fs_xstrdup(cfg->names[i]) : fs_serve_default_name(sv->path);
		status = FS_EX_USAGE;
		if (!valid_name(sv->name)) {
			fs_warn("%s: \"%s\" cannot be a model's name in a URL; name it with --name (letters, "
			        "digits, _ - .)", sv->path, sv->name);
		} else if (find(&S, sv->name, strlen(sv->name)) != sv) {
			fs_warn("two models are named %s; name one with --name", sv->name);
		} else {
			fs_model_watch_read(&sv->watch, sv->path);
			sv->cur = version_new(&S, sv->name, sv->path, err, sizeof err, &status);
			if (!sv->cur)
				fs_warn("%s", err);
		}
		if (!sv->cur) {
			server_free(&S);
			return status;
		}
	}
	struct sockaddr_storage ss;
	int v6;
	unsigned port;
	char host[160];
	if (parse_listen(cfg->listen, &ss, &v6, &port, host, sizeof host, err, sizeof err) < 0) {
		fs_warn("%s", err);
		server_free(&S);
		return FS_EX_USAGE;
	}
	/* Signals are taken by this thread alone, with sigtimedwait: the
	 * request threads inherit the mask. */
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	signal(SIGPIPE, SIG_IGN);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = cfg->threads ? cfg->threads : ncpu > 0 ? (unsigned)ncpu : 1;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | (v6 ? MHD_USE_IPv6 : 0);
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, on_request, &S,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, &S,
		MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
		MHD_OPTION_END);
	if (!d) {
		fs_warn("--serve %s: cannot listen there (%s): is another server on the port?",
		        cfg->listen, errno ? strerror(errno) : "libmicrohttpd refused");
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		server_free(&S);
		return FS_EX_UNAVAILABLE;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (di && di->port)
		port = di->port;
	for (size_t i = 0; i < S.n; i++)
		fs_warn("serving %s: %s (%s)", S.models[i].name, fs_model_id(S.models[i].cur->m),
		        fs_model_describe(S.models[i].cur->m));
	fs_warn("listening on http://%s:%u (%u thread%s)", host, port, threads, threads > 1 ? "s" : "");

	for (;;) {
		struct timespec wait = {0, WATCH_MS * 1000000L};
		int sig = sigtimedwait(&sigs, NULL, &wait);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		for (size_t i = 0; i < S.n; i++) {
			struct served *sv = &S.models[i];
			if (sig == SIGHUP) {
				reload(&S, sv, "SIGHUP");
				continue;
			}
			if (!cfg->watch)
				continue;
			if (fs_model_watch_look(&sv->watch, sv->path, fs_model_id(sv->cur->m)))
				reload(&S, sv, "changed");
		}
	}
	MHD_stop_daemon(d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	server_free(&S);
	return FS_EX_OK;
}
