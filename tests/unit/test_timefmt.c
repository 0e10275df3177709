/* test_timefmt.c: RFC 3339 times, epoch numbers in units, durations. */
#include <criterion/criterion.h>

#include "lib/timefmt.h"

#include <string.h>

static const struct {
	const char *in;
	int ok;
	int64_t ns;
} rfc3339[] = {
	{"1970-01-01T00:00:00Z", 1, 0},
	{"2024-01-01T00:00:00Z", 1, INT64_C(1704067200000000000)},
	{"2024-01-01T02:00:00+02:00", 1, INT64_C(1704067200000000000)},
	{"2023-12-31 19:00:00-05:00", 1, INT64_C(1704067200000000000)},
	{"2024-01-01t00:00:00.5z", 1, INT64_C(1704067200500000000)},
	{"2024-01-01T00:00:00.123456789Z", 1, INT64_C(1704067200123456789)},
	{"2024-01-01T00:00:00.1234567891Z", 1, INT64_C(1704067200123456789)},
	{"2024-02-29T00:00:00Z", 1, INT64_C(1709164800000000000)},
	{"2023-12-31T23:59:60Z", 1, INT64_C(1704067200000000000)},  /* leap second */
	{"1969-12-31T23:59:59Z", 1, -INT64_C(1000000000)},
	{"2023-02-29T00:00:00Z", 0, 0},
	{"2024-13-01T00:00:00Z", 0, 0},
	{"2024-01-01T24:00:00Z", 0, 0},
	{"2024-01-01T00:00:00", 0, 0},        /* no offset */
	{"2024-01-01T00:00:00.Z", 0, 0},
	{"2024-01-01T00:00:00+0200", 0, 0},
	{"2024-01-01", 0, 0},
	{"2024-01-01T00:00:00Z ", 0, 0},
	{"", 0, 0},
};

Test(timefmt, rfc3339_table)
{
	for (size_t i = 0; i < sizeof rfc3339 / sizeof rfc3339[0]; i++) {
		int64_t ns = 0;
		int rc = fs_time_parse_rfc3339(rfc3339[i].in, strlen(rfc3339[i].in), &ns);
		cr_expect_eq(rc == 0, rfc3339[i].ok, "%s: accepted=%d", rfc3339[i].in, rc == 0);
		if (rfc3339[i].ok)
			cr_expect_eq(ns, rfc3339[i].ns, "%s: %lld", rfc3339[i].in, (long long)ns);
	}
}

Test(timefmt, decimal_numbers_are_exact_in_any_unit)
{
	int64_t ns;
	cr_assert_eq(fs_time_parse_decimal("1700000000.123456789", 20, INT64_C(1000000000), &ns), 0);
	cr_expect_eq(ns, INT64_C(1700000000123456789));
	cr_assert_eq(fs_time_parse_decimal("1700000000123", 13, 1000000, &ns), 0);
	cr_expect_eq(ns, INT64_C(1700000000123000000));
	cr_assert_eq(fs_time_parse_decimal("-1.5", 4, INT64_C(1000000000), &ns), 0);
	cr_expect_eq(ns, -INT64_C(1500000000));
	cr_expect_eq(fs_time_parse_decimal("1e9", 3, 1, &ns), -1);
	cr_expect_eq(fs_time_parse_decimal(".", 1, 1, &ns), -1);
	cr_expect_eq(fs_time_parse_decimal("99999999999999999999", 20, 1, &ns), -1);
}

Test(timefmt, json_times_never_guess_the_unit)
{
	int64_t ns;
	const char *why;
	json_t *v = json_integer(1700000000);
	cr_assert_eq(fs_time_from_json(v, FS_UNIT_MS, &ns, &why), 0);
	cr_expect_eq(ns, INT64_C(1700000000000000));  /* read as ms because we said ms */
	json_decref(v);
	v = json_string("1700000000");
	cr_assert_eq(fs_time_from_json(v, FS_UNIT_S, &ns, &why), 0);
	cr_expect_eq(ns, INT64_C(1700000000000000000));
	json_decref(v);
	v = json_true();
	cr_expect_eq(fs_time_from_json(v, FS_UNIT_S, &ns, &why), -1);
	v = json_integer(INT64_C(9223372036854775));
	cr_expect_eq(fs_time_from_json(v, FS_UNIT_S, &ns, &why), -1, "overflow must be refused");
	json_decref(v);
}

static const struct {
	const char *in;
	int64_t ns;  /* -1: rejected */
} durations[] = {
	{"500ms", INT64_C(500000000)}, {"30s", INT64_C(30000000000)}, {"5m", INT64_C(300000000000)},
	{"1h", INT64_C(3600000000000)}, {"7d", INT64_C(604800000000000)},
	{"1w", INT64_C(604800000000000)}, {"1h30m", INT64_C(5400000000000)},
	{"1.5h", INT64_C(5400000000000)}, {"250us", 250000}, {"10ns", 10},
	{"0s", -1}, {"", -1}, {"5", -1}, {"h", -1}, {"1 h", -1}, {"-1h", -1}, {"1y", -1},
	{"1hour", -1},
};

Test(timefmt, durations_table)
{
	for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
		int64_t ns = 0;
		int rc = fs_duration_parse(durations[i].in, &ns);
		if (durations[i].ns < 0)
			cr_expect_eq(rc, -1, "\"%s\" must be rejected", durations[i].in);
		else
			cr_expect(rc == 0 && ns == durations[i].ns, "\"%s\" -> %lld", durations[i].in,
			          (long long)ns);
	}
}

Test(timefmt, duration_format_round_trips)
{
	char buf[64];
	int64_t ns;
	const char *in[] = {"1h30m", "250ms", "7d", "1w1d", "1s500ms"};
	for (size_t i = 0; i < 5; i++) {
		fs_duration_parse(in[i], &ns);
		fs_duration_format(ns, buf, sizeof buf);
		int64_t back;
		cr_expect_eq(fs_duration_parse(buf, &back), 0);
		cr_expect_eq(back, ns, "%s -> %s", in[i], buf);
	}
}

/* The online store compares @time texts as strings inside Redis: that must
 * order them as the times, over the whole range, before 1970 included. */
Test(timefmt, fixed_texts_compare_as_their_times)
{
	uint64_t x = 88172645463325252ULL;
	char a[40], b[40];
	int64_t prev = 0;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* 1678..2261, and now and then a time a few ns from the previous one */
		int64_t t = (i % 4 == 3) ? prev + (int64_t)(x % 5) - 2
		                         : (int64_t)(x % (UINT64_C(18000000000) * FS_NS_PER_SEC)) -
		                           INT64_C(9000000000) * FS_NS_PER_SEC;
		int64_t u = (int64_t)((x >> 7) % (UINT64_C(18000000000) * FS_NS_PER_SEC)) -
		            INT64_C(9000000000) * FS_NS_PER_SEC;
		fs_time_format_fixed(t, a, sizeof a);
		fs_time_format_fixed(u, b, sizeof b);
		cr_assert_eq(strlen(a), 30, "%s", a);
		int c = strcmp(a, b);
		cr_assert((c < 0) == (t < u) && (c == 0) == (t == u), "%lld %s vs %lld %s",
		          (long long)t, a, (long long)u, b);
		int64_t back;
		cr_assert_eq(fs_time_parse_rfc3339(a, strlen(a), &back), 0, "%s", a);
		cr_assert_eq(back, t, "%s", a);
		prev = t;
	}
	fs_time_format_fixed(-1, a, sizeof a);
	cr_expect_str_eq(a, "1969-12-31T23:59:59.999999999Z");
}
