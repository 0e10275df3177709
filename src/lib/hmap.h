/* hmap.h: an open-addressing hash map from byte strings to a 64-bit value.
 *
 * Used for per-key state tables and exact distinct counts. The map owns a
 * copy of each key; keys of up to FS_HKEY_INLINE bytes live inside the
 * entry itself, so that a lookup touches one cache line instead of two.
 * Entry pointers are valid only until the next insert or remove, which may
 * move entries.
 */
#ifndef FS_HMAP_H
#define FS_HMAP_H

#include <stddef.h>
#include <stdint.h>

#define FS_HKEY_INLINE 16

struct fs_hent {
	uint64_t hash;              /* 0 marks an empty slot */
	size_t klen;
	union {
		char in[FS_HKEY_INLINE];  /* klen <= FS_HKEY_INLINE */
		char *out;                /* otherwise, allocated */
	} k;
	union {
		void *p;
		uint64_t u;
	} v;
};

static inline const char *fs_hent_key(const struct fs_hent *e)
{
	return e->klen <= FS_HKEY_INLINE ? e->k.in : e->k.out;
}

struct fs_hmap {
	struct fs_hent *e;
	size_t cap, n;
};

uint64_t fs_hash(const void *p, size_t n);
/* The entry for key, or NULL. */
struct fs_hent *fs_hmap_find(const struct fs_hmap *m, const void *key, size_t klen, uint64_t h);
/* The entry for key, inserted with v = 0 (and *created = 1) when absent. */
struct fs_hent *fs_hmap_upsert(struct fs_hmap *m, const void *key, size_t klen, uint64_t h,
                               int *created);
/* Removes e (from fs_hmap_find/upsert) and frees its key copy. */
void fs_hmap_remove(struct fs_hmap *m, struct fs_hent *e);
/* Frees the table and the key copies, not what values point to. */
void fs_hmap_free(struct fs_hmap *m);

#define fs_hmap_foreach(m, it) \
	for (struct fs_hent *it = (m)->e; (m)->e && it < (m)->e + (m)->cap; it++) \
		if (it->hash)

#endif
