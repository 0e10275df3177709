/* arena.c: bump allocation for jansson within one record (see arena.h). */
#include "arena.h"
#include "diag.h"

#include <jansson.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define FS_ARENA_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FS_ARENA_OFF 1
#endif
#endif

#define BLOCK ((size_t)256 << 10)

struct block {
	struct block *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

static struct block *head;    /* the block being filled; older ones follow */

static void *arena_malloc(size_t n)
{
	n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	if (!head || head->size - head->used < n) {
		size_t size = n > BLOCK ? n : BLOCK;
		struct block *b = malloc(sizeof *b + size);
		if (!b)
			return NULL;  /* jansson reports the failure */
		b->next = head;
		b->used = 0;
		b->size = size;
		head = b;
	}
	void *p = head->data + head->used;
	head->used += n;
	return p;
}

static void arena_free(void *p)
{
	(void)p;
}

void fs_arena_begin(void)
{
#ifndef FS_ARENA_OFF
	json_set_alloc_funcs(arena_malloc, arena_free);
#endif
}

void fs_arena_reset(void)
{
	if (!head)
		return;
	/* Keep one block (the largest need so far is rare); free the rest. */
	while (head->next) {
		struct block *b = head->next;
		head->next = b->next;
		free(b);
	}
	head->used = 0;
}

void fs_arena_end(void)
{
#ifndef FS_ARENA_OFF
	json_set_alloc_funcs(malloc, free);
#endif
	fs_arena_reset();
	free(head);
	head = NULL;
}
