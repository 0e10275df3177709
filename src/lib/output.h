/* output.h: where results go, and how a tool's fields enter an event's bytes.
 *
 * An fs_out is a buffered writer to stdout or a file (zstd-compressed when
 * the name ends in .zst). Tools append whole lines to its buffer; the loop
 * writes them out when the buffer is large and whenever input is idle.
 *
 * fs_emit_* splice members into a record's own bytes: the event is copied as
 * it came, and members are added to its `into` object (created at the end of
 * the event when absent), so field order, number spellings and unknown
 * fields survive untouched.
 */
#ifndef FS_OUTPUT_H
#define FS_OUTPUT_H

#include <stddef.h>

#include "buf.h"
#include "record.h"

struct fs_out;

/* path NULL or "-": stdout. Returns NULL with errno set on failure. */
struct fs_out *fs_out_open(const char *path);
/* Opens path to continue output a state left off: its first keep bytes
 * stay and lines follow them (keep 0: the file starts empty). Returns NULL
 * with errno set, ERANGE when the file is shorter than keep. */
struct fs_out *fs_out_open_at(const char *path, uint64_t keep);
/* Bytes written so far, counting the kept ones. */
uint64_t fs_out_offset(const struct fs_out *o);
/* Writes out everything buffered and, for zstd, ends the frame, so that the
 * file is complete up to fs_out_offset. Returns 0, or -1. */
int fs_out_sync(struct fs_out *o);
/* The buffer lines are appended to. */
struct fs_buf *fs_out_buf(struct fs_out *o);
/* Writes out the buffer when it has grown past its threshold. */
void fs_out_maybe_flush(struct fs_out *o);
/* Writes out everything buffered (and flushes the zstd frame so far).
 * Returns 0, or -1 when writing failed. */
int fs_out_flush(struct fs_out *o);
/* 1 once downstream closed the pipe (EPIPE): the run should end quietly. */
int fs_out_broken(const struct fs_out *o);
/* 1 once a write failed for another reason. */
int fs_out_failed(const struct fs_out *o);
/* Finishes the stream, closes it and frees o. Returns 0, or -1 when any
 * write failed, with the reason copied to err. */
int fs_out_close(struct fs_out *o, char *err, size_t errsize);

/* Writes n bytes to path atomically: a temporary file beside it, synced and
 * renamed over it, so a reader (fsscore --watch) sees the old file or the
 * new one whole. Returns 0, or -1 with the reason in err. */
int fs_write_atomic(const char *path, const void *p, size_t n, char *err, size_t errsize);

struct fs_emit {
	struct fs_buf *b;
	const char *rest;       /* bytes that close the line after our members */
	size_t restlen;
	int members;            /* members already in the object */
};

/* Starts r's output line in b: copies r's bytes up to where new members of
 * the object `into` go (NULL: the event's own top level). present says whether r has a member `into`: 1 yes,
 * 0 no, -1 unknown (the bytes are searched). Returns 0, or -1 when that
 * member is not an object (nothing is written then). */
int fs_emit_begin(struct fs_emit *e, struct fs_buf *b, const struct fs_record *r,
                  const char *into, int present);
/* Writes the separator and a pre-quoted key with its colon ("\"n\":"). */
void fs_emit_key(struct fs_emit *e, const char *qkey, size_t n);
/* Closes the object and the line, newline included. */
void fs_emit_end(struct fs_emit *e);

/* Lines held back in input order until what they wait for comes (fsjoin's
 * events for their online lookups, fsscore's for the model server): each
 * line's bytes up to where more members go, and the bytes after them, and
 * `extra` bytes of the tool's own (fs_hold_data). */
struct fs_held {
	size_t off, headlen, restlen;
	int members;
	int tag;                /* the tool's own word about the line */
};

struct fs_hold {
	struct fs_buf bytes;    /* build a line here with fs_emit_begin, then push it */
	struct fs_ring q;       /* of fs_held, each followed by its extra bytes */
	size_t extra;           /* set before the first push */
};

/* Where the next line starts in h->bytes: begin it there with
 * fs_emit_begin(em, &h->bytes, ...), then push it. */
size_t fs_hold_begin(struct fs_hold *h);
/* Holds the line begun in h->bytes at offset start (its members so far
 * written, the rest in em). Returns its extra bytes, to fill. */
void *fs_hold_push(struct fs_hold *h, const struct fs_emit *em, size_t start, int tag);
/* The oldest line held, or NULL. Its original bytes, when no member was
 * written before the push, are h->bytes.p + off, headlen + restlen long. */
const struct fs_held *fs_hold_oldest(const struct fs_hold *h);
/* The extra bytes of a line, good until the next push (also once it was
 * popped or dropped). */
static inline void *fs_hold_data(const struct fs_held *l)
{
	return (char *)(l + 1);
}
/* Copies the oldest line's head to out and sets em to finish it (members,
 * then fs_emit_end), and drops it; em is good until the next push. */
void fs_hold_pop(struct fs_hold *h, struct fs_buf *out, struct fs_emit *em);
/* Drops the oldest line unwritten (it went to the error output instead). */
void fs_hold_drop(struct fs_hold *h);
void fs_hold_free(struct fs_hold *h);

/* "name" as a JSON key followed by ':' (for fs_emit_key), newly allocated. */
char *fs_quote_key(const char *name, size_t *len);

#endif
