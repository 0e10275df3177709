/* test_json.c: shortest doubles, string escaping, members found in raw bytes. */
#include <criterion/criterion.h>

#include "lib/json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	double x;
	const char *s;  /* Python's repr digits; integers without ".0" */
} shortest[] = {
	{0.0, "0"}, {-0.0, "-0"}, {1.0, "1"}, {-3.0, "-3"}, {0.1, "0.1"}, {0.3, "0.3"},
	{0.1 + 0.2, "0.30000000000000004"}, {1.0 / 3, "0.3333333333333333"},
	{2.0 / 3, "0.6666666666666666"}, {123.45, "123.45"}, {1e-4, "0.0001"}, {1e-5, "1e-05"},
	{1.5e-7, "1.5e-07"}, {1e16, "1e+16"}, {1.2345e20, "1.2345e+20"}, {9007199254740993.0, "9007199254740992"},
	{5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
	{2.2250738585072014e-308, "2.2250738585072014e-308"}, {100.0, "100"},
	{1234567.125, "1234567.125"}, {0.000123, "0.000123"}, {12345678901234.5, "12345678901234.5"},
	{1e15, "1000000000000000"}, {1e22, "1e+22"}, {8.41e21, "8.41e+21"},
	{NAN, "null"}, {INFINITY, "null"}, {-INFINITY, "null"},
};

Test(json, shortest_double_table)
{
	char out[FS_DBL_MAX];
	for (size_t i = 0; i < sizeof shortest / sizeof shortest[0]; i++) {
		fs_fmt_double(out, shortest[i].x);
		cr_expect_str_eq(out, shortest[i].s, "%.17g -> %s, want %s", shortest[i].x, out,
		                 shortest[i].s);
	}
}

/* Significant digits of a formatted number: leading and trailing zeros
 * of the mantissa do not count. */
static int significant_digits(const char *s)
{
	char d[40];
	int n = 0;
	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			d[n++] = *s;
	int lo = 0;
	while (lo < n && d[lo] == '0')
		lo++;
	while (n > lo && d[n - 1] == '0')
		n--;
	return n - lo;
}

/* The rule itself, checked on a million random doubles: the text reads back
 * as the same double, and no text with fewer significant digits does. */
Test(json, shortest_double_round_trips_and_is_minimal)
{
	char out[FS_DBL_MAX], shorter[64];
	uint64_t state = 88172645463325252ULL;
	for (int i = 0; i < 1000000; i++) {
		state ^= state << 13, state ^= state >> 7, state ^= state << 17;
		double x;
		if (i % 3 == 0) {
			uint64_t bits = state;
			memcpy(&x, &bits, sizeof x);
			if (!isfinite(x))
				continue;
		} else if (i % 3 == 1) {
			x = (double)(state % 100000000) / 100.0;  /* money */
		} else {
			x = (double)(state >> 11) / 9007199254740992.0 * pow(10, (int)(state % 40) - 20);
		}
		fs_fmt_double(out, x);
		double back = strtod(out, NULL);
		cr_assert(back == x || (isnan(x) && isnan(back)), "%s does not read back as %.17g", out, x);
		int digits = significant_digits(out);
		if (digits > 1) {
			snprintf(shorter, sizeof shorter, "%.*e", digits - 2, x);
			cr_assert(strtod(shorter, NULL) != x, "%s is not the shortest: %s also reads back",
			          out, shorter);
		}
	}
}

Test(json, strings_escape_controls_and_replace_invalid_utf8)
{
	struct fs_buf b = {0};
	const char in[] = "a\"b\\c\n\t\x01\xc3\xa9\xff\xe2\x82";
	fs_json_put_string(&b, in, sizeof in - 1);
	cr_expect_str_eq(fs_buf_cstr(&b), "\"a\\\"b\\\\c\\n\\t\\u0001\xc3\xa9\\ufffd\\ufffd\\ufffd\"");
	fs_buf_free(&b);
}

Test(json, values_keep_member_order_and_shortest_reals)
{
	json_t *v = json_loads("{\"z\":1,\"a\":[0.1,true,null,\"x\"],\"m\":{\"k\":-2.5}}", 0, NULL);
	struct fs_buf b = {0};
	fs_json_put_value(&b, v);
	cr_expect_str_eq(fs_buf_cstr(&b), "{\"z\":1,\"a\":[0.1,true,null,\"x\"],\"m\":{\"k\":-2.5}}");
	fs_buf_free(&b);
	json_decref(v);
}

static const struct {
	const char *obj, *name, *value;  /* value NULL: not found */
} members[] = {
	{"{\"a\":1,\"features\":{\"x\":2}}", "features", "{\"x\":2}"},
	{"{ \"features\" : { } , \"b\":[1,{\"features\":3}]}", "features", "{ }"},
	{"{\"s\":\"}\\\"features\\\":{\",\"t\":0}", "features", NULL},
	{"{\"a\":{\"features\":1}}", "features", NULL},
	{"{\"fe\\u0061tures\":[1]}", "features", "[1]"},
	{"{\"features\":1,\"features\":{\"x\":1}}", "features", "{\"x\":1}"},
	{"{}", "features", NULL},
	{"{\"n\":-1.5e3 }", "n", "-1.5e3"},
};

Test(json, top_level_members_are_found_in_raw_bytes)
{
	for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
		size_t vs = 0, ve = 0;
		int found = fs_json_find_member(members[i].obj, strlen(members[i].obj), members[i].name,
		                                &vs, &ve);
		cr_expect_eq(found, members[i].value != NULL, "%s", members[i].obj);
		if (found && members[i].value)
			cr_expect(strlen(members[i].value) == ve - vs &&
			          memcmp(members[i].obj + vs, members[i].value, ve - vs) == 0,
			          "%s: got %.*s", members[i].obj, (int)(ve - vs), members[i].obj + vs);
	}
}

Test(json, object_close_and_emptiness)
{
	cr_expect_eq(fs_json_object_close("{\"a\":1}  \r", 10), 6);
	cr_expect_eq(fs_json_object_close("[1]", 3), (size_t)-1);
	cr_expect(fs_json_object_is_empty(" { } ", 5));
	cr_expect(!fs_json_object_is_empty("{\"a\":1}", 7));
}
