/* state.h: the one state file format of fstools, and its byte primitives.
 *
 * A state file is one zstd frame (with its content checksum) holding:
 *   magic "fstools-state\n", format version (u32), tool name, the tool's
 *   canonical spec text and its hash, write time (ns), records read,
 *   input positions (per source: lines reflected; per Kafka topic and
 *   partition: last offset), then the tool's own payload to the end.
 * Integers are little-endian, doubles are their exact IEEE bits, strings
 * are a u64 length then bytes. Files are written atomically: a temporary
 * file beside the target, fsync, rename, fsync of the directory.
 */
#ifndef FS_STATE_H
#define FS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hmap.h"

#define FS_STATE_VERSION 1

/* ------------------------------------------------------------ primitives */

void fs_put_u64(struct fs_buf *b, uint64_t v);
void fs_put_i64(struct fs_buf *b, int64_t v);
void fs_put_f64(struct fs_buf *b, double v);
void fs_put_bytes(struct fs_buf *b, const void *p, size_t n);

/* A bounds-checked reader: after any read past the end, ok is 0 and every
 * further read returns zeros, so a caller checks once at the end. */
struct fs_rd {
	const unsigned char *p, *end;
	int ok;
};

uint64_t fs_get_u64(struct fs_rd *r);
int64_t fs_get_i64(struct fs_rd *r);
double fs_get_f64(struct fs_rd *r);
/* A length-prefixed byte string, pointing into the reader's memory. */
const char *fs_get_bytes(struct fs_rd *r, size_t *n);

/* --------------------------------------------------------- positions */

/* What a state reflects of its inputs, so that a re-run skips it. */
struct fs_positions {
	struct fs_hmap sources;   /* source name -> lines reflected */
	struct fs_hmap partitions;  /* "topic\0partition" -> last offset + 1 */
};

void fs_positions_free(struct fs_positions *p);
/* Lines of source already reflected (0 when none). */
uint64_t fs_positions_lines(const struct fs_positions *p, const char *source);
void fs_positions_set_lines(struct fs_positions *p, const char *source, uint64_t lines);
/* 1 when offset of topic/partition is already reflected. */
int fs_positions_has_offset(const struct fs_positions *p, const char *topic, int64_t partition,
                            int64_t offset);
void fs_positions_set_offset(struct fs_positions *p, const char *topic, int64_t partition,
                             int64_t offset);

/* --------------------------------------------------------- state files */

struct fs_state {
	char *tool;
	char *spec;               /* canonical spec text */
	uint64_t spec_hash;
	int64_t written;          /* ns since the epoch */
	uint64_t records;         /* records read by all runs so far */
	struct fs_positions pos;
	unsigned char *payload;   /* the tool's bytes (owned) */
	size_t payload_len;
	size_t file_bytes;        /* compressed size on disk, when loaded */
};

/* The stable 64-bit hash of a canonical spec text (FNV-1a). */
uint64_t fs_state_spec_hash(const char *spec);
/* The same hash of any bytes (model ids use it too). */
uint64_t fs_stable_hash(const void *p, size_t n);

/* While a state is saved, the tool appends its payload to fs_state_buf()
 * and calls fs_state_flush() now and then (between keys): the bytes are
 * compressed into the file as they come, so saving never holds a second
 * copy of the state in memory. */
struct fs_state_writer;
struct fs_buf *fs_state_buf(struct fs_state_writer *w);
void fs_state_flush(struct fs_state_writer *w);

/* Writes st's header, then save(ctx, w)'s payload, to path atomically.
 * Returns 0, or -1 with a message in err. */
int fs_state_save(const char *path, const struct fs_state *st,
                  void (*save)(void *ctx, struct fs_state_writer *w), void *ctx,
                  char *err, size_t errsize);

enum fs_state_load {
	FS_STATE_LOADED,
	FS_STATE_MISSING,         /* no such file: a first start */
	FS_STATE_BAD,             /* unreadable, truncated, corrupt or newer: err says which */
};
/* Reads path into st (fs_state_free releases it). */
enum fs_state_load fs_state_load(const char *path, struct fs_state *st, char *err,
                                 size_t errsize);
void fs_state_free(struct fs_state *st);

#endif
