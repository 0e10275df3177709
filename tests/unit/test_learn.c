/* test_learn.c: the learner's rules on examples small enough to do by hand. */
#include <criterion/criterion.h>

#include "lib/learn.h"
#include "lib/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct fs_learn_config ftrl = {.algo = FS_LEARN_FTRL, .squared = 0, .alpha = 0.1,
                                            .beta = 1, .bits = 18};

/* The expected values are scikit-learn's murmurhash3_32(s, seed=0, positive=True). */
Test(learn, feature_hash_is_murmur3_of_name_equals_value)
{
	cr_assert_eq(fs_feature_hash("merchant_id", 11, "m12", 3), 0xb100193cu);
	cr_assert_eq(fs_feature_hash("channel", 7, "pos", 3), 0xe3e8a8a3u);
	cr_assert_eq(fs_feature_hash("x", 1, "", 0), 0x3b88b22eu);
	cr_assert_eq(fs_feature_hash("", 0, "", 0), 0x0f64d19eu);
	cr_assert_eq(fs_feature_hash("colour", 6, "r\xc3\xa9" "d", 4), 0xb2af15d1u);
	char name[301];
	memset(name, 'a', 300);
	name[300] = '\0';
	cr_assert_eq(fs_feature_hash(name, 300, "b", 1), 0xcd4967acu);  /* past the stack buffer */
}

Test(learn, ftrl_first_step_by_hand)
{
	char *names[] = {"x"};
	struct fs_learner *l = fs_learner_new(&ftrl, names, 1, NULL, 0);
	double x = 2;
	double p = fs_learner_predict(l, &x, NULL);
	cr_assert_eq(p, 0.5);
	char why[256];
	cr_assert_eq(fs_learner_update(l, p, 1, why, sizeof why), 0);
	/* g = (0.5 - 1) * (1, 2); sigma = sqrt(g^2) / alpha; z = g; n = g^2;
	 * w = -z / ((beta + sqrt(n)) / alpha) */
	double wb = 0.5 / ((1 + 0.5) / 0.1), wx = 1.0 / ((1 + 1.0) / 0.1);
	double want = 1 / (1 + exp(-(wb + wx * 2)));
	cr_assert_float_eq(fs_learner_predict(l, &x, NULL), want, 1e-15);
	cr_assert_eq(fs_learner_examples(l), 1);
	fs_learner_free(l);
}

Test(learn, missing_input_is_not_learned_from)
{
	char *names[] = {"x", "y"};
	struct fs_learner *l = fs_learner_new(&ftrl, names, 2, NULL, 0);
	double x[2] = {NAN, 3};
	char why[256];
	for (int i = 0; i < 10; i++)
		fs_learner_update(l, fs_learner_predict(l, x, NULL), 1, why, sizeof why);
	/* only y and the intercept moved: with x = 1 and y = 0 the margin is w_b */
	double probe[2] = {1, 0}, bias_only[2] = {NAN, NAN};
	cr_assert_eq(fs_learner_predict(l, probe, NULL), fs_learner_predict(l, bias_only, NULL));
	fs_learner_free(l);
}

Test(learn, two_fields_in_one_bucket_count_twice)
{
	char *hashed[] = {"a", "b"};
	struct fs_learn_config one = ftrl;
	one.bits = 1;  /* two buckets: collisions are likely, and forced below */
	struct fs_learner *l = fs_learner_new(&one, NULL, 0, hashed, 2);
	int64_t h[2] = {4, 6};  /* both even: bucket 0 */
	char why[256];
	fs_learner_update(l, fs_learner_predict(l, NULL, h), 1, why, sizeof why);
	/* the bucket's input was 2: g = -1, n = 1, w = 1 / ((1 + 1) / 0.1) = 0.05,
	 * and it adds twice; the intercept: g = -0.5, w = 0.5 / 15 */
	double want = 1 / (1 + exp(-(0.5 / 15 + 2 * 0.05)));
	cr_assert_float_eq(fs_learner_predict(l, NULL, h), want, 1e-15);
	fs_learner_free(l);
}

Test(learn, divergence_is_reported_and_the_model_not_saved)
{
	char *names[] = {"x"};
	struct fs_learn_config sgd = {.algo = FS_LEARN_SGD, .squared = 1, .alpha = 1, .beta = 1,
	                              .bits = 18};
	struct fs_learner *l = fs_learner_new(&sgd, names, 1, NULL, 0);
	double x = 1e200;
	char why[256] = "", err[512] = "";
	int rc = 0;
	for (int i = 0; i < 5 && rc == 0; i++)
		rc = fs_learner_update(l, fs_learner_predict(l, &x, NULL), 1, why, sizeof why);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(why, "became"), "%s", why);
	cr_assert_eq(fs_learner_save(l, "/tmp/fstools-test-learn-never.json", err, sizeof err), -1);
	cr_assert(strstr(err, "not saved"), "%s", err);
	cr_assert(fopen("/tmp/fstools-test-learn-never.json", "r") == NULL);
	fs_learner_free(l);
}

Test(learn, progress_reports_at_doubling_counts_and_at_the_end)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fs_progress *p = fs_progress_new(0, 0, 100, NULL, f);
	for (int i = 0; i < 11; i++)
		fs_progress_add(p, 0.25, i % 2, "m", (uint64_t)i);
	fs_progress_finish(p);
	fs_progress_free(p);
	fclose(f);
	int lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	cr_assert_eq(lines, 5, "%s", buf);  /* 1, 2, 4, 8, and 11 at the end */
	cr_assert(strstr(buf, "\"labelled\":11,\"positives\":5"), "%s", buf);
	free(buf);
}
