/* state.c: state files and their byte primitives (see state.h). */
#include "state.h"
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

static const char magic[] = "fstools-state\n";

/* ------------------------------------------------------------ primitives */

void fs_put_u64(struct fs_buf *b, uint64_t v)
{
	unsigned char x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	fs_buf_put(b, x, 8);
}

void fs_put_i64(struct fs_buf *b, int64_t v)
{
	fs_put_u64(b, (uint64_t)v);
}

void fs_put_f64(struct fs_buf *b, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	fs_put_u64(b, bits);
}

void fs_put_bytes(struct fs_buf *b, const void *p, size_t n)
{
	fs_put_u64(b, n);
	fs_buf_put(b, p, n);
}

uint64_t fs_get_u64(struct fs_rd *r)
{
	if (!r->ok || r->end - r->p < 8) {
		r->ok = 0;
		return 0;
	}
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	return v;
}

int64_t fs_get_i64(struct fs_rd *r)
{
	return (int64_t)fs_get_u64(r);
}

double fs_get_f64(struct fs_rd *r)
{
	uint64_t bits = fs_get_u64(r);
	double v;
	memcpy(&v, &bits, sizeof v);
	return v;
}

const char *fs_get_bytes(struct fs_rd *r, size_t *n)
{
	uint64_t len = fs_get_u64(r);
	if (!r->ok || (uint64_t)(r->end - r->p) < len) {
		r->ok = 0;
		*n = 0;
		return "";
	}
	const char *s = (const char *)r->p;
	r->p += len;
	*n = (size_t)len;
	return s;
}

/* ------------------------------------------------------------ positions */

void fs_positions_free(struct fs_positions *p)
{
	fs_hmap_free(&p->sources);
	fs_hmap_free(&p->partitions);
}

uint64_t fs_positions_lines(const struct fs_positions *p, const char *source)
{
	size_t n = strlen(source);
	struct fs_hent *e = fs_hmap_find(&p->sources, source, n, fs_hash(source, n));
	return e ? e->v.u : 0;
}

void fs_positions_set_lines(struct fs_positions *p, const char *source, uint64_t lines)
{
	int created;
	size_t n = strlen(source);
	fs_hmap_upsert(&p->sources, source, n, fs_hash(source, n), &created)->v.u = lines;
}

static size_t partition_key(char *buf, size_t size, const char *topic, int64_t partition)
{
	size_t t = strlen(topic);
	if (t > size - 24)
		t = size - 24;
	memcpy(buf, topic, t);
	buf[t] = '\0';
	return t + 1 + (size_t)snprintf(buf + t + 1, 22, "%lld", (long long)partition);
}

int fs_positions_has_offset(const struct fs_positions *p, const char *topic, int64_t partition,
                            int64_t offset)
{
	char key[512];
	size_t n = partition_key(key, sizeof key, topic, partition);
	struct fs_hent *e = fs_hmap_find(&p->partitions, key, n, fs_hash(key, n));
	return e && offset >= 0 && (uint64_t)offset < e->v.u;
}

void fs_positions_set_offset(struct fs_positions *p, const char *topic, int64_t partition,
                             int64_t offset)
{
	char key[512];
	int created;
	size_t n = partition_key(key, sizeof key, topic, partition);
	struct fs_hent *e = fs_hmap_upsert(&p->partitions, key, n, fs_hash(key, n), &created);
	if (offset >= 0 && (uint64_t)offset + 1 > e->v.u)
		e->v.u = (uint64_t)offset + 1;
}

/* ------------------------------------------------------------ files */

uint64_t fs_stable_hash(const void *p, size_t n)
{
	/* FNV-1a 64: stable across releases, unlike the hash map's. */
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *s = p, *e = s + n; s < e; s++)
		h = (h ^ *s) * 0x100000001b3ULL;
	return h;
}

uint64_t fs_state_spec_hash(const char *spec)
{
	return fs_stable_hash(spec, strlen(spec));
}

static void put_map(struct fs_buf *b, const struct fs_hmap *m)
{
	fs_put_u64(b, m->n);
	fs_hmap_foreach(m, it) {
		fs_put_bytes(b, fs_hent_key(it), it->klen);
		fs_put_u64(b, it->v.u);
	}
}

static void get_map(struct fs_rd *r, struct fs_hmap *m)
{
	uint64_t n = fs_get_u64(r);
	for (uint64_t i = 0; i < n && r->ok; i++) {
		size_t len;
		int created;
		const char *k = fs_get_bytes(r, &len);
		uint64_t v = fs_get_u64(r);
		if (r->ok)
			fs_hmap_upsert(m, k, len, fs_hash(k, len), &created)->v.u = v;
	}
}

static int fail(char *err, size_t errsize, const char *fmt, const char *a, const char *b)
{
	snprintf(err, errsize, fmt, a, b);
	return -1;
}

struct fs_state_writer {
	struct fs_buf buf;        /* bytes not yet compressed */
	ZSTD_CCtx *z;
	int fd;
	int failed;               /* errno of the first failure, or 0 */
	char out[1 << 16];
};

struct fs_buf *fs_state_buf(struct fs_state_writer *w)
{
	return &w->buf;
}

static void write_out(struct fs_state_writer *w, const char *p, size_t n)
{
	while (n && !w->failed) {
		ssize_t r = write(w->fd, p, n);
		if (r < 0) {
			if (errno != EINTR)
				w->failed = errno;
			continue;
		}
		p += r;
		n -= (size_t)r;
	}
}

static void compress_buf(struct fs_state_writer *w, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = {w->buf.p, w->buf.len, 0};
	for (;;) {
		ZSTD_outBuffer out = {w->out, sizeof w->out, 0};
		size_t left = ZSTD_compressStream2(w->z, &out, &in, mode);
		if (ZSTD_isError(left)) {
			w->failed = EIO;
			break;
		}
		write_out(w, w->out, out.pos);
		if (mode == ZSTD_e_continue ? in.pos == in.size : left == 0)
			break;
	}
	w->buf.len = 0;
}

void fs_state_flush(struct fs_state_writer *w)
{
	if (w->buf.len >= ((size_t)1 << 20))
		compress_buf(w, ZSTD_e_continue);
}

int fs_state_save(const char *path, const struct fs_state *st,
                  void (*save)(void *ctx, struct fs_state_writer *w), void *ctx,
                  char *err, size_t errsize)
{
	struct fs_state_writer *w = fs_xcalloc(1, sizeof *w);
	size_t plen = strlen(path);
	char *tmp = fs_xmalloc(plen + 32);
	snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
	w->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (w->fd < 0)
		w->failed = errno;
	w->z = ZSTD_createCCtx();
	if (!w->z)
		fs_oom();
	ZSTD_CCtx_setParameter(w->z, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(w->z, ZSTD_c_checksumFlag, 1);

	struct fs_buf *b = &w->buf;
	fs_buf_put(b, magic, sizeof magic - 1);
	fs_put_u64(b, FS_STATE_VERSION);
	fs_put_bytes(b, st->tool, strlen(st->tool));
	fs_put_bytes(b, st->spec, strlen(st->spec));
	fs_put_u64(b, st->spec_hash);
	fs_put_i64(b, st->written);
	fs_put_u64(b, st->records);
	put_map(b, &st->pos.sources);
	put_map(b, &st->pos.partitions);
	if (!w->failed)
		save(ctx, w);
	compress_buf(w, ZSTD_e_end);

	/* Atomic: the old file stays whole until the new one is complete on disk. */
	int rc = w->failed ? -1 : 0, e = w->failed;
	if (rc == 0 && fsync(w->fd) != 0)
		rc = -1, e = errno;
	if (w->fd >= 0 && close(w->fd) != 0 && rc == 0)
		rc = -1, e = errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1, e = errno;
	ZSTD_freeCCtx(w->z);
	fs_buf_free(&w->buf);
	free(w);
	if (rc != 0) {
		unlink(tmp);
		free(tmp);
		return fail(err, errsize, "%s: cannot write the state: %s", path, strerror(e));
	}
	/* Make the rename itself durable. */
	char *dir = fs_xstrdup(path), *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	free(tmp);
	return 0;
}

enum fs_state_load fs_state_load(const char *path, struct fs_state *st, char *err,
                                 size_t errsize)
{
	memset(st, 0, sizeof *st);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return FS_STATE_MISSING;
		fail(err, errsize, "%s: cannot open: %s", path, strerror(errno));
		return FS_STATE_BAD;
	}
	struct stat sb;
	char *file = NULL;
	size_t size = 0;
	if (fstat(fd, &sb) == 0) {
		size = (size_t)sb.st_size;
		file = fs_xmalloc(size ? size : 1);
		size_t off = 0;
		while (off < size) {
			ssize_t r = read(fd, file + off, size - off);
			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				break;
			}
			off += (size_t)r;
		}
		size = off;
	}
	close(fd);
	st->file_bytes = size;
	static const unsigned char zmagic[4] = {0x28, 0xb5, 0x2f, 0xfd};
	if (size < 4 || memcmp(file, zmagic, 4) != 0) {
		free(file);
		fail(err, errsize, "%s: not an fstools state file (it is not zstd-compressed)%s", path, "");
		return FS_STATE_BAD;
	}
	/* Streamed: the writer did not know the size in advance. The frame's
	 * checksum is verified at its end; a frame that does not end is cut. */
	ZSTD_DCtx *dz = ZSTD_createDCtx();
	if (!dz)
		fs_oom();
	struct fs_buf rawb = {0};
	ZSTD_inBuffer in = {file, size, 0};
	size_t left = 1;
	while (in.pos < in.size || left != 0) {
		fs_buf_grow(&rawb, (size_t)1 << 20);
		ZSTD_outBuffer out = {rawb.p + rawb.len, rawb.cap - rawb.len, 0};
		size_t before = in.pos;
		left = ZSTD_decompressStream(dz, &out, &in);
		rawb.len += out.pos;
		if (ZSTD_isError(left) || (left == 0 && in.pos < in.size) ||
		    (in.pos == before && out.pos == 0 && left != 0)) {
			ZSTD_freeDCtx(dz);
			free(file);
			fs_buf_free(&rawb);
			fail(err, errsize, "%s: the state file is truncated or corrupt (%s)", path,
			     ZSTD_isError(left) ? ZSTD_getErrorName(left)
			     : left == 0 ? "data after the end" : "it ends early");
			return FS_STATE_BAD;
		}
	}
	ZSTD_freeDCtx(dz);
	free(file);
	unsigned char *raw = (unsigned char *)rawb.p;
	size_t n = rawb.len;
	struct fs_rd r = {raw, raw + n, 1};
	if (n < sizeof magic - 1 || memcmp(raw, magic, sizeof magic - 1) != 0) {
		free(raw);
		fail(err, errsize, "%s: not an fstools state file%s", path, "");
		return FS_STATE_BAD;
	}
	r.p += sizeof magic - 1;
	uint64_t version = fs_get_u64(&r);
	if (r.ok && version > FS_STATE_VERSION) {
		char v[64];
		snprintf(v, sizeof v, "%llu", (unsigned long long)version);
		free(raw);
		fail(err, errsize, "%s: written by a newer fstools (state format %s); run that "
		     "version, or start without this state", path, v);
		return FS_STATE_BAD;
	}
	size_t len;
	const char *s = fs_get_bytes(&r, &len);
	st->tool = strndup(s, len);
	s = fs_get_bytes(&r, &len);
	st->spec = strndup(s, len);
	st->spec_hash = fs_get_u64(&r);
	st->written = fs_get_i64(&r);
	st->records = fs_get_u64(&r);
	get_map(&r, &st->pos.sources);
	get_map(&r, &st->pos.partitions);
	s = (const char *)r.p;
	len = (size_t)(r.end - r.p);
	if (!r.ok || !st->tool || !st->spec) {
		free(raw);
		fs_state_free(st);
		fail(err, errsize, "%s: the state file is corrupt (its contents do not parse)%s", path, "");
		return FS_STATE_BAD;
	}
	st->payload = fs_xmalloc(len ? len : 1);
	memcpy(st->payload, s, len);
	st->payload_len = len;
	free(raw);
	return FS_STATE_LOADED;
}

void fs_state_free(struct fs_state *st)
{
	free(st->tool);
	free(st->spec);
	free(st->payload);
	fs_positions_free(&st->pos);
	memset(st, 0, sizeof *st);
}
