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

uint64_t fs_state_spec_hash(const char *spec)
{
	/* FNV-1a 64: stable across releases, unlike the hash map's. */
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *s = (const unsigned char *)spec; *s; s++)
		h = (h ^ *s) * 0x100000001b3ULL;
	return h;
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

int fs_state_save(const char *path, const struct fs_state *st, const struct fs_buf *payload,
                  char *err, size_t errsize)
{
	struct fs_buf raw = {0};
	fs_buf_put(&raw, magic, sizeof magic - 1);
	fs_put_u64(&raw, FS_STATE_VERSION);
	fs_put_bytes(&raw, st->tool, strlen(st->tool));
	fs_put_bytes(&raw, st->spec, strlen(st->spec));
	fs_put_u64(&raw, st->spec_hash);
	fs_put_i64(&raw, st->written);
	fs_put_u64(&raw, st->records);
	put_map(&raw, &st->pos.sources);
	put_map(&raw, &st->pos.partitions);
	fs_put_bytes(&raw, payload->p, payload->len);

	ZSTD_CCtx *z = ZSTD_createCCtx();
	if (!z)
		fs_oom();
	ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 1);
	size_t cap = ZSTD_compressBound(raw.len);
	char *out = fs_xmalloc(cap);
	size_t n = ZSTD_compress2(z, out, cap, raw.p, raw.len);
	ZSTD_freeCCtx(z);
	fs_buf_free(&raw);
	if (ZSTD_isError(n)) {
		free(out);
		return fail(err, errsize, "%s: cannot compress the state: %s", path, ZSTD_getErrorName(n));
	}

	/* Atomic: the old file stays whole until the new one is complete on disk. */
	size_t plen = strlen(path);
	char *tmp = fs_xmalloc(plen + 32);
	snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int rc = fd < 0 ? -1 : 0;
	for (size_t off = 0; rc == 0 && off < n;) {
		ssize_t w = write(fd, out + off, n - off);
		if (w < 0 && errno != EINTR)
			rc = -1;
		else if (w > 0)
			off += (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -1;
	if (fd >= 0 && close(fd) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		int e = errno;
		unlink(tmp);
		free(tmp);
		free(out);
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
	free(out);
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
	unsigned long long content = ZSTD_getFrameContentSize(file, size);
	static const unsigned char zmagic[4] = {0x28, 0xb5, 0x2f, 0xfd};
	if (size < 4 || memcmp(file, zmagic, 4) != 0) {
		free(file);
		fail(err, errsize, "%s: not an fstools state file (it is not zstd-compressed)%s", path, "");
		return FS_STATE_BAD;
	}
	if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN ||
	    content > ((unsigned long long)1 << 40)) {
		free(file);
		fail(err, errsize, "%s: the state file is truncated or corrupt%s", path, "");
		return FS_STATE_BAD;
	}
	unsigned char *raw = fs_xmalloc((size_t)content + 1);
	size_t n = ZSTD_decompress(raw, (size_t)content, file, size);
	free(file);
	if (ZSTD_isError(n) || n != content) {
		free(raw);
		fail(err, errsize, "%s: the state file is truncated or corrupt (%s)", path,
		     ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short content");
		return FS_STATE_BAD;
	}
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
	s = fs_get_bytes(&r, &len);
	if (!r.ok || r.p != r.end || !st->tool || !st->spec) {
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
