/* online.c: the Redis online store (see online.h), over hiredis's
 * synchronous context: commands are appended to its output buffer and
 * their replies read in order, which is all pipelining needs. */
#include "online.h"
#include "diag.h"
#include "hmap.h"
#include "loop.h"
#include "timefmt.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Newer wins, for several keys at once (one call carries up to CHUNK of
 * them, which Redis runs far faster than as many calls): ARGV[1] is the
 * expiry in ms (0: none), then per key its time, its number of fields and
 * the field, value pairs. Returns how many keys kept newer values. */
static const char write_script[] =
	"local ttl, a, kept = ARGV[1], 2, 0\n"
	"for k = 1, #KEYS do\n"
	"  local t, n = ARGV[a], tonumber(ARGV[a + 1])\n"
	"  local cur = redis.call('HGET', KEYS[k], '" FS_ONLINE_TIME "')\n"
	"  if cur and cur > t then\n"
	"    kept = kept + 1\n"
	"  else\n"
	"    redis.call('HSET', KEYS[k], '" FS_ONLINE_TIME "', t, unpack(ARGV, a + 2, a + 1 + 2 * n))\n"
	"    if ttl ~= '0' then redis.call('PEXPIRE', KEYS[k], ttl) end\n"
	"  end\n"
	"  a = a + 2 + 2 * n\n"
	"end\n"
	"return kept\n";

#define BATCH_BYTES ((size_t)1 << 20)  /* and at most this much of records */
#define CHUNK 32          /* keys per call of the script */
#define BATCH 1024        /* distinct keys per batch of writes */
#define LOOKAHEAD 64      /* lookups appended before they are sent */

/* A queue of writes, each a record in q->b:
 *   u8 live, u32 key length, key, i64 time, u32 fields,
 *   then per field u32 name length, name, u32 value length, value.
 * The same bytes are what a state holds. */
struct wq {
	struct fs_buf b;
	size_t n;                  /* live records */
	struct fs_hmap last;       /* key -> offset + 1 of its latest record */
	size_t *calls, ncalls, capcalls;  /* once sent: the keys of each call */
};

struct kv {
	redisReply *k, *v;
};

struct fs_online {
	struct fs_online_config cfg;
	char *label;               /* the URL without its password */
	char *host, *path, *user, *password;
	int port, db;
	redisContext *c;
	char sha[41];              /* the write script's */
	char ttl[24];
	char ttext[40];            /* the last second's @time text */
	int64_t tsec;
	int tsec_ok;
	/* writes */
	struct wq batch, inflight;
	size_t cur;                /* the record being written: its offset */
	uint32_t curfields;
	uint64_t written, kept_newer;
	/* lookups: keys queued, as offsets into keys, and the next to answer */
	struct fs_buf keys;
	size_t *koff, nk, capk, head, unsent;
	redisReply *reply;
	struct kv *kv;             /* HGETALL's pairs, sorted by name */
	size_t kvcap;
	const char **name, **val;
	size_t *nlen, *vlen, cap;
	/* failure */
	char lost[256];            /* why the connection was dropped */
	int passing;               /* the last set-up command failed for a passing reason */
	int status;
	char why[512];
};

/* ------------------------------------------------------------ the URL */

static int url_error(char *err, size_t errsize, const char *url, const char *why)
{
	snprintf(err, errsize, "--online %s: %s; write redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] "
	         "or unix:///PATH[?db=N]", url, why);
	return -1;
}

static char *dup_n(const char *p, size_t n)
{
	char *s = fs_xmalloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static int parse_int(const char *p, size_t n, int lo, int hi, int *v)
{
	if (n == 0 || n > 9)
		return -1;
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		x = x * 10 + (p[i] - '0');
	}
	if (x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

static int parse_url(struct fs_online *o, const char *url, char *err, size_t errsize)
{
	if (strncmp(url, "unix://", 7) == 0) {
		const char *p = url + 7, *q = strchr(p, '?');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		if (n == 0 || p[0] != '/')
			return url_error(err, errsize, url, "the socket's path must be absolute");
		o->path = dup_n(p, n);
		if (q && (strncmp(q, "?db=", 4) != 0 || parse_int(q + 4, strlen(q + 4), 0, 1 << 20, &o->db) < 0))
			return url_error(err, errsize, url, "after the path only ?db=N may follow");
		o->label = fs_xstrdup(url);
		return 0;
	}
	if (strncmp(url, "redis://", 8) != 0)
		return url_error(err, errsize, url, "not a redis:// or unix:// URL");
	const char *p = url + 8, *at = strchr(p, '@'), *slash;
	struct fs_buf name = {0};
	fs_buf_puts(&name, "redis://");
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (!colon) {
			fs_buf_free(&name);
			return url_error(err, errsize, url, "the part before @ must be [USER]:PASSWORD");
		}
		if (colon > p)
			o->user = dup_n(p, (size_t)(colon - p));
		o->password = dup_n(colon + 1, (size_t)(at - colon - 1));
		fs_buf_put(&name, p, (size_t)(colon - p));
		fs_buf_puts(&name, ":***@");
		p = at + 1;
	}
	slash = strchr(p, '/');
	size_t hn = slash ? (size_t)(slash - p) : strlen(p);
	const char *port = NULL;
	if (hn && p[0] == '[') {
		const char *close = memchr(p, ']', hn);
		if (!close)
			goto bad_host;
		o->host = dup_n(p + 1, (size_t)(close - p - 1));
		if (close + 1 < p + hn) {
			if (close[1] != ':')
				goto bad_host;
			port = close + 2;
		}
	} else {
		const char *colon = memchr(p, ':', hn);
		o->host = dup_n(p, colon ? (size_t)(colon - p) : hn);
		if (colon)
			port = colon + 1;
	}
	if (!*o->host)
		goto bad_host;
	o->port = 6379;
	if (port && parse_int(port, (size_t)(p + hn - port), 1, 65535, &o->port) < 0) {
		fs_buf_free(&name);
		return url_error(err, errsize, url, "the port must be a number from 1 to 65535");
	}
	if (slash && slash[1] && parse_int(slash + 1, strlen(slash + 1), 0, 1 << 20, &o->db) < 0) {
		fs_buf_free(&name);
		return url_error(err, errsize, url, "the database after / must be a number");
	}
	fs_buf_puts(&name, p);
	fs_buf_cstr(&name);
	o->label = name.p;
	return 0;
bad_host:
	fs_buf_free(&name);
	return url_error(err, errsize, url, "no host, or a malformed [IPv6] address");
}

/* ------------------------------------------------------------ connecting */

static struct timeval tv_of(int64_t ns)
{
	return (struct timeval){.tv_sec = ns / FS_NS_PER_SEC, .tv_usec = ns % FS_NS_PER_SEC / 1000};
}

/* An error reply that passes: worth a reconnect and a retry. */
static int passing(const char *msg)
{
	static const char *const codes[] = {"NOSCRIPT", "LOADING", "BUSY", "OOM", "TRYAGAIN",
	                                    "MASTERDOWN", "READONLY", "CLUSTERDOWN", NULL};
	for (const char *const *c = codes; *c; c++)
		if (strncmp(msg, *c, strlen(*c)) == 0)
			return 1;
	return 0;
}

/* One command, its reply checked; for set-up only (nothing is in flight). */
static redisReply *command(struct fs_online *o, char *err, size_t errsize, int argc,
                           const char **argv)
{
	redisReply *r = redisCommandArgv(o->c, argc, argv, NULL);
	if (!r) {
		int late = o->c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
		snprintf(err, errsize, "%s: %s: %s", o->label, argv[0],
		         late ? "no answer in time; is the server stopped or overloaded?" : o->c->errstr);
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		o->passing = passing(r->str);
		snprintf(err, errsize, "%s: %s: %s", o->label, argv[0], r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

/* Connects, authenticates, selects the database and loads the script.
 * Returns 0, or -1 with the reason in err. */
static int connect_store(struct fs_online *o, char *err, size_t errsize)
{
	if (o->c)
		redisFree(o->c);
	int64_t wait = o->cfg.timeout_ns < 2 * FS_NS_PER_SEC ? o->cfg.timeout_ns : 2 * FS_NS_PER_SEC;
	o->c = o->path ? redisConnectUnixWithTimeout(o->path, tv_of(wait))
	               : redisConnectWithTimeout(o->host, o->port, tv_of(wait));
	if (!o->c)
		fs_oom();
	if (o->c->err) {
		snprintf(err, errsize, "%s: cannot connect: %s", o->label, o->c->errstr);
		goto fail;
	}
	/* a store that stops answering counts as lost after this long */
	int64_t io = o->cfg.timeout_ns < 5 * FS_NS_PER_SEC ? o->cfg.timeout_ns : 5 * FS_NS_PER_SEC;
	redisSetTimeout(o->c, tv_of(io));
	if (!o->path)
		redisEnableKeepAlive(o->c);
	redisReply *r;
	if (o->password) {
		const char *argv[] = {"AUTH", o->user ? o->user : o->password, o->password};
		if (!(r = command(o, err, errsize, o->user ? 3 : 2, argv)))
			goto fail;
		freeReplyObject(r);
	}
	if (o->db) {
		char db[16];
		snprintf(db, sizeof db, "%d", o->db);
		const char *argv[] = {"SELECT", db};
		if (!(r = command(o, err, errsize, 2, argv)))
			goto fail;
		freeReplyObject(r);
	}
	if (o->cfg.writer) {
		const char *argv[] = {"SCRIPT", "LOAD", write_script};
		if (!(r = command(o, err, errsize, 3, argv)))
			goto fail;
		snprintf(o->sha, sizeof o->sha, "%s", r->type == REDIS_REPLY_STRING ? r->str : "");
		freeReplyObject(r);
	} else {
		const char *argv[] = {"PING"};
		if (!(r = command(o, err, errsize, 1, argv)))
			goto fail;
		freeReplyObject(r);
	}
	return 0;
fail:
	redisFree(o->c);
	o->c = NULL;
	return -1;
}

struct fs_online *fs_online_open(const struct fs_online_config *cfg, char *err, size_t errsize,
                                 int *status)
{
	struct fs_online *o = fs_xcalloc(1, sizeof *o);
	o->cfg = *cfg;
	snprintf(o->ttl, sizeof o->ttl, "%lld", (long long)cfg->ttl_ms);
	*status = FS_EX_USAGE;
	if (parse_url(o, cfg->url, err, errsize) < 0) {
		fs_online_free(o);
		return NULL;
	}
	*status = FS_EX_UNAVAILABLE;
	/* a store that answers but is not ready (loading its data) is waited
	 * for; one that does not answer is an error at once */
	int64_t deadline = fs_clock_ns(CLOCK_MONOTONIC) + cfg->timeout_ns;
	int rc;
	while ((rc = connect_store(o, err, errsize)) < 0 && o->passing && fs_clock_ns(CLOCK_MONOTONIC) < deadline &&
	       !fs_loop_stopping()) {
		o->passing = 0;
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	if (rc < 0) {
		size_t n = strlen(err);
		if (strstr(err, ": cannot connect: "))
			snprintf(err + n, errsize - n, "; is redis-server running there?");
		else if (o->passing)
			snprintf(err + n, errsize - n, " for %.0f s (--online-timeout)",
			         (double)cfg->timeout_ns / 1e9);
		fs_online_free(o);
		return NULL;
	}
	return o;
}

const char *fs_online_name(const struct fs_online *o)
{
	return o->label;
}

int fs_online_failed(const struct fs_online *o, const char **why)
{
	if (why)
		*why = o->why;
	return o->status;
}

static void wq_free(struct wq *q)
{
	free(q->calls);
	fs_buf_free(&q->b);
	fs_hmap_free(&q->last);
}

void fs_online_free(struct fs_online *o)
{
	if (!o)
		return;
	if (o->c)
		redisFree(o->c);
	freeReplyObject(o->reply);
	wq_free(&o->batch);
	wq_free(&o->inflight);
	fs_buf_free(&o->keys);
	free(o->koff);
	free(o->kv);
	free(o->label);
	free(o->name);
	free(o->val);
	free(o->nlen);
	free(o->vlen);
	free(o->host);
	free(o->path);
	free(o->user);
	free(o->password);
	free(o);
}

static int fail(struct fs_online *o, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct fs_online *o, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof o->why, fmt, ap);
	va_end(ap);
	o->status = status;
	if (o->c) {
		redisFree(o->c);
		o->c = NULL;
	}
	return -1;
}

/* The connection broke, or the store answered with a passing error (it is
 * loading, busy, out of memory, read-only, or lost the script): reconnects
 * with backoff until the timeout. Returns 0 once connected again, the caller
 * then resends everything without a reply; -1 when it gave up. */
static int recover(struct fs_online *o, const char *what)
{
	if (o->status)
		return -1;
	char err[512];
	int64_t start = fs_clock_ns(CLOCK_MONOTONIC), deadline = start + o->cfg.timeout_ns, backoff = 50000000;
	char limit[32];
	fs_duration_format(o->cfg.timeout_ns, limit, sizeof limit);
	fs_warn("%s: %s; retrying for up to %s (--online-timeout)", o->label, what, limit);
	snprintf(err, sizeof err, "%s", what);
	for (int attempt = 0;; attempt++) {
		if (attempt) {
			int64_t left = deadline - fs_clock_ns(CLOCK_MONOTONIC);
			if (left <= 0)
				return fail(o, FS_EX_TEMPFAIL, "%s: unreachable for %s (--online-timeout): %s",
				            o->label, limit, err);
			struct timespec ts = {.tv_sec = (backoff < left ? backoff : left) / FS_NS_PER_SEC,
			                      .tv_nsec = (backoff < left ? backoff : left) % FS_NS_PER_SEC};
			nanosleep(&ts, NULL);
			backoff = backoff * 2 < 2 * FS_NS_PER_SEC ? backoff * 2 : 2 * FS_NS_PER_SEC;
		}
		if (fs_loop_stopping())
			return fail(o, FS_EX_TEMPFAIL, "%s: stopped while the store was unreachable: %s",
			            o->label, err);
		if (connect_store(o, err, sizeof err) == 0) {
			fs_warn("%s: reconnected after %.1f s", o->label, (double)(fs_clock_ns(CLOCK_MONOTONIC) - start) / 1e9);
			return 0;
		}
	}
}

/* ------------------------------------------------------------ writes */

static void put_u32(struct fs_buf *b, uint32_t v)
{
	fs_buf_put(b, &v, 4);
}

static uint32_t get_u32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

void fs_online_put_begin(struct fs_online *o, const char *key, size_t klen, int64_t time)
{
	struct fs_buf *b = &o->batch.b;
	o->cur = b->len;
	o->curfields = 0;
	fs_buf_putc(b, 1);
	put_u32(b, (uint32_t)klen);
	fs_buf_put(b, key, klen);
	fs_buf_put(b, &time, 8);
	put_u32(b, 0);
}

void fs_online_put_field(struct fs_online *o, const char *name, size_t nlen, const char *val,
                         size_t vlen)
{
	struct fs_buf *b = &o->batch.b;
	put_u32(b, (uint32_t)nlen);
	fs_buf_put(b, name, nlen);
	put_u32(b, (uint32_t)vlen);
	fs_buf_put(b, val, vlen);
	o->curfields++;
}

/* A record's parts; returns the offset after it. */
struct wrec {
	const char *key;
	uint32_t klen, nf;
	int64_t time;
	const char *fields;
};

static size_t wrec_at(const struct fs_buf *b, size_t off, struct wrec *w)
{
	const char *p = b->p + off + 1;
	w->klen = get_u32(p);
	w->key = p + 4;
	p += 4 + w->klen;
	memcpy(&w->time, p, 8);
	w->nf = get_u32(p + 8);
	p += 12;
	w->fields = p;
	for (uint32_t i = 0; i < w->nf; i++) {
		p += 4 + get_u32(p);
		p += 4 + get_u32(p);
	}
	return (size_t)(p - b->p);
}

/* Marks the batch's earlier write of the record's key dead. */
static void coalesce(struct wq *q, size_t off)
{
	struct wrec w;
	wrec_at(&q->b, off, &w);
	int created;
	struct fs_hent *e = fs_hmap_upsert(&q->last, w.key, w.klen, fs_hash(w.key, w.klen), &created);
	if (!created) {
		q->b.p[e->v.u - 1] = 0;
		q->n--;
	}
	e->v.u = off + 1;
	q->n++;
}

/* A time as @time's text; the date and clock of the last second are kept,
 * since a stream's writes come mostly within the same few seconds. */
static void time_text(struct fs_online *o, int64_t ns, char out[40])
{
	int64_t sec = ns / FS_NS_PER_SEC - (ns % FS_NS_PER_SEC < 0);
	if (!o->tsec_ok || sec != o->tsec) {
		fs_time_format_fixed(sec * FS_NS_PER_SEC, o->ttext, sizeof o->ttext);
		o->tsec = sec;
		o->tsec_ok = 1;
	}
	memcpy(out, o->ttext, 20);  /* "YYYY-MM-DDTHH:MM:SS." */
	snprintf(out + 20, 20, "%09lldZ", (long long)(ns - sec * FS_NS_PER_SEC));
}

/* Appends the live records of q to the connection, CHUNK keys a call;
 * q->calls[i] is how many keys call i carries. */
static void append_writes(struct fs_online *o, struct wq *q)
{
	size_t cap = 0, argc = 0, keys = 0;
	const char **argv = NULL;
	size_t *argl = NULL;
	char times[CHUNK][40], counts[CHUNK][12], nkeys[24];
	struct wrec w[CHUNK];
	q->ncalls = 0;
	for (size_t off = 0; off < q->b.len || keys;) {
		if (off < q->b.len) {
			int live = q->b.p[off];
			size_t next = wrec_at(&q->b, off, &w[keys]);
			off = next;
			if (!live)
				continue;
			keys++;
			if (keys < CHUNK && off < q->b.len)
				continue;
		}
		/* EVALSHA sha N key... ttl (time count field value...)... */
		argc = 4 + keys;
		for (size_t k = 0; k < keys; k++)
			argc += 2 + 2 * (size_t)w[k].nf;
		if (argc > cap) {
			cap = argc * 2;
			argv = fs_xrealloc(argv, cap * sizeof *argv);
			argl = fs_xrealloc(argl, cap * sizeof *argl);
		}
		size_t i = 0;
		snprintf(nkeys, sizeof nkeys, "%zu", keys);
		argv[i] = "EVALSHA", argl[i++] = 7;
		argv[i] = o->sha, argl[i++] = strlen(o->sha);
		argv[i] = nkeys, argl[i++] = strlen(nkeys);
		for (size_t k = 0; k < keys; k++)
			argv[i] = w[k].key, argl[i++] = w[k].klen;
		argv[i] = o->ttl, argl[i++] = strlen(o->ttl);
		for (size_t k = 0; k < keys; k++) {
			time_text(o, w[k].time, times[k]);
			snprintf(counts[k], sizeof counts[k], "%u", (unsigned)w[k].nf);
			argv[i] = times[k], argl[i++] = strlen(times[k]);
			argv[i] = counts[k], argl[i++] = strlen(counts[k]);
			const char *p = w[k].fields;
			for (uint32_t f = 0; f < 2 * w[k].nf; f++) {
				argl[i] = get_u32(p);
				argv[i] = p + 4;
				p += 4 + argl[i++];
			}
		}
		redisAppendCommandArgv(o->c, (int)argc, argv, argl);
		if (q->ncalls == q->capcalls) {
			q->capcalls = q->capcalls ? 2 * q->capcalls : 64;
			q->calls = fs_xrealloc(q->calls, q->capcalls * sizeof *q->calls);
		}
		q->calls[q->ncalls++] = keys;
		keys = 0;
	}
	free(argv);
	free(argl);
}

/* Sends the batch's bytes now, so the store works while the next fills. */
static int send_now(struct fs_online *o)
{
	int done = 0;
	while (!done)
		if (redisBufferWrite(o->c, &done) != REDIS_OK)
			return -1;
	return 0;
}

/* The connection is no good: dropped, so that the next step reconnects. */
static void lose(struct fs_online *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lose(struct fs_online *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->lost, sizeof o->lost, fmt, ap);
	va_end(ap);
	if (o->c) {
		redisFree(o->c);
		o->c = NULL;
	}
}

/* Reads the reply of every write in flight; on a lost connection or a
 * passing error, reconnects and sends them all again. */
static int settle(struct fs_online *o)
{
	struct wq *q = &o->inflight;
	while (q->n) {
		if (!o->c) {
			if (recover(o, o->lost) < 0)
				return -1;
			append_writes(o, q);
			if (send_now(o) < 0) {
				lose(o, "connection lost (%s)", o->c->errstr);
				continue;
			}
		}
		size_t ok = 0, kept = 0;
		for (size_t i = 0; i < q->ncalls && o->c; i++) {
			redisReply *r;
			if (redisGetReply(o->c, (void **)&r) != REDIS_OK) {
				lose(o, "connection lost (%s)", o->c->errstr);
				break;
			}
			if (r->type == REDIS_REPLY_INTEGER) {
				ok += q->calls[i];
				kept += (size_t)r->integer;
			} else if (r->type == REDIS_REPLY_ERROR && passing(r->str)) {
				lose(o, "the store answered %.200s", r->str);
			} else {
				/* a write the store refuses (the key holds another type):
				 * no retry helps; the run ends and its state keeps the write */
				int rc = fail(o, FS_EX_UNAVAILABLE, "%s: a write was refused: %.300s; is "
				              "another program using keys of this --online-prefix?", o->label,
				              r->type == REDIS_REPLY_ERROR ? r->str : "an unexpected reply");
				freeReplyObject(r);
				return rc;
			}
			freeReplyObject(r);
		}
		if (o->c) {
			o->written += ok;
			o->kept_newer += kept;
			break;
		}
	}
	q->b.len = 0;
	q->n = 0;
	fs_hmap_free(&q->last);
	return 0;
}

/* The batch goes in flight, once the previous batch has its replies. */
static int send_batch(struct fs_online *o)
{
	if (settle(o) < 0)
		return -1;
	struct wq t = o->inflight;
	o->inflight = o->batch;
	o->batch = t;
	fs_hmap_free(&o->inflight.last);  /* only the batch coalesces */
	if (o->c) {
		append_writes(o, &o->inflight);
		if (send_now(o) < 0)
			lose(o, "connection lost (%s)", o->c->errstr);  /* settle sends again */
	}
	return 0;
}

int fs_online_put_end(struct fs_online *o)
{
	struct fs_buf *b = &o->batch.b;
	size_t at = o->cur + 1 + 4 + get_u32(b->p + o->cur + 1) + 8;
	memcpy(b->p + at, &o->curfields, 4);
	coalesce(&o->batch, o->cur);
	if (o->status)
		return -1;
	/* full of keys, or of one key's superseded writes (few hot keys) */
	if (o->batch.n >= BATCH || o->batch.b.len >= BATCH_BYTES)
		return send_batch(o);
	return 0;
}

int fs_online_flush(struct fs_online *o)
{
	if (o->status)
		return -1;
	if (o->batch.n && send_batch(o) < 0)
		return -1;
	return settle(o);
}

uint64_t fs_online_pending(const struct fs_online *o)
{
	return o->batch.n + o->inflight.n;
}

void fs_online_counts(const struct fs_online *o, uint64_t *written, uint64_t *kept_newer)
{
	*written = o->written;
	*kept_newer = o->kept_newer;
}

/* The live records of q, in order. */
static void save_queue(const struct wq *q, struct fs_buf *b)
{
	for (size_t off = 0; off < q->b.len;) {
		struct wrec w;
		size_t next = wrec_at(&q->b, off, &w);
		if (q->b.p[off])
			fs_put_bytes(b, q->b.p + off, next - off);
		off = next;
	}
}

void fs_online_save(const struct fs_online *o, struct fs_buf *b)
{
	fs_put_u64(b, fs_online_pending(o));
	save_queue(&o->inflight, b);  /* in flight first: they came first */
	save_queue(&o->batch, b);
}

/* Checks that p..p+n is exactly one record. */
static int record_ok(const char *p, size_t n)
{
	if (n < 17 || p[0] != 1)
		return 0;
	const char *end = p + n, *q = p + 1;
	uint32_t kl = get_u32(q);
	if ((size_t)(end - q) < 4 + (size_t)kl + 12)
		return 0;
	q += 4 + kl + 8;
	uint32_t nf = get_u32(q);
	q += 4;
	for (uint64_t i = 0; i < 2 * (uint64_t)nf; i++) {
		if (end - q < 4 || (size_t)(end - q - 4) < get_u32(q))
			return 0;
		q += 4 + get_u32(q);
	}
	return q == end;
}

/* Reads the writes fs_online_save wrote, queuing them on o (NULL: only
 * checks them). Returns 0, or -1 when they do not parse. */
static int read_queue(struct fs_online *o, struct fs_rd *r)
{
	uint64_t n = fs_get_u64(r);
	for (uint64_t i = 0; i < n && r->ok; i++) {
		size_t len;
		const char *p = fs_get_bytes(r, &len);
		if (!r->ok || !record_ok(p, len))
			return -1;
		if (o) {
			size_t off = o->batch.b.len;
			fs_buf_put(&o->batch.b, p, len);
			coalesce(&o->batch, off);
		}
	}
	return r->ok ? 0 : -1;
}

int fs_online_load(struct fs_online *o, struct fs_rd *r)
{
	return read_queue(o, r);
}

int fs_online_skip(struct fs_rd *r)
{
	return read_queue(NULL, r);
}

/* ------------------------------------------------------------ lookups */

static void append_get(struct fs_online *o, const char *key, size_t klen)
{
	size_t n = o->cfg.nfields;
	if (!n) {
		const char *argv[] = {"HGETALL", key};
		size_t argl[] = {7, klen};
		redisAppendCommandArgv(o->c, 2, argv, argl);
		return;
	}
	const char *argv[n + 3];
	size_t argl[n + 3];
	argv[0] = "HMGET", argl[0] = 5;
	argv[1] = key, argl[1] = klen;
	argv[2] = FS_ONLINE_TIME, argl[2] = strlen(FS_ONLINE_TIME);
	for (size_t i = 0; i < n; i++)
		argv[3 + i] = o->cfg.fields[i], argl[3 + i] = strlen(o->cfg.fields[i]);
	redisAppendCommandArgv(o->c, (int)n + 3, argv, argl);
}

static const char *key_at(const struct fs_online *o, size_t i, size_t *len)
{
	*len = o->koff[i + 1] - o->koff[i];
	return o->keys.p + o->koff[i];
}

int fs_online_get(struct fs_online *o, const char *key, size_t klen)
{
	if (o->status)
		return -1;
	if (o->nk + 2 > o->capk) {
		o->capk = o->capk ? 2 * o->capk : 256;
		o->koff = fs_xrealloc(o->koff, o->capk * sizeof *o->koff);
	}
	if (o->nk == 0)
		o->koff[0] = 0;
	fs_buf_put(&o->keys, key, klen);
	o->koff[++o->nk] = o->keys.len;
	if (o->c)
		append_get(o, key, klen);
	if (++o->unsent >= LOOKAHEAD && o->c) {
		o->unsent = 0;
		if (send_now(o) < 0)
			lose(o, "connection lost (%s)", o->c->errstr);  /* the next reply reconnects */
	}
	return 0;
}

size_t fs_online_gets_pending(const struct fs_online *o)
{
	return o->nk - o->head;
}

static void row_room(struct fs_online *o, size_t n)
{
	if (n <= o->cap)
		return;
	o->cap = n;
	o->name = fs_xrealloc(o->name, n * sizeof *o->name);
	o->nlen = fs_xrealloc(o->nlen, n * sizeof *o->nlen);
	o->val = fs_xrealloc(o->val, n * sizeof *o->val);
	o->vlen = fs_xrealloc(o->vlen, n * sizeof *o->vlen);
}

static int cmp_field(const void *a, const void *b)
{
	const redisReply *x = ((const struct kv *)a)->k, *y = ((const struct kv *)b)->k;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->str, y->str, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The reply as a row; 0, or -1 when it is not what the command returns. */
static int take_row(struct fs_online *o, redisReply *r, struct fs_online_row *row)
{
	if (r->type != REDIS_REPLY_ARRAY)
		return -1;
	memset(row, 0, sizeof *row);
	if (o->cfg.nfields) {
		if (r->elements != o->cfg.nfields + 1)
			return -1;
		row_room(o, o->cfg.nfields);
		row->found = r->element[0]->type == REDIS_REPLY_STRING;
		for (size_t i = 0; i < o->cfg.nfields; i++) {
			redisReply *v = r->element[i + 1];
			o->name[i] = o->cfg.fields[i];
			o->nlen[i] = strlen(o->cfg.fields[i]);
			o->val[i] = v->type == REDIS_REPLY_STRING ? v->str : NULL;
			o->vlen[i] = v->type == REDIS_REPLY_STRING ? v->len : 0;
			row->found |= o->val[i] != NULL;
		}
		row->n = o->cfg.nfields;
	} else {
		if (r->elements % 2)
			return -1;
		size_t pairs = r->elements / 2;
		row_room(o, pairs ? pairs : 1);
		/* sorted by name: a hash's own order is not stable in Redis */
		if (pairs > o->kvcap) {
			o->kvcap = pairs;
			o->kv = fs_xrealloc(o->kv, pairs * sizeof *o->kv);
		}
		for (size_t i = 0; i < pairs; i++)
			o->kv[i] = (struct kv){r->element[2 * i], r->element[2 * i + 1]};
		qsort(o->kv, pairs, sizeof *o->kv, cmp_field);
		size_t n = 0;
		for (size_t i = 0; i < pairs; i++) {
			redisReply *k = o->kv[i].k, *v = o->kv[i].v;
			if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
				return -1;
			if (k->len == strlen(FS_ONLINE_TIME) && memcmp(k->str, FS_ONLINE_TIME, k->len) == 0)
				continue;
			o->name[n] = k->str;
			o->nlen[n] = k->len;
			o->val[n] = v->str;
			o->vlen[n] = v->len;
			n++;
		}
		row->found = pairs > 0;
		row->n = n;
	}
	row->name = o->name;
	row->nlen = o->nlen;
	row->val = o->val;
	row->vlen = o->vlen;
	return 0;
}

int fs_online_get_reply(struct fs_online *o, struct fs_online_row *row)
{
	freeReplyObject(o->reply);
	o->reply = NULL;
	if (o->status || o->head == o->nk)
		return -1;
	for (;;) {
		if (!o->c) {
			if (recover(o, o->lost) < 0)
				return -1;
			/* everything without an answer, again, in order */
			for (size_t i = o->head; i < o->nk; i++) {
				size_t kl;
				const char *k = key_at(o, i, &kl);
				append_get(o, k, kl);
			}
			o->unsent = 0;
		}
		redisReply *r;
		if (redisGetReply(o->c, (void **)&r) != REDIS_OK) {
			lose(o, "connection lost (%s)", o->c->errstr);
			continue;
		}
		if (r->type == REDIS_REPLY_ERROR && passing(r->str)) {
			lose(o, "the store answered %.200s", r->str);
			freeReplyObject(r);
			continue;
		}
		o->reply = r;
		if (take_row(o, r, row) < 0)
			return fail(o, FS_EX_UNAVAILABLE, "%s: a lookup failed: %.300s", o->label,
			            r->type == REDIS_REPLY_ERROR ? r->str : "an unexpected reply");
		break;
	}
	if (++o->head == o->nk) {
		o->head = o->nk = 0;
		o->keys.len = 0;
	} else if (o->head >= 4096 && o->head * 2 >= o->nk) {
		/* input never waited: drop the answered half, so memory stays bounded */
		size_t from = o->koff[o->head];
		memmove(o->keys.p, o->keys.p + from, o->keys.len - from);
		o->keys.len -= from;
		for (size_t i = o->head; i <= o->nk; i++)
			o->koff[i - o->head] = o->koff[i] - from;
		o->nk -= o->head;
		o->head = 0;
	}
	return 0;
}

/* ------------------------------------------------------------ keys */

void fs_online_key(struct fs_buf *b, const char *prefix, const char *text, size_t n)
{
	b->len = 0;
	fs_buf_puts(b, prefix);
	if (n && text[n - 1] == '\x1f')
		n--;  /* fsfeat's key texts end with one */
	for (size_t i = 0; i < n; i++)
		fs_buf_putc(b, text[i] == '\x1f' ? ':' : text[i]);
}
