/* test_model.c: models as their training libraries evaluate them. */
#include <criterion/criterion.h>

#include "lib/json.h"
#include "lib/model.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One XGBoost 1.x model: trees given as JSON fragments. */
static struct fs_model *xgb(const char *objective, const char *base, const char *nclass,
                            const char *trees, const char *tree_info, const char *booster_extra)
{
	char doc[8192];
	snprintf(doc, sizeof doc,
	         "{\"learner\":{\"attributes\":{},\"feature_names\":[\"a\",\"b\"],"
	         "\"feature_types\":[\"float\",\"c\"],"
	         "\"gradient_booster\":{%s\"model\":{\"gbtree_model_param\":{\"num_trees\":\"1\"},"
	         "\"tree_info\":%s,\"trees\":[%s]},\"name\":\"gbtree\"},"
	         "\"learner_model_param\":{\"base_score\":\"%s\",\"num_class\":\"%s\","
	         "\"num_feature\":\"2\",\"num_target\":\"1\"},"
	         "\"objective\":{\"name\":\"%s\"}},\"version\":[1,7,4]}",
	         booster_extra, tree_info, trees, base, nclass, objective);
	char err[512];
	struct fs_model *m = fs_model_parse("test.json", doc, strlen(doc), err, sizeof err);
	cr_assert(m, "model does not load: %s", err);
	return m;
}

/* a < 10 (missing: left) ? -1 : 2 */
#define STUMP(cond, dl, l, r) \
	"{\"left_children\":[1,-1,-1],\"right_children\":[2,-1,-1],\"split_indices\":[0,0,0]," \
	"\"split_conditions\":[" cond "," l "," r "],\"default_left\":[" dl ",0,0]," \
	"\"split_type\":[0,0,0],\"categories\":[],\"categories_nodes\":[]," \
	"\"categories_segments\":[],\"categories_sizes\":[]," \
	"\"tree_param\":{\"num_nodes\":\"3\",\"size_leaf_vector\":\"0\"}}"

static double score(struct fs_model *m, double a, double b)
{
	double x[2] = {a, b}, out[8];
	char err[8];
	cr_assert_eq(fs_model_predict(m, 1, 1, x, NULL, out, NULL, err, sizeof err), 0);
	return out[0];
}

Test(model, value_equal_to_threshold_goes_right)
{
	struct fs_model *m = xgb("reg:squarederror", "0", "0", STUMP("10", "1", "-1", "2"), "[0]", "");
	cr_assert_eq(score(m, 9.999, 0), -1);
	cr_assert_eq(score(m, 10, 0), 2);
	cr_assert_eq(score(m, 11, 0), 2);
	/* features are compared as float: 10.0000001 rounds to 10 */
	cr_assert_eq(score(m, 9.99999999, 0), 2);
	fs_model_free(m);
}

Test(model, missing_value_follows_default_left)
{
	struct fs_model *l = xgb("reg:squarederror", "0", "0", STUMP("10", "1", "-1", "2"), "[0]", "");
	struct fs_model *r = xgb("reg:squarederror", "0", "0", STUMP("10", "0", "-1", "2"), "[0]", "");
	cr_assert_eq(score(l, NAN, 0), -1);
	cr_assert_eq(score(r, NAN, 0), 2);
	fs_model_free(l);
	fs_model_free(r);
}

Test(model, base_score_is_a_probability_except_for_logitraw)
{
	struct fs_model *m = xgb("binary:logistic", "2.5E-1", "0", STUMP("10", "1", "0", "0"), "[0]", "");
	/* margin logit(0.25) + 0, then the sigmoid: 0.25 back, in float */
	cr_assert_float_eq(score(m, 1, 0), 0.25, 1e-7);
	fs_model_free(m);
	m = xgb("binary:logitraw", "2.5E-1", "0", STUMP("10", "1", "0.5", "0"), "[0]", "");
	cr_assert_float_eq(score(m, 1, 0), 0.75, 1e-7);
	fs_model_free(m);
	m = xgb("count:poisson", "2E0", "0", STUMP("10", "1", "0", "1"), "[0]", "");
	cr_assert_float_eq(score(m, 11, 0), 2 * M_E, 1e-5);
	fs_model_free(m);
}

Test(model, dart_weights_multiply_each_tree_leaf)
{
	const char *trees = STUMP("10", "1", "-1", "2") "," STUMP("10", "1", "4", "8");
	char doc[8192];
	snprintf(doc, sizeof doc,
	         "{\"learner\":{\"feature_names\":[\"a\",\"b\"],\"gradient_booster\":{\"name\":\"dart\","
	         "\"gbtree\":{\"name\":\"gbtree\",\"model\":{\"tree_info\":[0,0],\"trees\":[%s]}},"
	         "\"weight_drop\":[0.5,0.25]},\"learner_model_param\":{\"base_score\":\"1E0\","
	         "\"num_class\":\"0\",\"num_feature\":\"2\"},\"objective\":{\"name\":\"reg:squarederror\"}},"
	         "\"version\":[1,7,4]}", trees);
	char err[512];
	struct fs_model *m = fs_model_parse("dart.json", doc, strlen(doc), err, sizeof err);
	cr_assert(m, "%s", err);
	cr_assert_eq(score(m, 1, 0), 1 + -1 * 0.5 + 4 * 0.25);
	cr_assert_eq(score(m, 20, 0), 1 + 2 * 0.5 + 8 * 0.25);
	fs_model_free(m);
}

Test(model, categorical_codes_in_the_set_go_right)
{
	/* split on feature b (a category): codes 1 and 4 go right */
	const char *tree =
		"{\"left_children\":[1,-1,-1],\"right_children\":[2,-1,-1],\"split_indices\":[1,0,0],"
		"\"split_conditions\":[NaN,-1,2],\"default_left\":[0,0,0],\"split_type\":[1,0,0],"
		"\"categories\":[4,1],\"categories_nodes\":[0],\"categories_segments\":[0],"
		"\"categories_sizes\":[2],\"tree_param\":{\"num_nodes\":\"3\",\"size_leaf_vector\":\"0\"}}";
	struct fs_model *m = xgb("reg:squarederror", "0", "0", tree, "[0]", "");
	cr_assert_eq(score(m, 0, 1), 2);
	cr_assert_eq(score(m, 0, 4), 2);
	cr_assert_eq(score(m, 0, 4.7), 2);   /* truncated to 4 */
	cr_assert_eq(score(m, 0, 0), -1);
	cr_assert_eq(score(m, 0, 2), -1);
	cr_assert_eq(score(m, 0, 99), -1);   /* beyond the set */
	cr_assert_eq(score(m, 0, -1), -1);   /* invalid */
	cr_assert_eq(score(m, 0, NAN), 2);   /* missing: default_left 0 */
	fs_model_free(m);
}

Test(model, multiclass_softmax_and_vector_base_score)
{
	const char *trees = STUMP("10", "1", "1", "0") "," STUMP("10", "1", "0", "1") "," STUMP("10", "1", "0", "0");
	struct fs_model *m = xgb("multi:softprob", "[0E0,0E0,1E0]", "3", trees, "[0,1,2]", "");
	double x[2] = {1, 0}, out[3];
	int cls;
	char err[8];
	cr_assert_eq(fs_model_predict(m, 1, 1, x, NULL, out, &cls, err, sizeof err), 0);
	/* margins 1, 0, 1: the first of equals wins */
	cr_assert_eq(cls, 0);
	cr_assert_float_eq(out[0], out[2], 1e-7);
	cr_assert_float_eq(out[0] + out[1] + out[2], 1, 1e-6);
	cr_assert_float_eq(out[0] / out[1], M_E, 1e-5);
	fs_model_free(m);
}

Test(model, linear_missing_takes_impute_else_centre)
{
	const char *doc = "{\"format\":\"fstools-linear\",\"version\":1,\"link\":\"identity\","
	                  "\"intercept\":1,\"weights\":{\"a\":2,\"b\":3},\"center\":{\"a\":10},"
	                  "\"scale\":{\"a\":4},\"impute\":{\"b\":5}}";
	char err[512];
	struct fs_model *m = fs_model_parse("lin.json", doc, strlen(doc), err, sizeof err);
	cr_assert(m, "%s", err);
	cr_assert_eq(score(m, 14, 1), 1 + 2 * 1.0 + 3 * 1);
	cr_assert_eq(score(m, NAN, 1), 1 + 3 * 1);       /* a at its centre */
	cr_assert_eq(score(m, 14, NAN), 1 + 2 + 3 * 5);  /* b imputed */
	fs_model_free(m);
}

Test(model, bad_files_name_the_cause)
{
	static const struct {
		const char *doc, *want;
	} bad[] = {
		{"", "empty file"},
		{"{\"learner\":", "invalid JSON"},
		{"{\"weights\":[1]}", "unknown model format"},
		{"binf\0\1\2", "not a JSON model"},
		{"{\"format\":\"fstools-linear\",\"version\":2}", "\"version\" must be 1"},
		{"{\"learner\":{\"learner_model_param\":{\"num_feature\":\"2\",\"base_score\":\"5E-1\"},"
		 "\"objective\":{\"name\":\"rank:ndcg\"}}}", "objective \"rank:ndcg\" is not supported"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[512];
		size_t n = i == 3 ? 7 : strlen(bad[i].doc);
		struct fs_model *m = fs_model_parse("m.json", bad[i].doc, n, err, sizeof err);
		cr_assert_null(m);
		cr_assert(strstr(err, bad[i].want) && !strncmp(err, "m.json: ", 8),
		          "case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].want);
	}
}

Test(model, shortest_float_reads_back_and_is_shortest)
{
	uint32_t r = 12345;
	for (int i = 0; i < 200000; i++) {
		r = r * 1664525u + 1013904223u;
		uint32_t bits = r;
		float f;
		memcpy(&f, &bits, sizeof f);
		if (!isfinite(f))
			continue;
		char out[FS_DBL_MAX];
		fs_fmt_float(out, f);
		cr_assert_eq(strtof(out, NULL), f, "%s does not read back as %a", out, (double)f);
		/* no %.*g form with fewer significant digits reads back */
		char sig[40];
		int digits = 0;
		for (const char *s = out; *s && *s != 'e'; s++)
			if ((*s >= '1' && *s <= '9') || (*s == '0' && digits))
				sig[digits++] = *s;
		while (digits > 1 && sig[digits - 1] == '0')
			digits--;
		for (int p = 1; p < digits && fabsf(f) >= 1e-30f && fabsf(f) < 1e30f; p++) {
			char tmp[512];
			snprintf(tmp, sizeof tmp, "%.*g", p, (double)f);
			cr_assert(strtof(tmp, NULL) != f, "%s is not shortest: %s reads back too", out, tmp);
		}
		cr_assert_eq(fs_float_from_shortest(strtod(out, NULL)), f);
	}
}

Test(model, decimal_rounds_as_strtod)
{
	uint64_t r = 99;
	for (int i = 0; i < 300000; i++) {
		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		char s[64];
		int n;
		switch (r % 4) {
		case 0: n = snprintf(s, sizeof s, "%llu", (unsigned long long)(r >> 20)); break;
		case 1: n = snprintf(s, sizeof s, "-%llu.%06llu", (unsigned long long)(r >> 40),
		                     (unsigned long long)(r % 1000000)); break;
		case 2: n = snprintf(s, sizeof s, "%llue%d", (unsigned long long)(r >> 44),
		                     (int)(r % 60) - 30); break;
		case 3: n = snprintf(s, sizeof s, "0.%017llu", (unsigned long long)(r >> 8)); break;
		}
		if (i % 3 == 0) {
			/* the shortest form of a random double, as fsfeat writes them */
			double x;
			uint64_t bits = r >> 2 | 0x3000000000000000ULL;
			memcpy(&x, &bits, sizeof x);
			x = ldexp(x, (int)(r % 200) - 100);
			n = snprintf(s, sizeof s, "%.17g", x);
		}
		double want = strtod(s, NULL), got = fs_decimal(s, (size_t)n);
		cr_assert(memcmp(&want, &got, sizeof got) == 0, "%s: %a, strtod %a", s, got, want);
	}
}

/* ---- TorchScript files (tests/torch/data, from make_fixtures.py) */

static char *fixture(const char *name)
{
	const char *top = getenv("top_srcdir");
	static char path[4096];
	snprintf(path, sizeof path, "%s/tests/torch/data/%s", top ? top : ".", name);
	return path;
}

Test(model, binary_files_that_are_not_torchscript_say_what_they_are)
{
	static const struct {
		const char *file, *says;
	} cases[] = {
		{"model.pkl", "a Python pickle"},
		{"weights.pt", "a torch.save() file"},
		{"notes.zip", "a zip archive, but not a TorchScript model"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char err[768];
		int status;
		struct fs_model *m = fs_model_load(fixture(cases[i].file), NULL, 0, err, sizeof err,
		                                   &status);
		cr_assert_null(m, "%s loads", cases[i].file);
		cr_assert_eq(status, 65);
		cr_assert(strstr(err, cases[i].says), "%s: %s", cases[i].file, err);
	}
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "%s", path);
	char *p = malloc(1 << 20);
	*n = fread(p, 1, 1 << 20, f);
	fclose(f);
	return p;
}

Test(model, a_cut_zip_is_named_truncated_and_torchscript_bytes_need_their_file)
{
	size_t n;
	char *p = slurp(fixture("mlp.pt"), &n);
	char err[768];
	cr_assert_null(fs_model_parse("cut.pt", p, n / 2, err, sizeof err));
	cr_assert(strstr(err, "cut.pt: a zip archive that ends early: a truncated TorchScript file"),
	          "%s", err);
	cr_assert_null(fs_model_parse("mlp.pt", p, n, err, sizeof err));
	cr_assert(strstr(err, "a TorchScript model: load it from its file"), "%s", err);
	free(p);
}

#ifdef HAVE_LIBTORCH
/* A padded pass gives each row the result of a full pass of that size,
 * whatever the rows beside it (the rule fsscore --batch stands on). */
Test(model, torchscript_rows_padded_to_a_pass_score_as_in_a_full_pass)
{
	char err[768];
	int status;
	struct fs_model *m = fs_model_load(fixture("mlp.pt"), NULL, 0, err, sizeof err, &status);
	cr_assert(m, "%s", err);
	cr_assert_eq(fs_model_nfeatures(m), 3);
	cr_assert_eq(fs_model_noutputs(m), 1);
	cr_assert(fs_model_is_torch(m));
	enum { N = 32 };
	double x[N * 3], full[N], part[N];
	for (int i = 0; i < N * 3; i++)
		x[i] = (i * 37 % 101) * 5.5 - 100;
	cr_assert_eq(fs_model_predict(m, N, N, x, NULL, full, NULL, err, sizeof err), 0, "%s",
	             err);
	for (int at = 0; at < N; at += 5) {
		int n = N - at < 5 ? N - at : 5;
		cr_assert_eq(fs_model_predict(m, (size_t)n, N, x + at * 3, NULL, part + at, NULL, err,
		                                   sizeof err), 0, "%s", err);
	}
	for (int i = 0; i < N; i++)
		cr_assert(full[i] == part[i], "row %d: %.17g in a full pass, %.17g padded", i, full[i],
		          part[i]);
	/* a missing value takes the sidecar's default (age: 40) */
	double row[3] = {100, 2, NAN}, with[3] = {100, 2, 40};
	cr_assert_eq(fs_model_fill(m, row), -1);
	cr_assert(row[2] == 40);
	double a, b;
	fs_model_predict(m, 1, 1, row, NULL, &a, NULL, err, sizeof err);
	fs_model_predict(m, 1, 1, with, NULL, &b, NULL, err, sizeof err);
	cr_assert(a == b);
	fs_model_free(m);
}
#endif
