/* buf.h: a growable byte buffer, the scratch space for building output lines.
 *
 * fs_buf_* never fail: out of memory exits through fs_oom(). The bytes are not
 * NUL-terminated unless fs_buf_cstr() is called.
 */
#ifndef FS_BUF_H
#define FS_BUF_H

#include <stddef.h>
#include <string.h>

struct fs_buf {
	char *p;
	size_t len, cap;
};

void fs_buf_grow(struct fs_buf *b, size_t need);
void fs_buf_free(struct fs_buf *b);
/* Returns the contents as a C string (the NUL is not counted in len). */
const char *fs_buf_cstr(struct fs_buf *b);

static inline void fs_buf_put(struct fs_buf *b, const void *s, size_t n)
{
	if (n == 0)
		return;  /* b->p may still be NULL, and memcpy(NULL, ..., 0) is undefined */
	if (b->cap - b->len < n)
		fs_buf_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void fs_buf_putc(struct fs_buf *b, char c)
{
	if (b->cap == b->len)
		fs_buf_grow(b, 1);
	b->p[b->len++] = c;
}

static inline void fs_buf_puts(struct fs_buf *b, const char *s)
{
	fs_buf_put(b, s, strlen(s));
}

/* A queue of fixed-size elements in a ring that doubles when full: lines
 * held in input order (output.c), events waiting for a model server's
 * answers and its batches (score.c, endpoint.c). Element pointers are good
 * until the next push. */
struct fs_ring {
	char *p;
	size_t size;            /* bytes an element (set before the first push) */
	size_t head, n, cap;
};

/* A new element at the back (uninitialized). */
void *fs_ring_push(struct fs_ring *r);
/* The i-th element from the front (i < n). */
static inline void *fs_ring_at(const struct fs_ring *r, size_t i)
{
	return r->p + ((r->head + i) % r->cap) * r->size;
}
/* Drops the front element. */
static inline void fs_ring_pop(struct fs_ring *r)
{
	r->head = (r->head + 1) % r->cap;
	r->n--;
}
void fs_ring_free(struct fs_ring *r);

#endif
