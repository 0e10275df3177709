/* hmap.c: linear probing with backward-shift deletion (see hmap.h). */
#include "hmap.h"
#include "diag.h"

#include <stdlib.h>
#include <string.h>

uint64_t fs_hash(const void *p, size_t n)
{
	/* FNV-1a over the bytes, then a 64-bit finalizer (splitmix64) to spread
	 * the low bits that index the table. Never returns 0 (the empty mark). */
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h ? h : 1;
}

static struct fs_hent *probe(const struct fs_hmap *m, const void *key, size_t klen, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct fs_hent *e = &m->e[i];
		if (!e->hash || (e->hash == h && e->klen == klen && memcmp(fs_hent_key(e), key, klen) == 0))
			return e;
	}
}

struct fs_hent *fs_hmap_find(const struct fs_hmap *m, const void *key, size_t klen, uint64_t h)
{
	if (!m->n)
		return NULL;
	struct fs_hent *e = probe(m, key, klen, h);
	return e->hash ? e : NULL;
}

static void grow(struct fs_hmap *m)
{
	struct fs_hent *old = m->e;
	size_t oldcap = m->cap;
	m->cap = oldcap ? oldcap * 2 : 4;  /* per-key maps are mostly small */
	m->e = fs_xcalloc(m->cap, sizeof *m->e);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].hash)
			*probe(m, fs_hent_key(&old[i]), old[i].klen, old[i].hash) = old[i];
	free(old);
}

struct fs_hent *fs_hmap_upsert(struct fs_hmap *m, const void *key, size_t klen, uint64_t h,
                               int *created)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	struct fs_hent *e = probe(m, key, klen, h);
	*created = !e->hash;
	if (!e->hash) {
		e->hash = h;
		e->klen = klen;
		if (klen > FS_HKEY_INLINE)
			e->k.out = fs_xmalloc(klen);
		memcpy((char *)fs_hent_key(e), key, klen);
		e->v.u = 0;
		m->n++;
	}
	return e;
}

void fs_hmap_remove(struct fs_hmap *m, struct fs_hent *e)
{
	size_t mask = m->cap - 1, i = (size_t)(e - m->e);
	if (e->klen > FS_HKEY_INLINE)
		free(e->k.out);
	/* Shift later members of the probe run back so lookups never stop early. */
	for (size_t j = (i + 1) & mask; m->e[j].hash; j = (j + 1) & mask) {
		size_t home = m->e[j].hash & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	memset(&m->e[i], 0, sizeof m->e[i]);
	m->n--;
}

void fs_hmap_free(struct fs_hmap *m)
{
	fs_hmap_foreach(m, it)
		if (it->klen > FS_HKEY_INLINE)
			free(it->k.out);
	free(m->e);
	m->e = NULL;
	m->cap = m->n = 0;
}

/* ---------------------------------------------------------------- fs_hset */

static struct fs_hset_ent *hset_probe(const struct fs_hset *s, uint64_t h)
{
	size_t mask = s->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask)
		if (!s->e[i].h || s->e[i].h == h)
			return &s->e[i];
}

static void hset_resize(struct fs_hset *s, size_t cap)
{
	struct fs_hset_ent *old = s->e;
	size_t oldcap = s->cap;
	s->cap = cap;
	s->e = fs_xcalloc(cap, sizeof *s->e);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].h)
			*hset_probe(s, old[i].h) = old[i];
	free(old);
}

uint64_t *fs_hset_put(struct fs_hset *s, uint64_t h)
{
	if ((s->n + 1) * 4 > s->cap * 3)
		hset_resize(s, s->cap ? s->cap * 2 : 64);
	struct fs_hset_ent *e = hset_probe(s, h);
	if (!e->h) {
		e->h = h;
		e->v = 0;
		s->n++;
	}
	return &e->v;
}

const uint64_t *fs_hset_get(const struct fs_hset *s, uint64_t h)
{
	if (!s->n)
		return NULL;
	const struct fs_hset_ent *e = hset_probe(s, h);
	return e->h ? &e->v : NULL;
}

void fs_hset_filter(struct fs_hset *s, int (*keep)(uint64_t v, const void *ctx), const void *ctx)
{
	size_t n = 0;
	if (!s->cap)
		return;
	for (size_t i = 0; i < s->cap; i++) {
		if (s->e[i].h && !keep(s->e[i].v, ctx))
			s->e[i].h = 0;
		n += s->e[i].h != 0;
	}
	s->n = n;
	size_t cap = 64;
	while (cap * 3 < n * 4 + 4)
		cap *= 2;
	hset_resize(s, cap > s->cap ? s->cap : cap);  /* re-probes every member */
}

void fs_hset_free(struct fs_hset *s)
{
	free(s->e);
	s->e = NULL;
	s->cap = s->n = 0;
}

