/* buf.c: growable byte buffer (see buf.h). */
#include "buf.h"
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void fs_buf_grow(struct fs_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < need)
		cap *= 2;
	b->p = fs_xrealloc(b->p, cap);
	b->cap = cap;
}

void fs_buf_free(struct fs_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

const char *fs_buf_cstr(struct fs_buf *b)
{
	fs_buf_putc(b, '\0');
	b->len--;
	return b->p;
}

void *fs_ring_push(struct fs_ring *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		char *p = fs_xmalloc(cap * r->size);
		for (size_t i = 0; i < r->n; i++)
			memcpy(p + i * r->size, fs_ring_at(r, i), r->size);
		free(r->p);
		r->p = p;
		r->head = 0;
		r->cap = cap;
	}
	return fs_ring_at(r, r->n++);
}

void fs_ring_free(struct fs_ring *r)
{
	free(r->p);
	r->p = NULL;
	r->head = r->n = r->cap = 0;
}
