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

/* jansson's verdict on one text: accepted as is, or after the big-integer
 * retry the loop makes. */
static int jansson_accepts(const char *p, size_t n, int *big)
{
	json_error_t e;
	json_t *v = json_loadb(p, n, JSON_DECODE_ANY, &e);
	*big = 0;
	if (!v && json_error_code(&e) == json_error_numeric_overflow) {
		v = json_loadb(p, n, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &e);
		*big = 1;
	}
	json_decref(v);
	return v != NULL;
}

static void agree(const char *p, size_t n)
{
	int big_j, big_c;
	int j = jansson_accepts(p, n, &big_j);
	int c = fs_json_check(p, n, &big_c) == 0;
	/* jansson reads past a NUL byte in odd ways; refusing such a line is
	 * safe, since the loop then asks jansson itself */
	if (!c && j && memchr(p, '\0', n))
		return;
	cr_assert_eq(c, j, "fs_json_check says %s, jansson %s: [%.*s]", c ? "valid" : "invalid",
	             j ? "valid" : "invalid", (int)n, p);
	if (j)
		cr_assert_eq(big_c, big_j, "big integer flag differs on [%.*s]", (int)n, p);
}

Test(json, check_agrees_with_jansson_on_edge_cases)
{
	static const char *const cases[] = {
		"{}", "[]", "{\"a\":1}", " {\"a\" : [1, 2.5e3, -0, true, false, null]} ", "{\"a\":}", "{\"a\"1}",
		"{\"a\":1,}", "[1,]", "[01]", "[-]", "[1.]", "[.5]", "[1e]", "[1e+]", "[1E-2]", "[-0.0e0]",
		"\"x\"", "1", "tru", "nul", "[true false]", "{} {}", "{}x", "", " ", "[\"\\u0000\"]",
		"[\"\\u0041\"]", "[\"\\ud83d\\ude00\"]", "[\"\\ud83d\"]", "[\"\\ude00\"]", "[\"\\ud83dx\"]",
		"[\"\\x\"]", "[\"\\", "[\"a\tb\"]", "[\"\xc3\xa9\"]", "[\"\xc3\"]", "[\"\xc0\x80\"]",
		"[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xef\xbf\xbf\"]", "[\"\xf0\x9f\x98\x80\"]",
		"[\"\xe0\x80\xaf\"]", "[9223372036854775807]", "[9223372036854775808]", "[-9223372036854775808]",
		"[-9223372036854775809]", "[123456789012345678901234567890]", "[1e308]", "[1e309]", "[-1e309]",
		"[1e-400]", "[0.000000000000000000000000000000000000001e-300]", "{\"a\":{\"b\":[{}]}}",
		"{\"a\":{\"b\":[{]}}", "[[[]]", "[]]", "{\"\\u00e9\":1}", "{1:2}", "[\"a\" \"b\"]", "\xef\xbb\xbf{}",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		agree(cases[i], strlen(cases[i]));
	/* NUL bytes inside */
	agree("[\"a\0b\"]", 7);
	agree("[1\0]", 4);
	/* depth: jansson stops at 2048 levels */
	for (int d = 2046; d <= 2050; d++) {
		char *s = malloc(2 * (size_t)d);
		memset(s, '[', (size_t)d);
		memset(s + d, ']', (size_t)d);
		agree(s, 2 * (size_t)d);
		free(s);
	}
}

Test(json, check_agrees_with_jansson_on_random_mutations)
{
	static const char *const seeds[] = {
		"{\"user\":\"u1\",\"amount\":12.5,\"tags\":[\"a\",\"b\"],\"features\":{\"n\":3,\"m\":null}}",
		"{\"s\":\"\\u00e9\\n\\\"\",\"x\":-1.5e-3,\"y\":[true,false,null,{}],\"z\":\"\xc3\xa9\"}",
		"[0,1e5,-0.25,\"\\ud83d\\ude00\",{\"k\":[[]]}]",
	};
	static const char alphabet[] = "{}[]\",:.-+eE0123456789tfnrul \\/u\t\xc3\xa9\x80\xff\x01";
	uint64_t r = 88172645463325252ULL;
	for (int it = 0; it < 200000; it++) {
		const char *seed = seeds[it % 3];
		char buf[256];
		size_t n = strlen(seed);
		memcpy(buf, seed, n);
		int edits = 1 + (int)(r % 3);
		for (int e = 0; e < edits; e++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			size_t at = r % (n + 1);
			char c = alphabet[(r >> 20) % (sizeof alphabet - 1)];
			switch ((r >> 40) % 3) {
			case 0: /* replace */
				if (at < n)
					buf[at] = c;
				break;
			case 1: /* insert */
				if (n < sizeof buf - 1) {
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = c;
					n++;
				}
				break;
			default: /* delete */
				if (at < n) {
					memmove(buf + at, buf + at + 1, n - at - 1);
					n--;
				}
			}
		}
		agree(buf, n);
	}
}
