/* test_record.c: field paths, numeric coercion and the text of values. */
#include <criterion/criterion.h>

#include "lib/buf.h"
#include "lib/record.h"

#include <string.h>

Test(record, paths_descend_into_objects_and_envelopes)
{
	const char *why;
	struct fs_record r = {0};
	r.obj = json_loads("{\"a\":{\"b\":{\"c\":5}},\"x.y\":1,\"n\":null}", 0, NULL);
	r.envelope = json_loads("{\"key\":\"k1\",\"ts\":1700000000000}", 0, NULL);
	struct fs_path *p = fs_path_new("a.b.c", &why);
	cr_expect_eq(json_integer_value(fs_path_get(p, &r)), 5);
	fs_path_free(p);
	p = fs_path_new("x\\.y", &why);
	cr_expect_eq(json_integer_value(fs_path_get(p, &r)), 1, "\\. is a literal dot");
	fs_path_free(p);
	p = fs_path_new("a.missing.c", &why);
	cr_expect_null(fs_path_get(p, &r));
	fs_path_free(p);
	p = fs_path_new("n", &why);
	cr_expect(json_is_null(fs_path_get(p, &r)), "a JSON null is returned as null, not absent");
	fs_path_free(p);
	p = fs_path_new("@key", &why);
	cr_expect_str_eq(json_string_value(fs_path_get(p, &r)), "k1");
	fs_path_free(p);
	cr_expect_null(fs_path_new("a..b", &why));
	cr_expect_null(fs_path_new("", &why));
	cr_expect_null(fs_path_new("a.", &why));
	json_decref(r.obj);
	json_decref(r.envelope);
}

static const struct {
	const char *json;
	enum fs_num want;
	double d;
} numbers[] = {
	{"12", FS_NUM_OK, 12}, {"-0.5", FS_NUM_OK, -0.5}, {"\"12.50\"", FS_NUM_OK, 12.5},
	{"\"-3e2\"", FS_NUM_OK, -300}, {"\"1E+2\"", FS_NUM_OK, 100}, {"\".5\"", FS_NUM_OK, 0.5},
	{"\"5.\"", FS_NUM_OK, 5},
	{"null", FS_NUM_MISSING, 0}, {"\"abc\"", FS_NUM_INVALID, 0}, {"\" 1\"", FS_NUM_INVALID, 0},
	{"\"1 \"", FS_NUM_INVALID, 0}, {"\"0x10\"", FS_NUM_INVALID, 0}, {"\"inf\"", FS_NUM_INVALID, 0},
	{"\"nan\"", FS_NUM_INVALID, 0}, {"\"\"", FS_NUM_INVALID, 0}, {"\"1e\"", FS_NUM_INVALID, 0},
	{"\"1e999\"", FS_NUM_INVALID, 0}, {"true", FS_NUM_INVALID, 0}, {"[1]", FS_NUM_INVALID, 0},
	{"{}", FS_NUM_INVALID, 0},
};

Test(record, numeric_coercion_table)
{
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		json_t *v = json_loads(numbers[i].json, JSON_DECODE_ANY, NULL);
		double d = 0;
		enum fs_num got = fs_value_number(v, &d);
		cr_expect_eq(got, numbers[i].want, "%s: got %d", numbers[i].json, got);
		if (got == FS_NUM_OK)
			cr_expect_eq(d, numbers[i].d, "%s: %g", numbers[i].json, d);
		json_decref(v);
	}
	cr_expect_eq(fs_value_number(NULL, NULL), FS_NUM_MISSING, "absent is missing");
}

Test(record, value_text_compares_strings_and_numbers_by_text)
{
	const char *in[] = {"\"7\"", "7", "7.5", "true", "\"\"", "null", "[1]"};
	const char *want[] = {"7", "7", "7.5", "true", "", NULL, NULL};
	for (size_t i = 0; i < 7; i++) {
		json_t *v = json_loads(in[i], JSON_DECODE_ANY, NULL);
		struct fs_buf b = {0};
		int rc = fs_value_text(v, &b);
		if (want[i]) {
			cr_expect_eq(rc, 0, "%s", in[i]);
			cr_expect_str_eq(fs_buf_cstr(&b), want[i]);
		} else {
			cr_expect_eq(rc, -1, "%s is not a scalar", in[i]);
			cr_expect_eq(b.len, 0);
		}
		fs_buf_free(&b);
		json_decref(v);
	}
}
