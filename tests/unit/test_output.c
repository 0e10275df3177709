/* test_output.c: fields are spliced into the event's own bytes. */
#include <criterion/criterion.h>

#include "lib/output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *raw, *want;
} splices[] = {
	{"{\"a\":1}", "{\"a\":1,\"features\":{\"x\":1,\"y\":2}}\n"},
	{"{}", "{\"features\":{\"x\":1,\"y\":2}}\n"},
	{"{ \"a\" : 1.50 }  ", "{ \"a\" : 1.50 ,\"features\":{\"x\":1,\"y\":2}}\n"},
	{"{\"features\":{},\"b\":2}", "{\"features\":{\"x\":1,\"y\":2},\"b\":2}\n"},
	{"{\"features\":{\"u\":0} ,\"b\":2}", "{\"features\":{\"u\":0,\"x\":1,\"y\":2} ,\"b\":2}\n"},
	{"{\"s\":\"features\",\"n\":{\"features\":{}}}",
	 "{\"s\":\"features\",\"n\":{\"features\":{}},\"features\":{\"x\":1,\"y\":2}}\n"},
};

Test(output, members_are_spliced_into_the_raw_bytes)
{
	for (size_t i = 0; i < sizeof splices / sizeof splices[0]; i++) {
		struct fs_record r = {.raw = splices[i].raw, .rawlen = strlen(splices[i].raw)};
		struct fs_buf b = {0};
		struct fs_emit e;
		cr_assert_eq(fs_emit_begin(&e, &b, &r, "features", -1), 0);
		fs_emit_key(&e, "\"x\":", 4);
		fs_buf_putc(&b, '1');
		fs_emit_key(&e, "\"y\":", 4);
		fs_buf_putc(&b, '2');
		fs_emit_end(&e);
		cr_expect_str_eq(fs_buf_cstr(&b), splices[i].want, "from %s", splices[i].raw);
		fs_buf_free(&b);
	}
}

Test(output, an_existing_non_object_member_is_refused)
{
	struct fs_record r = {.raw = "{\"features\":[1]}", .rawlen = 16};
	struct fs_buf b = {0};
	struct fs_emit e;
	cr_expect_eq(fs_emit_begin(&e, &b, &r, "features", -1), -1);
	cr_expect_eq(b.len, 0, "nothing is written for a refused record");
	fs_buf_free(&b);
}

Test(output, quoted_keys_are_escaped)
{
	size_t n;
	char *k = fs_quote_key("a\"b", &n);
	cr_expect_str_eq(k, "\"a\\\"b\":");
	cr_expect_eq(n, strlen(k));
	free(k);
}

Test(output, zst_files_are_compressed_and_complete)
{
	char path[] = "/tmp/fstools-out-XXXXXX.zst";
	int fd = mkstemps(path, 4);
	cr_assert(fd >= 0);
	close(fd);
	struct fs_out *o = fs_out_open(path);
	cr_assert_not_null(o);
	for (int i = 0; i < 100000; i++) {
		fs_buf_puts(fs_out_buf(o), "{\"i\":1}\n");
		fs_out_maybe_flush(o);
	}
	char err[128];
	cr_assert_eq(fs_out_close(o, err, sizeof err), 0);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "zstd -dc %s 2>/dev/null | wc -l | grep -qx 100000 || "
	         "! command -v zstd >/dev/null", path);
	cr_expect_eq(system(cmd), 0, "zstd -d must read back 100000 lines");
	FILE *f = fopen(path, "rb");
	unsigned char magic[4] = {0};
	cr_assert_eq(fread(magic, 1, 4, f), 4);
	fclose(f);
	cr_expect(magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd);
	unlink(path);
}

/* --rows resumed from a state: the file is cut back to the size a checkpoint
 * recorded and continued, plain or as whole zstd frames. */
static void resume_at_a_sync(const char *suffix)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/fstools-out-XXXXXX%s", suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	cr_assert(fd >= 0);
	close(fd);
	char err[128];
	struct fs_out *o = fs_out_open_at(path, 0);
	cr_assert_not_null(o);
	fs_buf_puts(fs_out_buf(o), "one\ntwo\n");
	cr_assert_eq(fs_out_sync(o), 0);
	uint64_t kept = fs_out_offset(o);
	fs_buf_puts(fs_out_buf(o), "lost after the checkpoint\n");
	fs_out_flush(o);
	cr_assert(fs_out_offset(o) > kept);
	cr_assert_eq(fs_out_close(o, err, sizeof err), 0);  /* as a crash would leave it, or more */
	o = fs_out_open_at(path, kept);
	cr_assert_not_null(o);
	fs_buf_puts(fs_out_buf(o), "three\n");
	cr_assert_eq(fs_out_close(o, err, sizeof err), 0);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "%s %s | tr '\\n' ' ' | grep -qx 'one two three '",
	         *suffix ? "zstd -qdc" : "cat", path);
	cr_expect_eq(system(cmd), 0, "%s: the lines after the checkpoint are gone, the rest whole",
	             path);
	cr_expect_null(fs_out_open_at(path, 1u << 30), "a file shorter than the state says");
	cr_expect_eq(errno, ERANGE);
	unlink(path);
}

Test(output, open_at_cuts_back_to_the_checkpoint)
{
	resume_at_a_sync("");
}

Test(output, open_at_cuts_back_to_whole_zstd_frames)
{
	if (system("command -v zstd >/dev/null") != 0)
		cr_skip_test("zstd not installed");
	resume_at_a_sync(".zst");
}

/* Held lines come out in the order they went in, each finished with its
 * own members, also across the ring's growth and the bytes' compaction. */
Test(output, held_lines_come_out_in_order_with_their_members)
{
	struct fs_hold h = {0};
	struct fs_buf out = {0};
	char raw[64], want[96];
	size_t popped = 0;
	for (int i = 0; i < 40000; i++) {
		int n = snprintf(raw, sizeof raw, "{\"id\":%d,\"pad\":\"%030d\"}", i, i);
		struct fs_record r = {.raw = raw, .rawlen = (size_t)n};
		size_t start = fs_hold_begin(&h);
		struct fs_emit em;
		fs_emit_begin(&em, &h.bytes, &r, NULL, 0);
		fs_hold_push(&h, &em, start, i);
		const struct fs_held *old = fs_hold_oldest(&h);
		cr_assert_eq(old->tag, (int)popped);
		cr_assert_eq(memcmp(h.bytes.p + old->off, "{\"id\":", 6), 0);
		if (i % 3 == 2 || h.q.n > 5000) {  /* never empty for long: the bytes compact */
			out.len = 0;
			if (popped % 2) {
				fs_hold_drop(&h);
			} else {
				fs_hold_pop(&h, &out, &em);
				fs_emit_key(&em, "\"s\":", 4);
				fs_buf_puts(&out, "1");
				fs_emit_end(&em);
				snprintf(want, sizeof want, "{\"id\":%zu,\"pad\":\"%030zu\",\"s\":1}\n", popped,
				         popped);
				cr_assert_eq(out.len, strlen(want));
				cr_assert_eq(memcmp(out.p, want, out.len), 0, "line %zu: %.*s", popped,
				             (int)out.len, out.p);
			}
			popped++;
		}
	}
	cr_assert_lt(h.bytes.len, (size_t)8 << 20, "written lines' bytes were dropped");
	fs_hold_free(&h);
	fs_buf_free(&out);
}
