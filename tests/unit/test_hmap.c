/* test_hmap.c: the hash map agrees with a plain array under random use. */
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
