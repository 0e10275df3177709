/* test_report.c: fspsi's HTML report is one self-contained, escaped page. */
#define _GNU_SOURCE  /* strcasestr */
#include <criterion/criterion.h>

#include "lib/report.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DANGEROUS "<script>alert(1)</script>"
#define DANGEROUS_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt;"

static const char doc_text[] =
	"{\"title\": \"Drift of <day> & night\", \"generated\": \"2026-11-24T10:20:00Z\","
	" \"baseline\": \"base<1>.json\", \"inputs\": [\"day.ndjson\", \"a&b.ndjson\"],"
	" \"warn\": 0.1, \"alert\": 0.2, \"epsilon\": 0.0001, \"events\": 3000, \"windows\": 3,"
	" \"features\": ["
	"  {\"feature\": \"amount\", \"type\": \"numeric\", \"status\": \"alert\","
	"   \"psi\": 0.31, \"max_psi\": 0.42, \"js\": 0.08, \"ks\": 0.21, \"n\": 3000,"
	"   \"null_share\": 0.02, \"baseline_null_share\": 0.01,"
	"   \"bins\": [\"< 1.5\", \"[1.5, 3.0000000000000004)\", \"[3, 7)\", \">= 7\", \"null\"],"
	"   \"baseline_shares\": [0.25, 0.25, 0.25, 0.24, 0.01],"
	"   \"shares\": [0.1, 0.2, 0.3, 0.38, 0.02],"
	"   \"windows\": ["
	"    {\"start\": \"2026-11-24T08:00:00Z\", \"end\": \"2026-11-24T09:00:00Z\", \"psi\": 0.05, \"status\": \"ok\"},"
	"    {\"start\": \"2026-11-24T09:00:00Z\", \"end\": \"2026-11-24T10:00:00Z\", \"psi\": 0.15, \"status\": \"warn\"},"
	"    {\"start\": \"2026-11-24T10:00:00Z\", \"end\": \"2026-11-24T11:00:00Z\", \"psi\": 0.42, \"status\": \"alert\"}]},"
	"  {\"feature\": \"" DANGEROUS "\", \"type\": \"category\", \"status\": \"ok\","
	"   \"psi\": 0.01, \"max_psi\": 0.02, \"js\": 0.003, \"ks\": null, \"n\": 3000,"
	"   \"null_share\": 0, \"baseline_null_share\": 0,"
	"   \"bins\": [\"x\", \"y & z\", \"<other>\"],"
	"   \"baseline_shares\": [0.5, 0.3, 0.2], \"shares\": [0.48, 0.32, 0.2],"
	"   \"windows\": ["
	"    {\"start\": \"2026-11-24T08:00:00Z\", \"end\": \"2026-11-24T09:00:00Z\", \"psi\": 0.01, \"status\": \"ok\"},"
	"    {\"start\": \"2026-11-24T09:00:00Z\", \"end\": \"2026-11-24T10:00:00Z\", \"psi\": 0.02, \"status\": \"ok\"}]}"
	" ]}";

static char dir[64];
static char path[128];
static char *page;

static char *slurp(const char *p)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *s = malloc((size_t)n + 1);
	size_t got = fread(s, 1, (size_t)n, f);
	s[got] = '\0';
	fclose(f);
	return s;
}

/* Writes the report of doc_text into a fresh directory and reads it back. */
static void write_report(void)
{
	strcpy(dir, "/tmp/fstools-report-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/report.html", dir);
	json_error_t jerr;
	json_t *doc = json_loads(doc_text, 0, &jerr);
	cr_assert_not_null(doc, "test document: %s", jerr.text);
	char err[256] = "";
	cr_assert_eq(fs_report_write(path, doc, err, sizeof err), 0, "%s", err);
	json_decref(doc);
	page = slurp(path);
	cr_assert_not_null(page, "%s must exist", path);
}

static void remove_report(void)
{
	free(page);
	page = NULL;
	unlink(path);
	rmdir(dir);
}

TestSuite(report, .init = write_report, .fini = remove_report);

/* The section of the feature whose escaped name is given, up to its end. */
static char *section_of(const char *escaped_name)
{
	char attr[256];
	snprintf(attr, sizeof attr, "data-feature=\"%s\"", escaped_name);
	char *at = strstr(page, attr);
	if (!at)
		return NULL;
	char *start = at;
	while (start > page && strncmp(start, "<section", 8) != 0)
		start--;
	char *end = strstr(at, "</section>");
	if (!end || strncmp(start, "<section", 8) != 0)
		return NULL;
	return strndup(start, (size_t)(end - start));
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

Test(report, the_page_is_one_html_document)
{
	cr_expect_eq(strncmp(page, "<!DOCTYPE html>", 15), 0);
	cr_expect_not_null(strstr(page, "</html>"));
}

Test(report, nothing_is_loaded_from_elsewhere)
{
	cr_expect_null(strstr(page, "http://"));
	cr_expect_null(strstr(page, "https://"));
	cr_expect_null(strcasestr(page, "<script"));
	cr_expect_null(strcasestr(page, "src="));
	cr_expect_null(strcasestr(page, "<link"));
	cr_expect_null(strcasestr(page, "@import"));
}

Test(report, each_feature_has_a_section_with_its_name_and_status)
{
	static const struct {
		const char *escaped, *status;
	} want[] = {{"amount", "alert"}, {DANGEROUS_ESCAPED, "ok"}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char *s = section_of(want[i].escaped);
		cr_assert_not_null(s, "no section with data-feature=\"%s\"", want[i].escaped);
		char attr[64];
		snprintf(attr, sizeof attr, "data-status=\"%s\"", want[i].status);
		cr_expect_not_null(strstr(s, attr), "%s: no %s", want[i].escaped, attr);
		cr_expect_eq(count(s, "<svg"), 2, "%s: a histogram and a PSI line", want[i].escaped);
		cr_expect_eq(count(s, "<svg class=\"histogram\""), 1);
		cr_expect_eq(count(s, "<svg class=\"psi-line\""), 1);
		free(s);
	}
}

Test(report, every_window_is_a_point_coloured_by_its_status)
{
	char *s = section_of("amount");
	cr_assert_not_null(s);
	cr_expect_eq(count(s, "<circle"), 3);
	cr_expect_eq(count(s, "class=\"pt ok\""), 1);
	cr_expect_eq(count(s, "class=\"pt warn\""), 1);
	cr_expect_eq(count(s, "class=\"pt alert\""), 1);
	cr_expect_eq(count(s, "class=\"thr warn\""), 1, "a dashed line at the warn threshold");
	cr_expect_eq(count(s, "class=\"thr alert\""), 1, "a dashed line at the alert threshold");
	free(s);
}

Test(report, user_text_is_escaped)
{
	cr_expect_null(strstr(page, DANGEROUS));
	cr_expect_geq(count(page, DANGEROUS_ESCAPED), 3, "summary row, section attribute, heading");
	cr_expect_not_null(strstr(page, "Drift of &lt;day&gt; &amp; night"));
	cr_expect_not_null(strstr(page, "base&lt;1&gt;.json"));
	cr_expect_not_null(strstr(page, "a&amp;b.ndjson"));
	cr_expect_not_null(strstr(page, "y &amp; z"));
	cr_expect_not_null(strstr(page, "&lt;other&gt;"));
	cr_expect_null(strstr(page, "<other>"));
}

Test(report, numbers_in_bin_labels_are_shortened_under_the_bars_only)
{
	cr_expect_not_null(strstr(page, ">[1.5, 3)</text>"), "the axis label is compact");
	cr_expect_not_null(strstr(page, "<td>[1.5, 3.0000000000000004)</td>"),
	                   "the table keeps the exact edges");
}

Test(report, a_null_ks_is_a_dash)
{
	char *row = strstr(page, "<tr><td class=\"name\"><a href=\"#f1");
	cr_assert_not_null(row);
	char *end = strstr(row, "</tr>");
	cr_assert_not_null(end);
	*end = '\0';
	cr_expect_not_null(strstr(row, "&#8212;"));
	cr_expect_null(strstr(row, "null"));
}

Test(report, no_temporary_file_is_left_beside_it)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	int files = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			files++;
			cr_expect_str_eq(e->d_name, "report.html");
		}
	closedir(d);
	cr_expect_eq(files, 1);
}

Test(report_write, a_file_that_cannot_be_written_is_an_error_naming_it)
{
	json_t *doc = json_loads(doc_text, 0, NULL);
	cr_assert_not_null(doc);
	char err[256] = "";
	cr_expect_eq(fs_report_write("/nonexistent-dir/report.html", doc, err, sizeof err), -1);
	cr_expect_str_eq(err, "/nonexistent-dir/report.html: cannot write: No such file or directory");
	json_decref(doc);
}

Test(report_write, a_feature_without_windows_says_so_in_text)
{
	json_t *doc = json_loads(doc_text, 0, NULL);
	cr_assert_not_null(doc);
	json_t *f = json_array_get(json_object_get(doc, "features"), 0);
	json_object_set_new(f, "windows", json_array());
	char d[] = "/tmp/fstools-report-XXXXXX", p[64], err[256] = "";
	cr_assert_not_null(mkdtemp(d));
	snprintf(p, sizeof p, "%s/r.html", d);
	cr_assert_eq(fs_report_write(p, doc, err, sizeof err), 0, "%s", err);
	char *s = slurp(p);
	cr_assert_not_null(s);
	cr_expect_eq(count(s, "<svg class=\"psi-line\""), 1, "only the feature with windows");
	cr_expect_not_null(strstr(s, "No windows closed"));
	free(s);
	unlink(p);
	rmdir(d);
	json_decref(doc);
}
