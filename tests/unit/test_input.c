/* test_input.c: sources, compression, archives, lines and their numbers. */
#include <criterion/criterion.h>

#include "lib/input.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/fstools-input-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

static char *path(const char *name)
{
	static char p[8][128];
	static int k;
	k = (k + 1) % 8;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static void write_file(const char *name, const char *data, size_t n)
{
	FILE *f = fopen(path(name), "wb");
	cr_assert_not_null(f);
	fwrite(data, 1, n, f);
	fclose(f);
}

/* Writes an archive with libarchive itself: format and filter by name. */
static void write_archive(const char *name, const char *format, const char *filter,
                          const char *const *entries, const char *const *data, int n)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_by_name(a, format);
	if (filter)
		archive_write_add_filter_by_name(a, filter);
	cr_assert_eq(archive_write_open_filename(a, path(name)), ARCHIVE_OK);
	for (int i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, entries[i]);
		archive_entry_set_size(e, (la_int64_t)strlen(data[i]));
		archive_entry_set_filetype(e, entries[i][strlen(entries[i]) - 1] == '/' ? AE_IFDIR : AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_write_header(a, e);
		archive_write_data(a, data[i], strlen(data[i]));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

/* All lines of the inputs as "source:line:text\n". */
static char *read_all(char **files, int n)
{
	struct fs_input *in = fs_input_new(files, n, NULL, NULL, NULL);
	struct fs_line l;
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(1, cap);
	while (fs_input_next(in, &l)) {
		len += (size_t)snprintf(out + len, cap - len, "%s:%llu:%.*s%s\n", l.source,
		                        (unsigned long long)l.lineno, (int)l.n, l.p, l.too_long ? "…" : "");
	}
	fs_input_free(in);
	return out;
}

TestSuite(input, .init = setup, .fini = teardown);

Test(input, plain_lines_numbered_from_one_with_crlf_and_no_final_newline)
{
	write_file("a.ndjson", "{\"a\":1}\r\n\n{\"a\":2}", 17);
	char *files[] = {path("a.ndjson")};
	char *got = read_all(files, 1);
	char want[512];
	snprintf(want, sizeof want, "%s:1:{\"a\":1}\n%s:2:\n%s:3:{\"a\":2}\n", files[0], files[0],
	         files[0]);
	cr_expect_str_eq(got, want);
	free(got);
}

Test(input, compressed_files_are_detected_by_content)
{
	const char *const filters[] = {"gzip", "bzip2", "xz", "zstd", "lz4"};
	for (int i = 0; i < 5; i++) {
		const char *names[] = {"data"};
		const char *data[] = {"{\"n\":1}\n{\"n\":2}\n"};
		char name[32];
		snprintf(name, sizeof name, "events-%s.bin", filters[i]);  /* no telling suffix */
		write_archive(name, "raw", filters[i], names, data, 1);
		char *files[] = {path(name)};
		char *got = read_all(files, 1);
		char want[512];
		snprintf(want, sizeof want, "%s:1:{\"n\":1}\n%s:2:{\"n\":2}\n", files[0], files[0]);
		cr_expect_str_eq(got, want, "%s", filters[i]);
		free(got);
	}
}

Test(input, archive_entries_in_order_named_and_numbered_per_entry)
{
	const char *formats[] = {"ustar", "zip", "cpio", "7zip"};
	for (int f = 0; f < 4; f++) {
		const char *names[] = {"day/", "day/b.ndjson", "day/a.ndjson"};
		const char *data[] = {"", "b1\nb2\n", "a1\n"};
		write_archive("x.arc", formats[f], f == 0 ? "gzip" : NULL, names, data, 3);
		char *files[] = {path("x.arc")};
		char *got = read_all(files, 1);
		char want[512];
		snprintf(want, sizeof want, "%s:day/b.ndjson:1:b1\n%s:day/b.ndjson:2:b2\n"
		         "%s:day/a.ndjson:1:a1\n", files[0], files[0], files[0]);
		cr_expect_str_eq(got, want, "%s", formats[f]);
		free(got);
	}
}

Test(input, missing_file_is_reported_and_the_next_one_read)
{
	write_file("b.ndjson", "x\n", 2);
	char *files[] = {path("nope"), path("b.ndjson")};
	struct fs_input *in = fs_input_new(files, 2, NULL, NULL, NULL);
	struct fs_line l;
	cr_assert_eq(fs_input_next(in, &l), 1);
	cr_expect_eq(l.lineno, 1);
	cr_expect_eq(fs_input_next(in, &l), 0);
	cr_expect_eq(fs_input_status(in), 66);
	fs_input_free(in);
}

Test(input, empty_file_has_no_lines)
{
	write_file("e", "", 0);
	char *files[] = {path("e")};
	char *got = read_all(files, 1);
	cr_expect_str_eq(got, "");
	free(got);
}

Test(input, long_lines_cross_buffer_boundaries_intact)
{
	size_t n = 300000;
	char *big = malloc(n + 2);
	memset(big, 'x', n);
	big[n] = '\n';
	write_file("long", big, n + 1);
	char *files[] = {path("long")};
	struct fs_input *in = fs_input_new(files, 1, NULL, NULL, NULL);
	struct fs_line l;
	cr_assert_eq(fs_input_next(in, &l), 1);
	cr_expect_eq(l.n, n);
	cr_expect_eq(l.too_long, 0);
	cr_expect_eq(memcmp(l.p, big, n), 0);
	fs_input_free(in);
	free(big);
}

Test(input, over_long_line_is_reported_cut_and_the_next_line_read)
{
	size_t n = FS_LINE_MAX + 100;
	char *big = malloc(n + 8);
	memset(big, 'x', n);
	memcpy(big + n, "\nok\n", 4);
	write_file("huge", big, n + 4);
	free(big);
	char *files[] = {path("huge")};
	struct fs_input *in = fs_input_new(files, 1, NULL, NULL, NULL);
	struct fs_line l;
	cr_assert_eq(fs_input_next(in, &l), 1);
	cr_expect_eq(l.lineno, 1);
	cr_expect_eq(l.too_long, 1);
	cr_expect_leq(l.n, 256, "only the start of a cut line is kept for the report");
	cr_assert_eq(fs_input_next(in, &l), 1);
	cr_expect_eq(l.lineno, 2);
	cr_expect_eq(l.too_long, 0);
	cr_expect(l.n == 2 && memcmp(l.p, "ok", 2) == 0);
	cr_expect_eq(fs_input_next(in, &l), 0);
	fs_input_free(in);
}

Test(input, nonblocking_input_says_again_until_a_line_is_complete)
{
	char *fifo = path("labels.fifo");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	char *files[] = {fifo};
	struct fs_input *in = fs_input_new(files, 1, NULL, NULL, NULL);
	fs_input_nonblocking(in);
	struct fs_line l;
	/* no writer yet: the FIFO opens at once, and nothing is ready */
	cr_assert_eq(fs_input_next(in, &l), FS_INPUT_AGAIN);
	int w = open(fifo, O_WRONLY);
	cr_assert_geq(w, 0);
	cr_assert_eq(fs_input_next(in, &l), FS_INPUT_AGAIN);
	cr_assert_eq(write(w, "{\"a\":1}\n{\"b\"", 12), 12);
	cr_assert_eq(fs_input_next(in, &l), 1);
	cr_assert_eq(l.n, 7);
	cr_assert(l.pipe, "a FIFO is never a replayable source");
	/* half a line is not a line */
	cr_assert_eq(fs_input_next(in, &l), FS_INPUT_AGAIN);
	cr_assert_eq(write(w, ":2}\n", 4), 4);
	cr_assert_eq(fs_input_next(in, &l), 1);
	cr_assert_eq(l.lineno, 2);
	cr_assert_eq(strncmp(l.p, "{\"b\":2}", l.n), 0);
	close(w);
	cr_assert_eq(fs_input_next(in, &l), 0, "the writer's close is the end");
	fs_input_free(in);
}

Test(input, a_regular_file_is_replayable_a_pipe_is_not)
{
	write_file("a.ndjson", "{}\n", 3);
	char *files[] = {path("a.ndjson")};
	struct fs_input *in = fs_input_new(files, 1, NULL, NULL, NULL);
	struct fs_line l;
	cr_assert_eq(fs_input_next(in, &l), 1);
	cr_assert_not(l.pipe);
	fs_input_free(in);
}
