/* test_infer.c: the V2 and TF Serving protocols read back what they write. */
#include <criterion/criterion.h>

#include "lib/infer.h"
#include "lib/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char linear[] =
	"{\"format\":\"fstools-linear\",\"version\":1,\"link\":\"logistic\",\"intercept\":-1.5,"
	"\"weights\":{\"amount\":0.02,\"count\":0.4,\"age\":-0.1}}";

static struct fs_model *m;
static struct fs_infer_model im;
static char err[1024];

static void setup(void)
{
	m = fs_model_parse("lin.json", linear, strlen(linear), err, sizeof err);
	cr_assert(m, "%s", err);
	fs_infer_model_init(&im, "lin", m, NULL);
}

static void teardown(void)
{
	fs_infer_model_free(&im);
	fs_model_free(m);
}

TestSuite(infer, .init = setup, .fini = teardown);

static int read_req(enum fs_proto p, const char *body, struct fs_infer_rows *rows)
{
	return fs_infer_read_request(p, &im, body, strlen(body), rows, err, sizeof err);
}

/* What the client writes, positionally or by name, in either protocol, the
 * server reads back as the same rows, null as missing. */
Test(infer, client_requests_read_back_as_the_same_rows)
{
	char *names[] = {"amount", "count", "age"};
	double x[] = {1.5, NAN, 3, 0.1, 1e300, -7};
	for (int p = 0; p < 2; p++)
		for (int named = 0; named < 2; named++) {
			struct fs_buf b = {0};
			fs_infer_write_request(&b, p ? FS_PROTO_TF : FS_PROTO_V2, named, names, 3, x, 2);
			struct fs_infer_rows rows;
			cr_assert_eq(fs_infer_read_request(p ? FS_PROTO_TF : FS_PROTO_V2, &im, b.p, b.len,
			                                   &rows, err, sizeof err), 0, "%s: %.*s", err,
			             (int)b.len, b.p);
			cr_assert_eq(rows.n, 2);
			for (int i = 0; i < 6; i++)
				cr_assert(isnan(x[i]) ? isnan(rows.x[i]) : rows.x[i] == x[i],
				          "value %d, protocol %d, named %d", i, p, named);
			fs_infer_rows_free(&rows);
			fs_buf_free(&b);
		}
}

Test(infer, named_inputs_not_sent_are_missing)
{
	struct fs_infer_rows rows;
	cr_assert_eq(read_req(FS_PROTO_V2, "{\"inputs\":[{\"name\":\"count\",\"shape\":[2,1],"
	                      "\"datatype\":\"INT64\",\"data\":[[4],[true]]}]}", &rows), 0, "%s", err);
	cr_assert(isnan(rows.x[0]) && rows.x[1] == 4 && isnan(rows.x[2]));
	cr_assert(isnan(rows.x[3]) && rows.x[4] == 1 && isnan(rows.x[5]));
	fs_infer_rows_free(&rows);
}

Test(infer, nested_data_reads_as_flat)
{
	struct fs_infer_rows rows;
	cr_assert_eq(read_req(FS_PROTO_V2, "{\"id\":\"r1\",\"inputs\":[{\"name\":\"input-0\","
	                      "\"shape\":[2,3],\"datatype\":\"FP32\",\"data\":[[1,2,3],[4,5,6]]}]}",
	                      &rows), 0, "%s", err);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(rows.x[i], i + 1);
	cr_assert_str_eq(rows.id, "r1");
	fs_infer_rows_free(&rows);
}

Test(infer, tf_columns_by_name)
{
	struct fs_infer_rows rows;
	cr_assert_eq(read_req(FS_PROTO_TF, "{\"inputs\":{\"age\":[30,40],\"amount\":[1,null]}}", &rows),
	             0, "%s", err);
	cr_assert(rows.tf_inputs);
	cr_assert(rows.x[0] == 1 && isnan(rows.x[1]) && rows.x[2] == 30);
	cr_assert(isnan(rows.x[3]) && isnan(rows.x[4]) && rows.x[5] == 40);
	fs_infer_rows_free(&rows);
}

/* Each malformed request is refused with the member that is wrong. */
Test(infer, malformed_requests_name_what_is_wrong)
{
	static const struct {
		int tf;
		const char *body, *says;
	} cases[] = {
		{0, "not json", "not JSON"},
		{0, "[1]", "must be a JSON object"},
		{0, "{\"inputs\":[]}", "non-empty array"},
		{0, "{\"inputs\":[{\"name\":\"amount\",\"shape\":[3],\"datatype\":\"FP64\",\"data\":[1,2]}]}",
		 "has 2 values; its shape needs 3"},
		{0, "{\"inputs\":[{\"name\":\"nope\",\"shape\":[1],\"datatype\":\"FP64\",\"data\":[1]}]}",
		 "\"nope\" is not an input of model lin (its inputs: amount, count, age)"},
		{0, "{\"inputs\":[{\"name\":\"amount\",\"shape\":[1],\"datatype\":\"FP64\",\"data\":[\"x\"]}]}",
		 "inputs[0].data[0] (amount) is \"x\", not a number"},
		{0, "{\"inputs\":[{\"name\":\"amount\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"1\"]}]}",
		 "is BYTES"},
		{0, "{\"inputs\":[{\"name\":\"amount\",\"shape\":[2],\"datatype\":\"FP64\",\"data\":[1,2]},"
		    "{\"name\":\"age\",\"shape\":[3],\"datatype\":\"FP64\",\"data\":[1,2,3]}]}",
		 "has 3 rows, inputs[0] 2"},
		{0, "{\"inputs\":[{\"name\":\"amount\",\"shape\":[1],\"datatype\":\"FP64\",\"data\":[1]}],"
		    "\"outputs\":[{\"name\":\"logits\"}]}", "no output \"logits\""},
		{0, "{\"inputs\":[{\"name\":\"x\",\"shape\":[16777216,3],\"datatype\":\"FP64\",\"data\":[]}]}",
		 "more than one request may hold"},
		{1, "{\"instances\":[[1,2]]}", "instances[0] has 2 values; model lin takes 3"},
		{1, "{\"instances\":[{\"amount\":1,\"zzz\":2}]}", "instances[0]: \"zzz\" is not an input"},
		{1, "{\"instances\":[1],\"inputs\":[1]}", "not both"},
		{1, "{\"inputs\":{\"amount\":[1,2],\"age\":[1]}}", "inputs.age has 1 values"},
		{1, "{}", "neither \"instances\" nor \"inputs\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fs_infer_rows rows;
		cr_assert_eq(read_req(cases[i].tf ? FS_PROTO_TF : FS_PROTO_V2, cases[i].body, &rows), -1,
		             "case %zu was taken", i);
		cr_assert(strstr(err, cases[i].says), "case %zu says \"%s\", not \"%s\"", i, err,
		          cases[i].says);
		fs_infer_rows_free(&rows);
	}
}

/* Scores the server writes are read back by the client exactly. */
Test(infer, answers_read_back_exactly)
{
	double out[] = {0.1, 1.0 / 3, 5e-324, 0.7109494805335999, 1, 0};
	int cls[] = {0, 0, 0, 0, 0, 0};
	for (int p = 0; p < 2; p++) {
		struct fs_infer_rows rows = {.n = 6, .want_score = 1};
		struct fs_buf b = {0};
		fs_infer_write_answer(&b, p ? FS_PROTO_TF : FS_PROTO_V2, &im, "lin.json@0123", &rows, out,
		                      cls);
		double *got = NULL;
		size_t k;
		char *version;
		cr_assert_eq(fs_infer_read_answer(p ? FS_PROTO_TF : FS_PROTO_V2, b.p, b.len, 6, &got, &k,
		                                  &version, err, sizeof err), 0, "%s", err);
		cr_assert_eq(k, 1);
		for (int i = 0; i < 6; i++)
			cr_assert_eq(got[i], out[i], "row %d", i);
		if (p)
			cr_assert_null(version);
		else
			cr_assert_str_eq(version, "lin.json@0123");
		free(got);
		free(version);
		fs_buf_free(&b);
	}
}

Test(infer, answers_of_the_wrong_size_are_refused)
{
	double *out = NULL;
	size_t k;
	char *version;
	const char *v2 = "{\"outputs\":[{\"name\":\"score\",\"shape\":[2],\"data\":[0.5]}]}";
	cr_assert_eq(fs_infer_read_answer(FS_PROTO_V2, v2, strlen(v2), 2, &out, &k, &version, err,
	                                  sizeof err), -1);
	const char *tf = "{\"predictions\":[0.5,[0.1,0.9]]}";
	cr_assert_eq(fs_infer_read_answer(FS_PROTO_TF, tf, strlen(tf), 2, &out, &k, &version, err,
	                                  sizeof err), -1);
	const char *multi = "{\"predictions\":[[0.2,0.8],[0.6,0.4]]}";
	cr_assert_eq(fs_infer_read_answer(FS_PROTO_TF, multi, strlen(multi), 2, &out, &k, &version,
	                                  err, sizeof err), 0, "%s", err);
	cr_assert(k == 2 && out[1] == 0.8 && out[2] == 0.6);
	free(out);
}

/* The metadata the server writes gives the client the model's inputs. */
Test(infer, metadata_names_the_inputs_in_order)
{
	for (int p = 0; p < 2; p++) {
		struct fs_buf b = {0};
		fs_infer_write_metadata(&b, p ? FS_PROTO_TF : FS_PROTO_V2, &im, "lin.json@0123",
		                        "fstools-linear");
		char **names;
		size_t n;
		int classes;
		cr_assert_eq(fs_infer_read_metadata(p ? FS_PROTO_TF : FS_PROTO_V2, b.p, b.len, &names, &n,
		                                    &classes, err, sizeof err), 0, "%s", err);
		cr_assert_eq(classes, 0, "a linear model has one score");
		cr_assert_eq(n, 3);
		cr_assert_str_eq(names[0], "amount");
		cr_assert_str_eq(names[2], "age");
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		fs_buf_free(&b);
	}
}
