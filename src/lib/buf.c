/* buf.c: growable byte buffer (see buf.h). */
#include "buf.h"
#include "diag.h"

#include <stdlib.h>

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
