/* test_window.c: every aggregation, its window edges, and a brute-force
 * cross-check of the running aggregates against the definition. */
#include <criterion/criterion.h>

#include "lib/state.h"
#include "lib/window.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S INT64_C(1000000000)
#define NA NAN

/* One event's values: slot 0 the number x (NaN: missing), slot 1 its text
 * for count_distinct, short ones kept in place and long ones allocated;
 * the prefix depends on the value only, so distinctness is kept. */
static void event_values(double x, char buf[64], struct fs_wval vals[2])
{
	memset(vals, 0, 2 * sizeof *vals);
	vals[0].present = !isnan(x);
	vals[0].d = x;
	if (isnan(x))
		return;
	vals[1].n = (size_t)snprintf(buf, 64, "%s%g", (long)floor(x) & 1 ? "a-long-prefix-" : "", x);
	vals[1].s = buf;
	vals[1].present = 1;
}

/* One feature over one numeric slot (and one text slot for count_distinct). */
static double *run(struct fs_wfeat f, const int64_t *t, const double *v, size_t n)
{
	unsigned char text[2] = {0, 1};
	struct fs_wspec ws = {.nfeat = 1, .feat = &f, .nslots = 2, .slot_text = text};
	if (f.agg == FS_AGG_COUNT_DISTINCT)
		f.slot = 1;
	struct fs_wkey *k = fs_wkey_new(&ws);
	double *out = calloc(n, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		struct fs_wval vals[2];
		event_values(v[i], buf, vals);
		fs_wkey_step(&ws, k, t[i], vals, &out[i]);
	}
	fs_wkey_free(&ws, k);
	return out;
}

static void expect_series(const char *what, const double *got, const double *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (isnan(want[i]))
			cr_expect(isnan(got[i]), "%s[%zu]: got %.17g, want null", what, i, got[i]);
		else
			cr_expect(fabs(got[i] - want[i]) <= 1e-12 * fmax(1, fabs(want[i])),
			          "%s[%zu]: got %.17g, want %.17g", what, i, got[i], want[i]);
	}
}

/* Times 0, 1800, 3600 (exactly 1h after the first), 3600 (a tie), 9000. */
static const int64_t T[] = {0, 1800 * S, 3600 * S, 3600 * S, 9000 * S};
static const double V[] = {1, 2, NA, 4, 8};
#define N 5
#define H (3600 * S)

static const struct {
	const char *name;
	struct fs_wfeat f;
	double want[N];
} cases[] = {
	{"count events 1h", {FS_AGG_COUNT, -1, H, 0, 0, 1}, {1, 2, 2, 3, 1}},
	{"count values 1h", {FS_AGG_COUNT, 0, H, 0, 0, 1}, {1, 2, 1, 2, 1}},
	{"sum 1h excludes exactly w old", {FS_AGG_SUM, 0, H, 0, 0, 1}, {1, 3, 2, 6, 8}},
	{"sum 1h before the event", {FS_AGG_SUM, 0, H, 0, 0, 0}, {0, 1, 2, 2, 0}},
	{"mean 1h", {FS_AGG_MEAN, 0, H, 0, 0, 1}, {1, 1.5, 2, 3, 8}},
	{"mean before, empty is null", {FS_AGG_MEAN, 0, H, 0, 0, 0}, {NA, 1, 2, 2, NA}},
	{"min 1h", {FS_AGG_MIN, 0, H, 0, 0, 1}, {1, 1, 2, 2, 8}},
	{"max 1h", {FS_AGG_MAX, 0, H, 0, 0, 1}, {1, 2, 2, 4, 8}},
	{"min whole history", {FS_AGG_MIN, 0, 0, 0, 0, 1}, {1, 1, 1, 1, 1}},
	{"max whole history", {FS_AGG_MAX, 0, 0, 0, 0, 1}, {1, 2, 2, 4, 8}},
	{"variance 1h, null below two values", {FS_AGG_VARIANCE, 0, H, 0, 0, 1}, {NA, 0.5, NA, 2, NA}},
	{"stddev whole history", {FS_AGG_STDDEV, 0, 0, 0, 0, 1},
	 {NA, 0.70710678118654757, 0.70710678118654757, 1.5275252316519468, 3.0956959368344519}},
	{"last 1h skips nulls", {FS_AGG_LAST, 0, H, 0, 0, 1}, {1, 2, 2, 4, 8}},
	{"last 1h before the event", {FS_AGG_LAST, 0, H, 0, 0, 0}, {NA, 1, 2, 2, NA}},
	{"lag 1", {FS_AGG_LAG, 0, 0, 0, 1, 1}, {NA, 1, 2, NA, 4}},
	{"lag 2", {FS_AGG_LAG, 0, 0, 0, 2, 1}, {NA, NA, 1, 2, NA}},
	{"lag 1 within 1h", {FS_AGG_LAG, 0, H, 0, 1, 1}, {NA, 1, 2, NA, NA}},
	{"time since last", {FS_AGG_TIME_SINCE_LAST, -1, 0, 0, 0, 1}, {NA, 1800, 1800, 0, 5400}},
	{"time since last within 1h", {FS_AGG_TIME_SINCE_LAST, -1, H, 0, 0, 1}, {NA, 1800, 1800, 0, NA}},
	{"count_distinct 1h", {FS_AGG_COUNT_DISTINCT, 0, H, 0, 0, 1}, {1, 2, 1, 2, 1}},
	{"count_distinct whole history", {FS_AGG_COUNT_DISTINCT, 0, 0, 0, 0, 1}, {1, 2, 2, 3, 4}},
	/* weights 0.5^(dt/30m): at 1800 s the first value weighs 1/2; from 3600 s
	 * to 9000 s everything decays by three halflives, 1/8 */
	{"ewma halflife 30m", {FS_AGG_EWMA, 0, 0, 1800 * S, 0, 1},
	 {1, (0.5 * 1 + 2) / 1.5, (0.5 * 1 + 2) / 1.5, (0.25 * 1 + 0.5 * 2 + 4) / 1.75,
	  (0.125 * (0.25 * 1 + 0.5 * 2 + 4) + 8) / (0.125 * 1.75 + 1)}},
};

Test(window, aggregation_table)
{
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		double *got = run(cases[c].f, T, V, N);
		expect_series(cases[c].name, got, cases[c].want, N);
		free(got);
	}
}

Test(window, out_of_order_event_is_placed_at_the_key_time)
{
	const int64_t t[] = {3600 * S, 0, 5400 * S};
	const double v[] = {1, 2, 4};
	double *got = run((struct fs_wfeat){FS_AGG_SUM, 0, H, 0, 0, 1}, t, v, 3);
	/* the late event counts at 3600 s, so it is still inside the 1h window at 5400 s */
	expect_series("sum", got, (double[]){1, 3, 7}, 3);
	free(got);
	got = run((struct fs_wfeat){FS_AGG_TIME_SINCE_LAST, -1, 0, 0, 0, 1}, t, v, 3);
	expect_series("gap", got, (double[]){NA, 0, 1800}, 3);
	free(got);
}

Test(window, variance_forgets_large_values_that_left_the_window)
{
	/* A 1e7 value leaves the window; what remains must not inherit its
	 * rounding residue (exact sample variances of the doubles given). */
	const int64_t t[] = {0, 30 * S, 70 * S, 80 * S};
	const double v[] = {9985778.02, 0.01, 0.07, 0.03};
	double *got = run((struct fs_wfeat){FS_AGG_VARIANCE, 0, 60 * S, 0, 0, 1}, t, v, 4);
	cr_expect(fabs(got[2] - 0.0018000000000000004) <= 1e-15, "got %.17g", got[2]);
	cr_expect(fabs(got[3] - 0.00093333333333333364) <= 1e-15, "got %.17g", got[3]);
	free(got);
}

/* ---- brute force: the definition computed directly over all earlier events */

/* An aggregation by its definition, from the values in a window in input
 * order (missing ones are NaN); events counts the window's events. */
static double definition(enum fs_agg agg, const double *v, size_t nv, int count_events)
{
	double vals[4096], sum = 0, mn = INFINITY, mx = -INFINITY, last = NA;
	size_t n = 0;
	for (size_t j = 0; j < nv; j++) {
		if (isnan(v[j]))
			continue;
		vals[n++] = v[j];
		sum += v[j];
		mn = fmin(mn, v[j]);
		mx = fmax(mx, v[j]);
		last = v[j];
	}
	double mean = n ? sum / (double)n : NA, ss = 0;
	for (size_t k = 0; k < n; k++)
		ss += (vals[k] - mean) * (vals[k] - mean);
	size_t distinct = 0;
	for (size_t a = 0; a < n; a++) {
		int seen = 0;
		for (size_t b = 0; b < a; b++)
			seen |= vals[b] == vals[a];
		distinct += !seen;
	}
	switch (agg) {
	case FS_AGG_COUNT: return (double)(count_events ? nv : n);
	case FS_AGG_SUM: return sum;
	case FS_AGG_MEAN: return mean;
	case FS_AGG_MIN: return n ? mn : NA;
	case FS_AGG_MAX: return n ? mx : NA;
	case FS_AGG_VARIANCE: return n > 1 ? ss / (double)(n - 1) : NA;
	case FS_AGG_STDDEV: return n > 1 ? sqrt(ss / (double)(n - 1)) : NA;
	case FS_AGG_LAST: return last;
	case FS_AGG_COUNT_DISTINCT: return (double)distinct;
	default: return NA;
	}
}

static double brute(enum fs_agg agg, int64_t w, int inc, int lag, int64_t hl, const int64_t *t,
                    const double *v, size_t i)
{
	if (agg == FS_AGG_LAG) {
		if (i < (size_t)lag)
			return NA;
		size_t j = i - (size_t)lag;
		return w && t[j] <= t[i] - w ? NA : v[j];
	}
	if (agg == FS_AGG_TIME_SINCE_LAST)
		return i == 0 || (w && t[i - 1] <= t[i] - w) ? NA : (double)(t[i] - t[i - 1]) / 1e9;
	if (agg == FS_AGG_EWMA) {
		double num = 0, den = 0;
		for (size_t j = 0; j <= i; j++)
			if (!isnan(v[j])) {
				double wt = exp2(-(double)(t[i] - t[j]) / (double)hl);
				num += wt * v[j];
				den += wt;
			}
		return den ? num / den : NA;
	}
	double in[4096];
	size_t nin = 0;
	for (size_t j = 0; j < i + (inc ? 1 : 0); j++)
		if (!w || t[j] > t[i] - w)
			in[nin++] = v[j];
	return definition(agg, in, nin, 0);
}

Test(window, running_aggregates_equal_the_definition_on_random_streams)
{
	enum { LEN = 1500 };
	static int64_t t[LEN];
	static double v[LEN];
	uint64_t s = 7;
	for (int round = 0; round < 40; round++) {
		int64_t now = 0;
		for (size_t i = 0; i < LEN; i++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			now += (int64_t)((s >> 40) % 4) * 10 * S;  /* steps of 0, 10, 20, 30 s: many ties */
			t[i] = now;
			int r = (int)((s >> 20) % 100);
			v[i] = r < 10 ? NA : (double)((s >> 45) % 1000) / 8.0 - 40;
		}
		int64_t w = (int64_t)(1 + round % 7) * 60 * S;
		for (enum fs_agg a = 0; a < FS_AGG_N; a++) {
			struct fs_wfeat f = {a, a == FS_AGG_TIME_SINCE_LAST ? -1 : 0,
			                     a == FS_AGG_EWMA ? 0 : (round % 3 ? w : 0), 90 * S,
			                     1 + round % 3, round % 2};
			if (a == FS_AGG_LAG || a == FS_AGG_TIME_SINCE_LAST || a == FS_AGG_EWMA)
				f.include_current = 1;
			double *got = run(f, t, v, LEN);
			for (size_t i = 0; i < LEN; i++) {
				double want = brute(a, f.window, f.include_current, f.lag, f.halflife, t, v, i);
				if (isnan(want))
					cr_assert(isnan(got[i]), "%s round %d event %zu: got %.17g, want null",
					          fs_agg_name(a), round, i, got[i]);
				else
					cr_assert(fabs(got[i] - want) <= 1e-9 * fmax(1, fabs(want)),
					          "%s round %d event %zu: got %.17g, want %.17g", fs_agg_name(a),
					          round, i, got[i], want);
			}
			free(got);
		}
	}
}

Test(window, agg_names_round_trip)
{
	for (enum fs_agg a = 0; a < FS_AGG_N; a++) {
		enum fs_agg b;
		cr_expect_eq(fs_agg_parse(fs_agg_name(a), &b), 0);
		cr_expect_eq(a, b);
	}
	enum fs_agg x;
	cr_expect_eq(fs_agg_parse("median", &x), -1);
}

/* ---- bucketed windows: the definition, directly */

static int64_t floor_div(int64_t t, int64_t b)
{
	return t / b - (t % b < 0);
}

Test(window, bucketed_windows_equal_their_definition_on_random_streams)
{
	enum { LEN = 1200 };
	static int64_t t[LEN];
	static double v[LEN];
	const enum fs_agg aggs[] = {FS_AGG_COUNT, FS_AGG_SUM, FS_AGG_MEAN, FS_AGG_MIN, FS_AGG_MAX,
	                            FS_AGG_VARIANCE, FS_AGG_STDDEV, FS_AGG_LAST, FS_AGG_COUNT_DISTINCT};
	uint64_t s = 99;
	for (int round = 0; round < 30; round++) {
		int64_t now = -500 * S;  /* also before the epoch: buckets floor, never truncate */
		for (size_t i = 0; i < LEN; i++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			now += (int64_t)((s >> 40) % 5) * 7 * S;
			t[i] = now;
			v[i] = (s >> 20) % 100 < 10 ? NA : (double)((s >> 45) % 64) / 4.0 - 5;
		}
		int64_t b = (int64_t)(10 + round % 4 * 20) * S, w = b * (1 + round % 5);
		for (size_t a = 0; a < sizeof aggs / sizeof aggs[0]; a++) {
			struct fs_wfeat f = {aggs[a], round % 3 == 0 && aggs[a] == FS_AGG_COUNT ? -1 : 0, w,
			                     0, 0, round % 2, b};
			double *got = run(f, t, v, LEN);
			for (size_t i = 0; i < LEN; i++) {
				/* the events j up to i (before i without the event) whose bucket is one of
				 * the w/b buckets ending with t[i]'s; t[] never decreases here */
				int64_t lo = floor_div(t[i], b) - w / b + 1;
				double in[LEN];
				size_t nin = 0;
				for (size_t j = 0; j < i + (f.include_current ? 1 : 0); j++)
					if (floor_div(t[j], b) >= lo)
						in[nin++] = v[j];
				double want = definition(aggs[a], in, nin, f.slot < 0);
				if (isnan(want))
					cr_assert(isnan(got[i]), "bucketed %s round %d event %zu: got %.17g, want null",
					          fs_agg_name(aggs[a]), round, i, got[i]);
				else
					cr_assert(fabs(got[i] - want) <= 1e-9 * fmax(1, fabs(want)),
					          "bucketed %s round %d event %zu: got %.17g, want %.17g",
					          fs_agg_name(aggs[a]), round, i, got[i], want);
			}
			free(got);
		}
	}
}

Test(window, bucketed_features_sharing_a_family_equal_each_alone)
{
	enum { LEN = 1500 };
	static int64_t t[LEN];
	static double v[LEN];
	uint64_t s = 3;
	int64_t now = 0;
	for (size_t i = 0; i < LEN; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		now += (int64_t)((s >> 40) % 5) * 9 * S;
		t[i] = now;
		v[i] = (s >> 20) % 100 < 15 ? NA : (double)((s >> 45) % 64) / 4.0 - 5;
	}
	/* every bucketed aggregation in one family (same bucket and window),
	 * count both of events and of values, one with include_current false */
	struct fs_wfeat fam[] = {
		{FS_AGG_MAX, 0, 300 * S, 0, 0, 1, 60 * S}, {FS_AGG_COUNT, -1, 300 * S, 0, 0, 1, 60 * S},
		{FS_AGG_SUM, 0, 300 * S, 0, 0, 1, 60 * S}, {FS_AGG_COUNT, 0, 300 * S, 0, 0, 1, 60 * S},
		{FS_AGG_MEAN, 0, 300 * S, 0, 0, 0, 60 * S}, {FS_AGG_STDDEV, 0, 300 * S, 0, 0, 1, 60 * S},
		{FS_AGG_MIN, 0, 300 * S, 0, 0, 1, 60 * S}, {FS_AGG_LAST, 0, 300 * S, 0, 0, 1, 60 * S},
		{FS_AGG_COUNT_DISTINCT, 1, 300 * S, 0, 0, 1, 60 * S},
		{FS_AGG_VARIANCE, 0, 300 * S, 0, 0, 1, 60 * S},
	};
	size_t nf = sizeof fam / sizeof fam[0];
	unsigned char text[2] = {0, 1};
	struct fs_wspec ws = {.nfeat = nf, .feat = fam, .nslots = 2, .slot_text = text};
	struct fs_wkey *k = fs_wkey_new(&ws);
	double *alone[16], out[16];
	for (size_t f = 0; f < nf; f++)
		alone[f] = run(fam[f], t, v, LEN);
	for (size_t i = 0; i < LEN; i++) {
		char buf[64];
		struct fs_wval vals[2];
		event_values(v[i], buf, vals);
		fs_wkey_step(&ws, k, t[i], vals, out);
		for (size_t f = 0; f < nf; f++)
			cr_assert(memcmp(&out[f], &alone[f][i], sizeof out[f]) == 0 ||
			          (isnan(out[f]) && isnan(alone[f][i])),
			          "event %zu %s: %.17g in the family, %.17g alone", i,
			          fs_agg_name(fam[f].agg), out[f], alone[f][i]);
	}
	for (size_t f = 0; f < nf; f++)
		free(alone[f]);
	fs_wkey_free(&ws, k);
}

/* ---- state: a key saved and restored mid-stream goes on exactly */

Test(window, a_key_saved_and_restored_continues_bit_for_bit)
{
	enum { LEN = 2000, HALF = 1234 };
	static int64_t t[LEN];
	static double v[LEN];
	uint64_t s = 5;
	int64_t now = 0;
	for (size_t i = 0; i < LEN; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		now += (int64_t)((s >> 40) % 4) * 10 * S;
		t[i] = now;
		v[i] = (s >> 20) % 100 < 10 ? NA : (double)((s >> 45) % 1000) / 8.0 - 40;
	}
	/* every aggregation, windowed, whole history and bucketed, in one spec */
	struct fs_wfeat feats[64];
	size_t nf = 0;
	for (enum fs_agg a = 0; a < FS_AGG_N; a++) {
		int slot = a == FS_AGG_TIME_SINCE_LAST ? -1 : a == FS_AGG_COUNT_DISTINCT ? 1 : 0;
		feats[nf++] = (struct fs_wfeat){a, slot, 0, 90 * S, 2, 1, 0};
		if (a != FS_AGG_EWMA)
			feats[nf++] = (struct fs_wfeat){a, slot, 5 * 60 * S, 0, 1, a % 2, 0};
		if (a != FS_AGG_EWMA && a != FS_AGG_LAG && a != FS_AGG_TIME_SINCE_LAST)
			feats[nf++] = (struct fs_wfeat){a, slot, 6 * 60 * S, 0, 0, 1, 60 * S};
	}
	unsigned char text[2] = {0, 1};
	struct fs_wspec ws = {.nfeat = nf, .feat = feats, .nslots = 2, .slot_text = text};
	struct fs_wkey *once = fs_wkey_new(&ws), *twice = fs_wkey_new(&ws);
	double a[64], b[64];
	for (size_t i = 0; i < LEN; i++) {
		char buf[64];
		struct fs_wval vals[2];
		event_values(v[i], buf, vals);
		if (i == HALF) {
			struct fs_buf saved = {0};
			fs_wkey_save(&ws, twice, &saved);
			fs_wkey_free(&ws, twice);
			struct fs_rd r = {(unsigned char *)saved.p, (unsigned char *)saved.p + saved.len, 1};
			twice = fs_wkey_load(&ws, &r);
			cr_assert_not_null(twice);
			cr_assert(r.ok && r.p == r.end, "the whole key is read back");
			fs_buf_free(&saved);
		}
		fs_wkey_step(&ws, once, t[i], vals, a);
		fs_wkey_step(&ws, twice, t[i], vals, b);
		for (size_t f = 0; f < nf; f++)
			cr_assert(memcmp(&a[f], &b[f], sizeof a[f]) == 0 || (isnan(a[f]) && isnan(b[f])),
			          "event %zu feature %zu (%s): %.17g vs %.17g after restore", i, f,
			          fs_agg_name(feats[f].agg), a[f], b[f]);
	}
	fs_wkey_free(&ws, once);
	fs_wkey_free(&ws, twice);
}
