/* test_hmap.c: the hash map and the hash set agree with a plain array. */
#include <criterion/criterion.h>

#include "lib/hmap.h"

#include <stdio.h>
#include <string.h>

Test(hmap, random_inserts_and_removes_agree_with_a_reference)
{
	enum { N = 5000 };
	static int present[N];
	struct fs_hmap m = {0};
	uint64_t s = 12345;
	for (int step = 0; step < 200000; step++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		int k = (int)((s >> 33) % N);
		char key[16];
		int n = snprintf(key, sizeof key, "k%d", k);
		uint64_t h = fs_hash(key, (size_t)n);
		if ((s >> 20) & 1) {
			int created;
			struct fs_hent *e = fs_hmap_upsert(&m, key, (size_t)n, h, &created);
			cr_assert_eq(created, !present[k]);
			e->v.u = (uint64_t)k;
			present[k] = 1;
		} else {
			struct fs_hent *e = fs_hmap_find(&m, key, (size_t)n, h);
			cr_assert_eq(e != NULL, present[k], "step %d key %s", step, key);
			if (e) {
				cr_assert_eq(e->v.u, (uint64_t)k);
				fs_hmap_remove(&m, e);
				present[k] = 0;
			}
		}
	}
	size_t count = 0;
	for (int k = 0; k < N; k++)
		count += (size_t)present[k];
	cr_expect_eq(m.n, count);
	size_t seen = 0;
	fs_hmap_foreach(&m, it) seen++;
	cr_expect_eq(seen, count);
	fs_hmap_free(&m);
}

Test(hmap, keys_may_hold_any_bytes)
{
	struct fs_hmap m = {0};
	int created;
	fs_hmap_upsert(&m, "a\0b", 3, fs_hash("a\0b", 3), &created);
	cr_expect(created);
	cr_expect_null(fs_hmap_find(&m, "a\0c", 3, fs_hash("a\0c", 3)));
	cr_expect_not_null(fs_hmap_find(&m, "a\0b", 3, fs_hash("a\0b", 3)));
	fs_hmap_free(&m);
}

static int even_only(uint64_t v, const void *ctx)
{
	(void)ctx;
	return v % 2 == 0;
}

Test(hmap, hset_puts_gets_and_filters_agree_with_a_reference)
{
	/* values 1..2000 under distinct hashes; keep the even values */
	enum { N = 2000 };
	uint64_t hash[N];
	struct fs_hset s = {0};
	for (int i = 0; i < N; i++) {
		hash[i] = fs_hash(&i, sizeof i);
		*fs_hset_put(&s, hash[i]) = (uint64_t)i + 1;
	}
	cr_assert_eq(s.n, N);
	*fs_hset_put(&s, hash[5]) = 6;  /* a put of a member finds it */
	cr_assert_eq(s.n, N);
	fs_hset_filter(&s, even_only, NULL);
	cr_assert_eq(s.n, N / 2);
	for (int i = 0; i < N; i++) {
		const uint64_t *v = fs_hset_get(&s, hash[i]);
		if ((i + 1) % 2 == 0)
			cr_assert(v && *v == (uint64_t)i + 1, "value %d kept", i + 1);
		else
			cr_assert_null(v, "value %d dropped", i + 1);
	}
	fs_hset_filter(&s, even_only, NULL);
	cr_assert_eq(s.n, N / 2, "filtering again keeps the same");
	fs_hset_free(&s);
	cr_assert_null(fs_hset_get(&s, hash[1]));
}
