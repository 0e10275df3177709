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

/* A map from fs_hash values (never 0) to a 64-bit value, 16 bytes a slot:
 * for facts kept about many keys whose text is not needed again
 * (fsgroundtruth's predictions already written). Two keys of one hash are
 * one member, so use it only where a collision is harmless. */
struct fs_hset_ent {
	uint64_t h, v;
};

struct fs_hset {
	struct fs_hset_ent *e;
	size_t cap, n;
};

/* The value of h, inserted as 0 when absent; valid until the next put. */
uint64_t *fs_hset_put(struct fs_hset *s, uint64_t h);
/* The value of h, or NULL. */
const uint64_t *fs_hset_get(const struct fs_hset *s, uint64_t h);
/* Keeps the members whose value keep() accepts, in a table rebuilt to fit. */
void fs_hset_filter(struct fs_hset *s, int (*keep)(uint64_t v, const void *ctx), const void *ctx);
void fs_hset_free(struct fs_hset *s);

#define fs_hmap_foreach(m, it) \
	for (struct fs_hent *it = (m)->e; (m)->e && it < (m)->e + (m)->cap; it++) \
		if (it->hash)

#endif
