/* output.c: buffered, optionally zstd-compressed output and splicing (see output.h). */
#include "output.h"
#include "diag.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define FLUSH_AT ((size_t)64 << 10)

struct fs_out {
	int fd, owned;
	struct fs_buf buf;
	ZSTD_CCtx *z;
	struct fs_buf zbuf;
	int broken, failed;
	uint64_t offset;           /* bytes in the file */
	int open_frame;            /* zstd: bytes went into a frame not yet ended */
	char err[128];
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

struct fs_out *fs_out_open(const char *path)
{
	struct fs_out *o = fs_xcalloc(1, sizeof *o);
	o->fd = 1;
	if (path && strcmp(path, "-") != 0) {
		o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (o->fd < 0) {
			free(o);
			return NULL;
		}
		o->owned = 1;
		if (ends_with(path, ".zst")) {
			o->z = ZSTD_createCCtx();
			if (!o->z)
				fs_oom();
			ZSTD_CCtx_setParameter(o->z, ZSTD_c_compressionLevel, 3);
			ZSTD_CCtx_setParameter(o->z, ZSTD_c_checksumFlag, 1);
		}
	}
	fs_buf_grow(&o->buf, FLUSH_AT + 4096);
	return o;
}

struct fs_out *fs_out_open_at(const char *path, uint64_t keep)
{
	struct fs_out *o = fs_out_open(NULL);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || (uint64_t)st.st_size < keep) {
		int e = fd < 0 ? errno : ERANGE;
		if (fd >= 0)
			close(fd);
		fs_out_close(o, NULL, 0);
		errno = e;
		return NULL;
	}
	if (ftruncate(fd, (off_t)keep) < 0 || lseek(fd, (off_t)keep, SEEK_SET) < 0) {
		int e = errno;
		close(fd);
		fs_out_close(o, NULL, 0);
		errno = e;
		return NULL;
	}
	o->fd = fd;
	o->owned = 1;
	o->offset = keep;
	if (ends_with(path, ".zst")) {
		o->z = ZSTD_createCCtx();
		if (!o->z)
			fs_oom();
		ZSTD_CCtx_setParameter(o->z, ZSTD_c_compressionLevel, 3);
		ZSTD_CCtx_setParameter(o->z, ZSTD_c_checksumFlag, 1);
	}
	return o;
}

uint64_t fs_out_offset(const struct fs_out *o)
{
	return o->offset;
}

struct fs_buf *fs_out_buf(struct fs_out *o)
{
	return &o->buf;
}

static void write_all(struct fs_out *o, const char *p, size_t n)
{
	while (n && !o->broken && !o->failed) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				o->broken = 1;
			else {
				o->failed = 1;
				snprintf(o->err, sizeof o->err, "%s", strerror(errno));
			}
			return;
		}
		p += w;
		n -= (size_t)w;
		o->offset += (uint64_t)w;
	}
}

static void compress(struct fs_out *o, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = {o->buf.p, o->buf.len, 0};
	size_t outcap = ZSTD_CStreamOutSize();
	if (o->zbuf.cap < outcap)
		fs_buf_grow(&o->zbuf, outcap);
	for (;;) {
		ZSTD_outBuffer out = {o->zbuf.p, outcap, 0};
		size_t left = ZSTD_compressStream2(o->z, &out, &in, mode);
		if (ZSTD_isError(left)) {
			o->failed = 1;
			snprintf(o->err, sizeof o->err, "zstd: %s", ZSTD_getErrorName(left));
			return;
		}
		write_all(o, out.dst, out.pos);
		if (mode == ZSTD_e_continue ? in.pos == in.size : left == 0)
			break;
	}
}

static void drain(struct fs_out *o, ZSTD_EndDirective mode)
{
	if (o->z) {
		o->open_frame = mode != ZSTD_e_end && (o->open_frame || o->buf.len);
		compress(o, mode);
	}
	else
		write_all(o, o->buf.p, o->buf.len);
	o->buf.len = 0;
}

void fs_out_maybe_flush(struct fs_out *o)
{
	if (o->buf.len >= FLUSH_AT)
		drain(o, ZSTD_e_continue);
}

int fs_out_flush(struct fs_out *o)
{
	if (o->buf.len || o->z)
		drain(o, ZSTD_e_flush);
	return o->failed ? -1 : 0;
}

int fs_out_sync(struct fs_out *o)
{
	if (o->buf.len || o->open_frame)
		drain(o, ZSTD_e_end);
	return o->failed ? -1 : 0;
}

int fs_out_broken(const struct fs_out *o)
{
	return o->broken;
}

int fs_out_failed(const struct fs_out *o)
{
	return o->failed;
}

int fs_out_close(struct fs_out *o, char *err, size_t errsize)
{
	if (!o)
		return 0;
	/* a frame is ended only when one is open (or none was ever written:
	 * an empty .zst is one empty frame), so a size taken after fs_out_sync
	 * stays the file's size */
	if (!o->z || o->buf.len || o->open_frame || o->offset == 0)
		drain(o, ZSTD_e_end);
	if (o->owned && close(o->fd) != 0 && !o->failed) {
		o->failed = 1;
		snprintf(o->err, sizeof o->err, "%s", strerror(errno));
	}
	int rc = o->failed ? -1 : 0;
	if (err)
		snprintf(err, errsize, "%s", o->err);
	ZSTD_freeCCtx(o->z);
	fs_buf_free(&o->buf);
	fs_buf_free(&o->zbuf);
	free(o);
	return rc;
}

/* ---------------------------------------------------------------- splicing */

int fs_emit_begin(struct fs_emit *e, struct fs_buf *b, const struct fs_record *r,
                  const char *into, int present)
{
	size_t close = fs_json_object_close(r->raw, r->rawlen), vs, ve;
	e->b = b;
	if (!into) {
		/* the event's own top level */
		fs_buf_put(b, r->raw, close);
		e->members = !fs_json_object_is_empty(r->raw, r->rawlen);
		e->rest = "}";
		e->restlen = 1;
		return 0;
	}
	/* Only a member known (or not known not) to be there is searched for. */
	if (present != 0 && fs_json_find_member(r->raw, r->rawlen, into, &vs, &ve)) {
		if (r->raw[vs] != '{')
			return -1;
		/* Into the existing object: up to its closing brace. */
		fs_buf_put(b, r->raw, ve - 1);
		e->members = !fs_json_object_is_empty(r->raw + vs, ve - vs);
		e->rest = r->raw + ve - 1;
		e->restlen = close + 1 - (ve - 1);
		return 0;
	}
	fs_buf_put(b, r->raw, close);
	if (!fs_json_object_is_empty(r->raw, r->rawlen))
		fs_buf_putc(b, ',');
	fs_json_put_string(b, into, strlen(into));
	fs_buf_puts(b, ":{");
	e->members = 0;
	e->rest = "}}";
	e->restlen = 2;
	return 0;
}

void fs_emit_key(struct fs_emit *e, const char *qkey, size_t n)
{
	if (e->members++)
		fs_buf_putc(e->b, ',');
	fs_buf_put(e->b, qkey, n);
}

void fs_emit_end(struct fs_emit *e)
{
	fs_buf_put(e->b, e->rest, e->restlen);
	fs_buf_putc(e->b, '\n');
}

char *fs_quote_key(const char *name, size_t *len)
{
	struct fs_buf b = {0};
	fs_json_put_string(&b, name, strlen(name));
	fs_buf_putc(&b, ':');
	*len = b.len;
	fs_buf_cstr(&b);
	return b.p;
}

int fs_write_atomic(const char *path, const void *data, size_t n, char *err, size_t errsize)
{
	/* Beside the target, so that rename(2) stays within one file system. */
	size_t plen = strlen(path);
	char *tmp = fs_xmalloc(plen + 32);
	snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
	int e = 0;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		e = errno;
	for (const char *p = data; !e && n > 0;) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			e = errno;
		else
			p += w, n -= (size_t)w;
	}
	if (!e && fsync(fd) != 0)
		e = errno;
	if (fd >= 0 && close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e) {
		if (fd >= 0)
			unlink(tmp);
		snprintf(err, errsize, "%s: cannot write: %s", path, strerror(e));
	}
	free(tmp);
	return e ? -1 : 0;
}

/* ------------------------------------------------------------ held lines */

void *fs_hold_push(struct fs_hold *h, const struct fs_emit *em, size_t start, int tag)
{
	struct fs_held l = {.off = start, .headlen = h->bytes.len - start, .members = em->members,
	                    .tag = tag, .restlen = em->restlen};
	fs_buf_put(&h->bytes, em->rest, em->restlen);
	if (!h->q.size)  /* the extra bytes start aligned for any type, as fs_held does */
		h->q.size = sizeof l + (h->extra + _Alignof(max_align_t) - 1) / _Alignof(max_align_t) *
		                       _Alignof(max_align_t);
	struct fs_held *at = fs_ring_push(&h->q);
	*at = l;
	return fs_hold_data(at);
}

const struct fs_held *fs_hold_oldest(const struct fs_hold *h)
{
	return h->q.n ? fs_ring_at(&h->q, 0) : NULL;
}

void fs_hold_drop(struct fs_hold *h)
{
	fs_ring_pop(&h->q);
	if (!h->q.n)
		h->bytes.len = 0;  /* the last line's bytes stay readable: nothing is freed */
}

void fs_hold_pop(struct fs_hold *h, struct fs_buf *out, struct fs_emit *em)
{
	const struct fs_held *l = fs_hold_oldest(h);
	fs_buf_put(out, h->bytes.p + l->off, l->headlen);
	*em = (struct fs_emit){.b = out, .rest = h->bytes.p + l->off + l->headlen,
	                       .restlen = l->restlen, .members = l->members};
	fs_hold_drop(h);
}

size_t fs_hold_begin(struct fs_hold *h)
{
	/* While input never waits the ring never empties: the written lines'
	 * bytes are dropped once they are most of the buffer. */
	const struct fs_held *old = fs_hold_oldest(h);
	if (old && old->off >= ((size_t)1 << 20) && old->off * 2 >= h->bytes.len) {
		size_t from = old->off;
		memmove(h->bytes.p, h->bytes.p + from, h->bytes.len - from);
		h->bytes.len -= from;
		for (size_t i = 0; i < h->q.n; i++)
			((struct fs_held *)fs_ring_at(&h->q, i))->off -= from;
	}
	return h->bytes.len;
}

void fs_hold_free(struct fs_hold *h)
{
	fs_buf_free(&h->bytes);
	fs_ring_free(&h->q);
	memset(h, 0, sizeof *h);
}
