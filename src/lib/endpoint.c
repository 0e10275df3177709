/* endpoint.c: fsscore --endpoint (see endpoint.h).
 *
 * Batches form a queue in input order: the last may still be open (taking
 * rows), the ones before it are ready (waiting for a connection), sent,
 * waiting to be sent again, or done. Results are taken from the front only,
 * so rows come out in input order whatever order the answers came in.
 * libcurl's multi interface runs the transfers; its connection cache keeps
 * them alive between requests.
 */
#include "endpoint.h"
#include "cli.h"
#include "diag.h"
#include "timefmt.h"

#include <curl/curl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An answer larger than this is not read (a broken server's stream). */
#define MAX_ANSWER ((size_t)256 << 20)
/* A server found down is probed again after this, doubling up to the cap. */
#define COOL_FIRST_NS 1000000000LL
#define COOL_MAX_NS 30000000000LL

enum bstate { B_OPEN, B_READY, B_SENT, B_WAIT, B_DONE };

struct batch {
	enum bstate st;
	size_t n;                /* rows */
	double *x;               /* n * nnames inputs */
	int64_t opened;          /* when its first row came */
	unsigned tries;
	int probe;               /* sent while the server counts as down: one try */
	int64_t retry_at;
	CURL *h;
	struct fs_buf body, answer;
	char curl_err[CURL_ERROR_SIZE];
	int ok;
	double *out;
	size_t nout;
	char *version, *error;
};

struct fs_endpoint {
	struct fs_endpoint_config cfg;
	char **names;
	size_t nnames;
	int classes;                 /* the metadata has a "class" output: 1, 0; -1 unread */
	int named;               /* inputs sent by name (they came from the metadata) */
	CURLM *multi;
	struct curl_slist *headers;
	CURL **idle;             /* easy handles not in use (at most one a request in flight) */
	size_t nidle;
	struct fs_ring q;        /* of struct batch *, oldest first */
	size_t taken;            /* rows of the front batch already taken */
	struct batch *gone;      /* the front batch, all taken: freed at the next call */
	unsigned busy;           /* batches sent or waiting to be sent again */
	size_t rows;             /* rows pushed, not taken */
	/* the server found down */
	int down;
	int64_t probe_at, cool_ns;
	char *down_why;
	int probing;
};

enum fs_proto fs_endpoint_proto_of(const char *url)
{
	size_t n = strlen(url);
	return n >= 8 && !strcmp(url + n - 8, ":predict") ? FS_PROTO_TF : FS_PROTO_V2;
}

char *fs_endpoint_model_name(const char *url)
{
	const char *p = strstr(url, "/models/");
	if (!p)
		return fs_xstrdup(url);
	p += 8;
	size_t n = strcspn(p, "/:?");
	char *s = fs_xmalloc(n + 1);
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct fs_buf *b = ctx;
	if (b->len + size * n > MAX_ANSWER)
		return 0;  /* libcurl ends the transfer with an error */
	fs_buf_put(b, p, size * n);
	return size * n;
}

static CURL *easy(struct fs_endpoint *e)
{
	if (e->nidle)
		return e->idle[--e->nidle];
	CURL *h = curl_easy_init();
	if (!h)
		fs_oom();
	curl_easy_setopt(h, CURLOPT_URL, e->cfg.url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, e->headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	long ms = (long)(e->cfg.timeout_ns / 1000000);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms > 0 ? ms : 1L);
	return h;
}

static void batch_free(struct batch *b)
{
	if (!b)
		return;
	free(b->x);
	fs_buf_free(&b->body);
	fs_buf_free(&b->answer);
	free(b->out);
	free(b->version);
	free(b->error);
	free(b);
}

/* The i-th batch from the front. */
static struct batch *nth(const struct fs_endpoint *e, size_t i)
{
	return *(struct batch **)fs_ring_at(&e->q, i);
}

static struct batch *back(struct fs_endpoint *e)
{
	return e->q.n ? nth(e, e->q.n - 1) : NULL;
}

/* ------------------------------------------------------------ sending */

static void send_batch(struct fs_endpoint *e, struct batch *b)
{
	if (!b->body.len)
		fs_infer_write_request(&b->body, e->cfg.proto, e->named, e->names, e->nnames, b->x, b->n);
	b->answer.len = 0;
	b->curl_err[0] = 0;
	b->h = easy(e);
	curl_easy_setopt(b->h, CURLOPT_POSTFIELDS, b->body.p);
	curl_easy_setopt(b->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->body.len);
	curl_easy_setopt(b->h, CURLOPT_WRITEDATA, &b->answer);
	curl_easy_setopt(b->h, CURLOPT_ERRORBUFFER, b->curl_err);
	curl_easy_setopt(b->h, CURLOPT_PRIVATE, b);
	b->tries++;
	b->st = B_SENT;
	curl_multi_add_handle(e->multi, b->h);
}

static void finish(struct batch *b, const char *why)
{
	b->st = B_DONE;
	if (why) {
		b->ok = 0;
		b->error = fs_xstrdup(why);
	}
}

/* Ready batches go out while there is room; while the server is down
 * they fail at once, but for one probe when its time comes. */
static void start_ready(struct fs_endpoint *e)
{
	int64_t now = 0;
	for (size_t i = 0; i < e->q.n; i++) {
		struct batch *b = nth(e, i);
		if (b->st != B_READY)
			continue;
		if (e->down) {
			if (!now)
				now = fs_clock_ns(CLOCK_MONOTONIC);
			if (e->probing || now < e->probe_at) {
				char why[512];
				snprintf(why, sizeof why, "the model server is down (%s)", e->down_why);
				finish(b, why);
				continue;
			}
		}
		if (e->busy >= e->cfg.inflight)
			break;
		if (e->down) {
			e->probing = 1;
			b->probe = 1;
		}
		e->busy++;
		send_batch(e, b);
	}
}

static void went_down(struct fs_endpoint *e, const char *why)
{
	int64_t now = fs_clock_ns(CLOCK_MONOTONIC);
	if (!e->down) {
		e->down = 1;
		e->cool_ns = COOL_FIRST_NS;
	} else {
		e->cool_ns = e->cool_ns * 2 > COOL_MAX_NS ? COOL_MAX_NS : e->cool_ns * 2;
	}
	e->probe_at = now + e->cool_ns;
	free(e->down_why);
	e->down_why = fs_xstrdup(why);
	fs_warn("%s: %s; the model server counts as down: batches fail at once (--on-error) until "
	        "it answers a probe, the next in %.0fs", e->cfg.url, why, (double)e->cool_ns / 1e9);
}

static void came_back(struct fs_endpoint *e)
{
	if (!e->down)
		return;
	e->down = 0;
	fs_warn("%s: the model server answers again", e->cfg.url);
}

/* A transfer ended: done, or to be tried again. */
static void ended(struct fs_endpoint *e, struct batch *b, CURLcode rc)
{
	long http = 0;
	char why[768];
	int again = 0, silent = 0;  /* silent: no HTTP answer at all */
	curl_easy_getinfo(b->h, CURLINFO_RESPONSE_CODE, &http);
	curl_multi_remove_handle(e->multi, b->h);
	e->idle[e->nidle++] = b->h;
	b->h = NULL;
	if (rc != CURLE_OK) {
		again = silent = 1;
		if (rc == CURLE_OPERATION_TIMEDOUT)
			snprintf(why, sizeof why, "no answer within --timeout %.0fms",
			         (double)e->cfg.timeout_ns / 1e6);
		else
			snprintf(why, sizeof why, "%s", b->curl_err[0] ? b->curl_err : curl_easy_strerror(rc));
	} else if (http == 200) {
		came_back(e);
		char err[512];
		if (fs_infer_read_answer(e->cfg.proto, b->answer.p ? b->answer.p : "", b->answer.len, b->n,
		                         &b->out, &b->nout, &b->version, err, sizeof err) < 0) {
			snprintf(why, sizeof why, "unreadable answer: %s", err);
			e->busy--;
			finish(b, why);
			return;
		}
		b->ok = 1;
		e->busy--;
		finish(b, NULL);
		return;
	} else {
		came_back(e);
		char *msg = fs_infer_read_error(b->answer.p ? b->answer.p : "", b->answer.len);
		if (msg)
			snprintf(why, sizeof why, "HTTP %ld: %s", http, msg);
		else
			snprintf(why, sizeof why, "HTTP %ld: %.200s", http, b->answer.len ?
			         fs_buf_cstr(&b->answer) : "(no body)");
		free(msg);
		again = http == 408 || http == 429 || http >= 500;
	}
	if (again && !b->probe && b->tries <= e->cfg.retries) {
		b->st = B_WAIT;
		b->retry_at = fs_clock_ns(CLOCK_MONOTONIC) + (e->cfg.retry_wait_ns << (b->tries - 1));
		return;
	}
	e->busy--;
	if (again) {
		char full[900];
		snprintf(full, sizeof full, "%s (%u tr%s)", why, b->tries, b->tries > 1 ? "ies" : "y");
		finish(b, full);
		/* down: it did not answer at all, all tries long (an answer, even a
		 * 503, says it is there); batches in flight as it went do not
		 * lengthen the wait */
		if (silent && (b->probe || !e->down))
			went_down(e, why);
		else if (b->probe)
			e->probing = 0;
		return;
	}
	finish(b, why);
}

static void resend_due(struct fs_endpoint *e)
{
	int64_t now = 0;
	for (size_t i = 0; i < e->q.n; i++) {
		struct batch *b = nth(e, i);
		if (b->st != B_WAIT)
			continue;
		if (!now)
			now = fs_clock_ns(CLOCK_MONOTONIC);
		if (now >= b->retry_at)
			send_batch(e, b);
	}
}

void fs_endpoint_pump(struct fs_endpoint *e)
{
	int running;
	resend_due(e);
	start_ready(e);
	curl_multi_perform(e->multi, &running);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(e->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct batch *b;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&b);
		struct batch *probe = b->probe ? b : NULL;
		ended(e, b, m->data.result);
		if (probe && probe->st == B_DONE)
			e->probing = 0;
	}
	start_ready(e);
}

/* Milliseconds until the next timer of ours (a retry, the open batch's
 * wait), or -1. */
static int next_timer(struct fs_endpoint *e)
{
	int64_t at = 0;
	for (size_t i = 0; i < e->q.n; i++) {
		struct batch *b = nth(e, i);
		int64_t t = b->st == B_WAIT ? b->retry_at :
		            b->st == B_OPEN && b->n ? b->opened + e->cfg.batch_wait_ns : 0;
		if (t && (!at || t < at))
			at = t;
	}
	if (!at)
		return -1;
	int64_t ms = (at - fs_clock_ns(CLOCK_MONOTONIC) + 999999) / 1000000;
	return ms < 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

static void close_open(struct fs_endpoint *e)
{
	struct batch *b = back(e);
	if (b && b->st == B_OPEN && b->n)
		b->st = B_READY;
}

static int front_done(const struct fs_endpoint *e)
{
	return e->q.n && nth(e, 0)->st == B_DONE;
}

/* ------------------------------------------------------------ the API */

void fs_endpoint_push(struct fs_endpoint *e, const double *x)
{
	struct batch *b = back(e);
	if (!b || b->st != B_OPEN) {
		b = fs_xcalloc(1, sizeof *b);
		b->x = fs_xmalloc((e->cfg.batch * e->nnames + 1) * sizeof *b->x);
		*(struct batch **)fs_ring_push(&e->q) = b;
	}
	if (!b->n)
		b->opened = fs_clock_ns(CLOCK_MONOTONIC);
	memcpy(b->x + b->n * e->nnames, x, e->nnames * sizeof *x);
	b->n++;
	e->rows++;
	if (b->n == e->cfg.batch) {
		b->st = B_READY;
		fs_endpoint_pump(e);
	}
}

int fs_endpoint_full(const struct fs_endpoint *e)
{
	/* rows waiting behind the front one: a few rounds of requests in flight */
	return e->rows >= 4 * (size_t)e->cfg.inflight * e->cfg.batch + e->cfg.batch;
}

int fs_endpoint_wait(struct fs_endpoint *e, int fd, int ms)
{
	struct batch *b = back(e);
	if (b && b->st == B_OPEN && b->n &&
	    fs_clock_ns(CLOCK_MONOTONIC) - b->opened >= e->cfg.batch_wait_ns)
		close_open(e);
	fs_endpoint_pump(e);
	if (front_done(e))
		return 0;
	int t = next_timer(e);
	if (t < 0 || (ms >= 0 && ms < t))
		t = ms;
	if (t < 0)
		t = 1000;  /* libcurl's own timers shorten it */
	struct curl_waitfd w = {.fd = fd, .events = CURL_WAIT_POLLIN};
	int nfds = 0;
	curl_multi_poll(e->multi, fd >= 0 ? &w : NULL, fd >= 0 ? 1 : 0, t, &nfds);
	fs_endpoint_pump(e);
	if (fd < 0)
		return 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0);
}

void fs_endpoint_drain(struct fs_endpoint *e)
{
	close_open(e);
	for (;;) {
		fs_endpoint_pump(e);
		size_t done = 0;
		for (size_t i = 0; i < e->q.n; i++)
			done += nth(e, i)->st == B_DONE;
		if (done == e->q.n)
			return;
		int t = next_timer(e);
		int nfds;
		curl_multi_poll(e->multi, NULL, 0, t < 0 ? 1000 : t, &nfds);
	}
}

int fs_endpoint_next(struct fs_endpoint *e, struct fs_endpoint_result *res)
{
	batch_free(e->gone);
	e->gone = NULL;
	if (!front_done(e))
		return 0;
	struct batch *b = nth(e, 0);
	size_t i = e->taken++;
	*res = (struct fs_endpoint_result){.ok = b->ok, .nout = b->nout, .version = b->version,
	                                   .error = b->error};
	if (b->ok)
		res->out = b->out + i * b->nout;
	e->rows--;
	if (e->taken == b->n) {
		e->gone = b;  /* res points into it until the next call */
		fs_ring_pop(&e->q);
		e->taken = 0;
	}
	return 1;
}

size_t fs_endpoint_pending(const struct fs_endpoint *e)
{
	return e->rows;
}

int fs_endpoint_classes(const struct fs_endpoint *e)
{
	return e->classes != 0;
}

char *const *fs_endpoint_names(const struct fs_endpoint *e, size_t *n)
{
	*n = e->nnames;
	return e->names;
}

/* ------------------------------------------------------------ opening */

/* The metadata URL of an inference URL, or NULL when it has no known form. */
static char *metadata_url(const char *url, enum fs_proto p)
{
	size_t n = strlen(url);
	const char *tail = p == FS_PROTO_V2 ? "/infer" : ":predict";
	size_t tl = strlen(tail);
	if (n < tl || strcmp(url + n - tl, tail))
		return NULL;
	const char *add = p == FS_PROTO_V2 ? "" : "/metadata";
	char *s = fs_xmalloc(n - tl + strlen(add) + 1);
	memcpy(s, url, n - tl);
	strcpy(s + n - tl, add);
	return s;
}

/* GETs the model's metadata, with the retries of the config. */
static int read_metadata(struct fs_endpoint *e, char *err, size_t errsize, int *status)
{
	char *url = metadata_url(e->cfg.url, e->cfg.proto);
	if (!url) {
		snprintf(err, errsize, "%s: cannot tell where its model's metadata is (a URL ending in "
		         "%s); name the model's inputs in order with --features", e->cfg.url,
		         e->cfg.proto == FS_PROTO_V2 ? "/infer" : ":predict");
		*status = FS_EX_USAGE;
		return -1;
	}
	CURL *h = curl_easy_init();
	struct fs_buf body = {0};
	char cerr[CURL_ERROR_SIZE];
	long ms = (long)(e->cfg.timeout_ns / 1000000);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
	int rc = -1;
	for (unsigned t = 0; t <= e->cfg.retries; t++) {
		if (t)
			nanosleep(&(struct timespec){.tv_sec = (e->cfg.retry_wait_ns << (t - 1)) / 1000000000,
			                             .tv_nsec = (e->cfg.retry_wait_ns << (t - 1)) % 1000000000},
			          NULL);
		body.len = 0;
		cerr[0] = 0;
		CURLcode c = curl_easy_perform(h);
		long http = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http);
		if (c != CURLE_OK) {
			snprintf(err, errsize, "%s: no answer: %s; is the model server up? (or name the "
			         "model's inputs with --features)", url, cerr[0] ? cerr : curl_easy_strerror(c));
			*status = FS_EX_UNAVAILABLE;
			continue;
		}
		if (http != 200) {
			snprintf(err, errsize, "%s: HTTP %ld for the model's metadata; name the model's "
			         "inputs in order with --features", url, http);
			*status = FS_EX_UNAVAILABLE;
			if (http >= 500 || http == 408 || http == 429)
				continue;
			break;
		}
		char why[512];
		if (fs_infer_read_metadata(e->cfg.proto, body.p ? body.p : "", body.len, &e->names,
		                           &e->nnames, &e->classes, why, sizeof why) < 0) {
			snprintf(err, errsize, "%s: %s; name the model's inputs in order with --features", url,
			         why);
			*status = FS_EX_DATAERR;
			break;
		}
		rc = 0;
		break;
	}
	curl_easy_cleanup(h);
	fs_buf_free(&body);
	free(url);
	return rc;
}

struct fs_endpoint *fs_endpoint_open(const struct fs_endpoint_config *cfg, char *err,
                                     size_t errsize, int *status)
{
	const char *after = !strncmp(cfg->url, "http://", 7) ? cfg->url + 7 :
	                    !strncmp(cfg->url, "https://", 8) ? cfg->url + 8 : NULL;
	if (!after || !*after || *after == '/') {
		snprintf(err, errsize, "--endpoint %s: give an http:// or https:// URL, such as "
		         "http://127.0.0.1:8080/v2/models/NAME/infer", cfg->url);
		*status = FS_EX_USAGE;
		return NULL;
	}
	CURLU *u = curl_url();
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, cfg->url, 0);
	char *host = NULL;
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_free(host);
	curl_url_cleanup(u);
	if (uc != CURLUE_OK) {
		snprintf(err, errsize, "--endpoint %s: not a URL (%s)", cfg->url, curl_url_strerror(uc));
		*status = FS_EX_USAGE;
		return NULL;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct fs_endpoint *e = fs_xcalloc(1, sizeof *e);
	e->classes = -1;
	e->cfg = *cfg;
	e->q.size = sizeof(struct batch *);
	e->idle = fs_xcalloc(cfg->inflight, sizeof *e->idle);
	if (cfg->nnames) {
		e->names = fs_xcalloc(cfg->nnames, sizeof *e->names);
		for (size_t i = 0; i < cfg->nnames; i++)
			e->names[i] = fs_xstrdup(cfg->names[i]);
		e->nnames = cfg->nnames;
	} else if (read_metadata(e, err, errsize, status) < 0) {
		fs_endpoint_free(e);
		return NULL;
	} else {
		e->named = 1;
	}
	e->multi = curl_multi_init();
	if (!e->multi)
		fs_oom();
	curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->inflight);
	curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, (long)cfg->inflight);
	e->headers = curl_slist_append(NULL, "Content-Type: application/json");
	e->headers = curl_slist_append(e->headers, "Expect:");  /* no 100-continue round trip */
	return e;
}

void fs_endpoint_free(struct fs_endpoint *e)
{
	if (!e)
		return;
	batch_free(e->gone);
	for (size_t i = 0; i < e->q.n; i++) {
		struct batch *b = nth(e, i);
		if (b->h) {
			curl_multi_remove_handle(e->multi, b->h);
			curl_easy_cleanup(b->h);
		}
		batch_free(b);
	}
	fs_ring_free(&e->q);
	for (size_t i = 0; i < e->nidle; i++)
		curl_easy_cleanup(e->idle[i]);
	free(e->idle);
	if (e->multi)
		curl_multi_cleanup(e->multi);
	curl_slist_free_all(e->headers);
	fs_cli_list_free(e->names, e->nnames);
	free(e->down_why);
	free(e);
}
