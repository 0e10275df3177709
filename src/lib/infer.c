/* infer.c: the V2 and TF Serving inference protocols, both ways (see infer.h).
 *
 * Requests are parsed with jansson (a request is read once, whole) and
 * checked member by member, so that a 400 says which member is wrong and
 * why. Answers and requests are written straight into a buffer.
 */
#include "infer.h"
#include "cli.h"
#include "diag.h"
#include "json.h"
#include "model.h"
#include "record.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this many input values in one request (rows times inputs): a
 * small body must not make the server allocate gigabytes. */
#define MAX_VALUES ((size_t)1 << 24)

static int fail(char *err, size_t errsize, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -1;
}

/* Puts where the value is in front of put_value's message in err. */
static int located(char *err, size_t errsize, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int located(char *err, size_t errsize, const char *fmt, ...)
{
	char what[512], where[256];
	snprintf(what, sizeof what, "%s", err);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(where, sizeof where, fmt, ap);
	va_end(ap);
	snprintf(err, errsize, "%s %s", where, what);
	return -1;
}

/* Parses a body; integers too large for jansson's are read as reals. */
static json_t *load(const char *body, size_t n, char *err, size_t errsize)
{
	json_error_t e;
	json_t *root = json_loadb(body, n, 0, &e);
	if (!root) {
		json_error_t e2;
		root = json_loadb(body, n, JSON_DECODE_INT_AS_REAL, &e2);
	}
	if (!root)
		fail(err, errsize, "the body is not JSON: %s (at byte %d)", e.text, e.position);
	return root;
}

/* ------------------------------------------------------------ the model */

void fs_infer_model_init(struct fs_infer_model *im, const char *name, const struct fs_model *m,
                         char *const *names)
{
	memset(im, 0, sizeof *im);
	im->m = m;
	im->name = fs_xstrdup(name);
	im->nfeat = fs_model_nfeatures(m);
	im->nout = fs_model_noutputs(m);
	im->multiclass = fs_model_task(m) == FS_TASK_MULTICLASS;
	char **f = fs_xcalloc(im->nfeat + 1, sizeof *f);
	for (size_t i = 0; i < im->nfeat; i++) {
		const char *n = names ? names[i] : fs_model_feature(m, i);
		if (n) {
			f[i] = fs_xstrdup(n);
		} else {
			f[i] = fs_xmalloc(24);
			snprintf(f[i], 24, "f%zu", i);  /* XGBoost's name for an unnamed feature */
		}
	}
	im->features = (const char *const *)f;
	const struct fs_linear *lin = fs_model_linear(m);
	if (lin && lin->nhashed) {
		im->nhashed = lin->nhashed;
		im->hashed = (const char *const *)lin->hashed;
	}
	int created;
	for (size_t i = 0; i < im->nfeat; i++)
		fs_hmap_upsert(&im->inputs, f[i], strlen(f[i]), fs_hash(f[i], strlen(f[i])),
		               &created)->v.u = i + 1;
	for (size_t i = 0; i < im->nhashed; i++) {
		const char *h = im->hashed[i];
		fs_hmap_upsert(&im->inputs, h, strlen(h), fs_hash(h, strlen(h)), &created)->v.u =
			(uint64_t)-(int64_t)(i + 1);
	}
}

void fs_infer_model_free(struct fs_infer_model *im)
{
	free(im->name);
	for (size_t i = 0; i < im->nfeat; i++)
		free((char *)im->features[i]);
	free((void *)im->features);
	fs_hmap_free(&im->inputs);
}

/* The input named k: 1 + feature index, -(1 + hashed index), or 0. */
static int64_t input_of(const struct fs_infer_model *im, const char *k, size_t kl)
{
	struct fs_hent *e = fs_hmap_find(&im->inputs, k, kl, fs_hash(k, kl));
	return e ? (int64_t)e->v.u : 0;
}

/* "a, b, c" (the first few) for messages. */
static void list_inputs(const struct fs_infer_model *im, char *s, size_t size)
{
	size_t at = 0;
	s[0] = 0;
	for (size_t i = 0; i < im->nfeat + im->nhashed && at + 1 < size; i++) {
		const char *n = i < im->nfeat ? im->features[i] : im->hashed[i - im->nfeat];
		if (i == 8) {
			snprintf(s + at, size - at, ", ... (%zu in all)", im->nfeat + im->nhashed);
			return;
		}
		at += (size_t)snprintf(s + at, size - at, "%s%s", i ? ", " : "", n);
	}
}

/* ------------------------------------------------------------ requests, read */

/* A value as a short text for messages (into s: jansson's own allocator may
 * be the loop's arena, so nothing is allocated here). */
static const char *shown(const json_t *v, char *s, size_t size)
{
	size_t n = json_dumpb(v, s, size - 1, JSON_ENCODE_ANY | JSON_COMPACT);
	if (n == 0)
		snprintf(s, size, "?");
	else if (n > size - 1 && size > 4)
		memcpy(s + size - 4, "...", 4);
	else
		s[n] = 0;
	return s;
}

/* Sets input `in` of row r from v. A message about v says what is wrong
 * with it; the caller puts where it is in front (located): building that
 * text for every value would cost a quarter of the server's time. */
static int put_value(const struct fs_infer_model *im, struct fs_infer_rows *rows, size_t r,
                     int64_t in, const json_t *v, struct fs_buf *text,
                     char *err, size_t errsize)
{
	char s[64];
	if (in > 0) {
		double d;
		switch (fs_feature_number(v, &d)) {
		case FS_NUM_OK:
			rows->x[r * im->nfeat + (size_t)(in - 1)] = d;
			return 0;
		case FS_NUM_MISSING:
			return 0;
		default:
			return fail(err, errsize, "is %s, not a number (send null for a missing value)",
			            shown(v, s, sizeof s));
		}
	}
	size_t k = (size_t)(-in - 1);
	if (json_is_null(v))
		return 0;
	text->len = 0;
	if (fs_value_text(v, text) < 0)
		return fail(err, errsize, "is %s, not a string or a number (hashed field %s)",
		            shown(v, s, sizeof s), im->hashed[k]);
	const char *path = im->hashed[k];
	rows->h[r * im->nhashed + k] = fs_feature_hash(path, strlen(path), text->p, text->len);
	return 0;
}

static int alloc_rows(const struct fs_infer_model *im, struct fs_infer_rows *rows, size_t n,
                      char *err, size_t errsize)
{
	size_t per = im->nfeat + im->nhashed + 1;
	if (n > MAX_VALUES / per)
		return fail(err, errsize, "%zu rows of %zu inputs are more than one request may hold "
		            "(%zu values): send smaller batches", n, per - 1, MAX_VALUES);
	rows->n = n;
	rows->x = fs_xmalloc((n * im->nfeat + 1) * sizeof *rows->x);
	for (size_t i = 0; i < n * im->nfeat; i++)
		rows->x[i] = NAN;
	rows->h = fs_xmalloc((n * im->nhashed + 1) * sizeof *rows->h);
	for (size_t i = 0; i < n * im->nhashed; i++)
		rows->h[i] = -1;
	return 0;
}

/* The leaves of a (nested) array, in order, appended to *v. */
static void flatten(const json_t *a, const json_t ***v, size_t *n, size_t *cap)
{
	size_t i;
	const json_t *e;
	json_array_foreach(a, i, e) {
		if (json_is_array(e)) {
			flatten(e, v, n, cap);
			continue;
		}
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*v = fs_xrealloc(*v, *cap * sizeof **v);
		}
		(*v)[(*n)++] = e;
	}
}

static int known_datatype(const char *dt)
{
	static const char *const known[] = {"BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8",
	                                     "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(dt, known[i]))
			return 1;
	return 0;
}

static int read_v2(const struct fs_infer_model *im, const json_t *root, struct fs_infer_rows *rows,
                   struct fs_buf *text, char *err, size_t errsize)
{
	const json_t *id = json_object_get(root, "id");
	if (id && !json_is_string(id))
		return fail(err, errsize, "\"id\" must be a string");
	if (id)
		rows->id = fs_xstrdup(json_string_value(id));
	rows->want_score = rows->want_class = 1;
	const json_t *outs = json_object_get(root, "outputs");
	if (outs) {
		if (!json_is_array(outs))
			return fail(err, errsize, "\"outputs\" must be an array of {\"name\": ...}");
		rows->want_score = rows->want_class = 0;
		size_t i;
		const json_t *o;
		json_array_foreach(outs, i, o) {
			const char *name = json_string_value(json_object_get(o, "name"));
			if (!name)
				return fail(err, errsize, "outputs[%zu] has no \"name\"", i);
			if (!strcmp(name, im->nout > 1 ? "scores" : "score"))
				rows->want_score = 1;
			else if (im->multiclass && !strcmp(name, "class"))
				rows->want_class = 1;
			else
				return fail(err, errsize, "outputs[%zu]: model %s has no output \"%s\" (it has %s)",
				            i, im->name, name, im->multiclass ? "scores, class" :
				            im->nout > 1 ? "scores" : "score");
		}
	}
	const json_t *inputs = json_object_get(root, "inputs");
	if (!json_is_array(inputs) || !json_array_size(inputs))
		return fail(err, errsize, "\"inputs\" must be a non-empty array of tensors "
		            "({\"name\", \"shape\", \"datatype\", \"data\"})");
	size_t nt = json_array_size(inputs);
	/* first the shapes: the rows, and which form */
	size_t n = 0, positional = 0;
	for (size_t t = 0; t < nt; t++) {
		const json_t *ten = json_array_get(inputs, t);
		const char *name = json_string_value(json_object_get(ten, "name"));
		const json_t *shape = json_object_get(ten, "shape");
		const char *dt = json_string_value(json_object_get(ten, "datatype"));
		if (!json_is_object(ten) || !name)
			return fail(err, errsize, "inputs[%zu] must be a tensor with a \"name\"", t);
		if (!dt)
			return fail(err, errsize, "inputs[%zu] (%s) has no \"datatype\"", t, name);
		if (!json_is_array(json_object_get(ten, "data")))
			return fail(err, errsize, "inputs[%zu] (%s) has no \"data\" array", t, name);
		size_t nd = json_array_size(shape);
		if (!json_is_array(shape) || nd < 1 || nd > 2)
			return fail(err, errsize, "inputs[%zu] (%s): \"shape\" must be [N] or [N, F]", t, name);
		json_int_t d[2] = {0, 1};
		for (size_t i = 0; i < nd; i++) {
			const json_t *e = json_array_get(shape, i);
			if (!json_is_integer(e) || json_integer_value(e) < 0 ||
			    json_integer_value(e) > (json_int_t)MAX_VALUES)
				return fail(err, errsize, "inputs[%zu] (%s): \"shape\" must hold sizes, not %s",
				            t, name, shown(e, (char[32]){0}, 32));
			d[i] = json_integer_value(e);
		}
		if (!known_datatype(dt))
			return fail(err, errsize, "inputs[%zu] (%s): \"%s\" is not a V2 datatype (BOOL, "
			            "INT8-64, UINT8-64, FP16, FP32, FP64, BYTES)", t, name, dt);
		for (size_t u = 0; u < t; u++)
			if (!strcmp(name, json_string_value(json_object_get(json_array_get(inputs, u), "name"))))
				return fail(err, errsize, "inputs[%zu]: \"%s\" is given twice (inputs[%zu])", t,
				            name, u);
		int64_t in = input_of(im, name, strlen(name));
		if (!in) {
			if (nt == 1 && nd == 2 && (size_t)d[1] == im->nfeat) {
				positional = 1;
			} else {
				char l[256];
				list_inputs(im, l, sizeof l);
				return fail(err, errsize, "inputs[%zu]: \"%s\" is not an input of model %s (its "
				            "inputs: %s); or send one tensor of shape [N, %zu]", t, name, im->name,
				            l, im->nfeat);
			}
		} else if (nd == 2 && d[1] != 1) {
			return fail(err, errsize, "inputs[%zu] (%s): a named input has shape [N] or [N, 1], "
			            "not [%lld, %lld]", t, name, (long long)d[0], (long long)d[1]);
		}
		if (t && (size_t)d[0] != n)
			return fail(err, errsize, "inputs[%zu] (%s) has %lld rows, inputs[0] %zu", t, name,
			            (long long)d[0], n);
		n = (size_t)d[0];
		if (in > 0 && !strcmp(dt, "BYTES"))
			return fail(err, errsize, "inputs[%zu] (%s) is BYTES; the feature is a number", t, name);
	}
	if (alloc_rows(im, rows, n, err, errsize) < 0)
		return -1;
	const json_t **v = NULL;
	size_t cap = 0;
	int rc = 0;
	for (size_t t = 0; t < nt && rc == 0; t++) {
		const json_t *ten = json_array_get(inputs, t);
		const char *name = json_string_value(json_object_get(ten, "name"));
		size_t nv = 0, want = positional ? n * im->nfeat : n;
		flatten(json_object_get(ten, "data"), &v, &nv, &cap);
		if (nv != want) {
			rc = fail(err, errsize, "inputs[%zu] (%s): \"data\" has %zu values; its shape needs "
			          "%zu", t, name, nv, want);
			break;
		}
		int64_t in = input_of(im, name, strlen(name));
		for (size_t i = 0; i < nv && rc == 0; i++) {
			size_t r = positional ? i / im->nfeat : i;
			if (positional)
				in = (int64_t)(i % im->nfeat) + 1;
			if ((rc = put_value(im, rows, r, in, v[i], text, err, errsize)) < 0)
				located(err, errsize, "inputs[%zu].data[%zu] (%s)", t, i,
				        positional ? im->features[in - 1] : name);
		}
	}
	free(v);
	return rc;
}

/* A TF row: a list (positional) or an object (named). */
static int read_tf_row(const struct fs_infer_model *im, struct fs_infer_rows *rows, size_t r,
                       const json_t *row, const char *what, struct fs_buf *text, char *err,
                       size_t errsize)
{
	if (json_is_array(row)) {
		if (json_array_size(row) != im->nfeat)
			return fail(err, errsize, "%s[%zu] has %zu values; model %s takes %zu", what, r,
			            json_array_size(row), im->name, im->nfeat);
		for (size_t i = 0; i < im->nfeat; i++) {
			if (put_value(im, rows, r, (int64_t)i + 1, json_array_get(row, i), text, err,
			              errsize) < 0)
				return located(err, errsize, "%s[%zu][%zu] (%s)", what, r, i, im->features[i]);
		}
		return 0;
	}
	if (!json_is_object(row))
		return fail(err, errsize, "%s[%zu] must be a list of %zu numbers or an object of "
		            "inputs by name", what, r, im->nfeat);
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)row, k, v) {
		int64_t in = input_of(im, k, strlen(k));
		if (!in) {
			char l[256];
			list_inputs(im, l, sizeof l);
			return fail(err, errsize, "%s[%zu]: \"%s\" is not an input of model %s (its inputs: "
			            "%s)", what, r, k, im->name, l);
		}
		if (put_value(im, rows, r, in, v, text, err, errsize) < 0)
			return located(err, errsize, "%s[%zu].%s", what, r, k);
	}
	return 0;
}

static int read_tf(const struct fs_infer_model *im, const json_t *root, struct fs_infer_rows *rows,
                   struct fs_buf *text, char *err, size_t errsize)
{
	const json_t *inst = json_object_get(root, "instances");
	const json_t *cols = json_object_get(root, "inputs");
	if (inst && cols)
		return fail(err, errsize, "give \"instances\" or \"inputs\", not both");
	if (!inst && !cols)
		return fail(err, errsize, "the request has neither \"instances\" nor \"inputs\"");
	rows->tf_inputs = cols != NULL;
	const json_t *list = inst ? inst : cols;
	const char *what = inst ? "instances" : "inputs";
	if (json_is_array(list)) {
		size_t n = json_array_size(list);
		if (alloc_rows(im, rows, n, err, errsize) < 0)
			return -1;
		for (size_t r = 0; r < n; r++)
			if (read_tf_row(im, rows, r, json_array_get(list, r), what, text, err, errsize) < 0)
				return -1;
		return 0;
	}
	if (!inst && json_is_object(cols)) {
		/* columns by name, each a list of one value per row */
		const char *k;
		const json_t *c;
		size_t n = 0, first = 1;
		json_object_foreach((json_t *)cols, k, c) {
			if (!json_is_array(c))
				return fail(err, errsize, "inputs.%s must be a list of one value per row", k);
			if (!first && json_array_size(c) != n)
				return fail(err, errsize, "inputs.%s has %zu values, the columns before it %zu", k,
				            json_array_size(c), n);
			n = json_array_size(c);
			first = 0;
			if (!input_of(im, k, strlen(k))) {
				char l[256];
				list_inputs(im, l, sizeof l);
				return fail(err, errsize, "inputs: \"%s\" is not an input of model %s (its inputs: "
				            "%s)", k, im->name, l);
			}
		}
		if (first)
			return fail(err, errsize, "\"inputs\" names no input");
		if (alloc_rows(im, rows, n, err, errsize) < 0)
			return -1;
		json_object_foreach((json_t *)cols, k, c) {
			int64_t in = input_of(im, k, strlen(k));
			for (size_t r = 0; r < n; r++) {
				if (put_value(im, rows, r, in, json_array_get(c, r), text, err, errsize) < 0)
					return located(err, errsize, "inputs.%s[%zu]", k, r);
			}
		}
		return 0;
	}
	return fail(err, errsize, "\"%s\" must be a list of rows%s", what,
	            inst ? "" : ", or an object of columns by name");
}

int fs_infer_read_request(enum fs_proto p, const struct fs_infer_model *im, const char *body,
                          size_t n, struct fs_infer_rows *rows, char *err, size_t errsize)
{
	memset(rows, 0, sizeof *rows);
	json_t *root = load(body, n, err, errsize);
	if (!root)
		return -1;
	int rc;
	struct fs_buf text = {0};
	if (!json_is_object(root))
		rc = fail(err, errsize, "the body must be a JSON object");
	else if (p == FS_PROTO_V2)
		rc = read_v2(im, root, rows, &text, err, errsize);
	else
		rc = read_tf(im, root, rows, &text, err, errsize);
	fs_buf_free(&text);
	json_decref(root);
	return rc;
}

void fs_infer_rows_free(struct fs_infer_rows *rows)
{
	free(rows->x);
	free(rows->h);
	free(rows->id);
	memset(rows, 0, sizeof *rows);
}

/* ------------------------------------------------------------ answers, written */

static void put_str(struct fs_buf *b, const char *s)
{
	fs_json_put_string(b, s, strlen(s));
}

static void put_scores(struct fs_buf *b, const double *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fs_buf_putc(b, ',');
		fs_json_put_double(b, out[i]);
	}
}

void fs_infer_write_answer(struct fs_buf *b, enum fs_proto p, const struct fs_infer_model *im,
                           const char *version, const struct fs_infer_rows *rows,
                           const double *out, const int *cls)
{
	size_t n = rows->n, k = im->nout;
	if (p == FS_PROTO_TF) {
		fs_buf_puts(b, rows->tf_inputs ? "{\"outputs\":[" : "{\"predictions\":[");
		if (k > 1) {
			for (size_t r = 0; r < n; r++) {
				fs_buf_puts(b, r ? ",[" : "[");
				put_scores(b, out + r * k, k);
				fs_buf_putc(b, ']');
			}
		} else {
			put_scores(b, out, n);
		}
		fs_buf_puts(b, "]}");
		return;
	}
	fs_buf_puts(b, "{\"model_name\":");
	put_str(b, im->name);
	fs_buf_puts(b, ",\"model_version\":");
	put_str(b, version);
	if (rows->id) {
		fs_buf_puts(b, ",\"id\":");
		put_str(b, rows->id);
	}
	fs_buf_puts(b, ",\"outputs\":[");
	if (rows->want_score) {
		fs_buf_puts(b, k > 1 ? "{\"name\":\"scores\"" : "{\"name\":\"score\"");
		fs_buf_puts(b, ",\"datatype\":\"FP64\",\"shape\":[");
		fs_json_put_u64(b, n);
		if (k > 1) {
			fs_buf_putc(b, ',');
			fs_json_put_u64(b, k);
		}
		fs_buf_puts(b, "],\"data\":[");
		put_scores(b, out, n * k);
		fs_buf_puts(b, "]}");
	}
	if (im->multiclass && rows->want_class) {
		fs_buf_puts(b, rows->want_score ? "," : "");
		fs_buf_puts(b, "{\"name\":\"class\",\"datatype\":\"INT64\",\"shape\":[");
		fs_json_put_u64(b, n);
		fs_buf_puts(b, "],\"data\":[");
		for (size_t r = 0; r < n; r++) {
			if (r)
				fs_buf_putc(b, ',');
			fs_json_put_u64(b, (uint64_t)cls[r]);
		}
		fs_buf_puts(b, "]}");
	}
	fs_buf_puts(b, "]}");
}

void fs_infer_write_error(struct fs_buf *b, const char *msg)
{
	fs_buf_puts(b, "{\"error\":");
	put_str(b, msg);
	fs_buf_putc(b, '}');
}

static void v2_tensor_meta(struct fs_buf *b, const char *name, const char *dt, size_t k)
{
	fs_buf_puts(b, "{\"name\":");
	put_str(b, name);
	fs_buf_puts(b, ",\"datatype\":\"");
	fs_buf_puts(b, dt);
	fs_buf_puts(b, "\",\"shape\":[-1");
	if (k) {
		fs_buf_putc(b, ',');
		fs_json_put_u64(b, k);
	}
	fs_buf_puts(b, "]}");
}

static void tf_tensor_meta(struct fs_buf *b, const char *name, const char *dt, size_t k)
{
	put_str(b, name);
	fs_buf_puts(b, ":{\"dtype\":\"");
	fs_buf_puts(b, dt);
	fs_buf_puts(b, "\",\"tensor_shape\":{\"dim\":[{\"size\":\"-1\",\"name\":\"\"}");
	if (k) {
		fs_buf_puts(b, ",{\"size\":\"");
		fs_json_put_u64(b, k);
		fs_buf_puts(b, "\",\"name\":\"\"}");
	}
	fs_buf_puts(b, "],\"unknown_rank\":false},\"name\":");
	put_str(b, name);
	fs_buf_putc(b, '}');
}

void fs_infer_write_metadata(struct fs_buf *b, enum fs_proto p, const struct fs_infer_model *im,
                             const char *version, const char *platform)
{
	void (*meta)(struct fs_buf *, const char *, const char *, size_t) =
		p == FS_PROTO_V2 ? v2_tensor_meta : tf_tensor_meta;
	const char *num = p == FS_PROTO_V2 ? "FP64" : "DT_DOUBLE";
	const char *str = p == FS_PROTO_V2 ? "BYTES" : "DT_STRING";
	if (p == FS_PROTO_V2) {
		fs_buf_puts(b, "{\"name\":");
		put_str(b, im->name);
		fs_buf_puts(b, ",\"versions\":[");
		put_str(b, version);
		fs_buf_puts(b, "],\"platform\":");
		put_str(b, platform);
		fs_buf_puts(b, ",\"inputs\":[");
	} else {
		fs_buf_puts(b, "{\"model_spec\":{\"name\":");
		put_str(b, im->name);
		fs_buf_puts(b, ",\"signature_name\":\"\",\"version\":\"1\"},\"metadata\":{\"signature_def\":"
		            "{\"signature_def\":{\"serving_default\":{\"inputs\":{");
	}
	for (size_t i = 0; i < im->nfeat + im->nhashed; i++) {
		const char *n = i < im->nfeat ? im->features[i] : im->hashed[i - im->nfeat];
		if (i)
			fs_buf_putc(b, ',');
		meta(b, n, i < im->nfeat ? num : str, 0);
	}
	fs_buf_puts(b, p == FS_PROTO_V2 ? "],\"outputs\":[" : "},\"outputs\":{");
	if (im->nout > 1) {
		meta(b, "scores", num, im->nout);
		if (im->multiclass) {
			fs_buf_putc(b, ',');
			meta(b, "class", p == FS_PROTO_V2 ? "INT64" : "DT_INT64", 0);
		}
	} else {
		meta(b, "score", num, 0);
	}
	fs_buf_puts(b, p == FS_PROTO_V2 ? "]}" :
	            "},\"method_name\":\"tensorflow/serving/predict\"}}}}}");
}

/* ------------------------------------------------------------ the client's side */

static void put_x(struct fs_buf *b, double x)
{
	if (isnan(x))
		fs_buf_puts(b, "null");
	else
		fs_json_put_double(b, x);
}

void fs_infer_write_request(struct fs_buf *b, enum fs_proto p, int named, char *const *names,
                            size_t nnames, const double *x, size_t n)
{
	if (p == FS_PROTO_TF) {
		fs_buf_puts(b, "{\"instances\":[");
		for (size_t r = 0; r < n; r++) {
			fs_buf_puts(b, r ? (named ? ",{" : ",[") : (named ? "{" : "["));
			for (size_t i = 0; i < nnames; i++) {
				if (i)
					fs_buf_putc(b, ',');
				if (named) {
					put_str(b, names[i]);
					fs_buf_putc(b, ':');
				}
				put_x(b, x[r * nnames + i]);
			}
			fs_buf_putc(b, named ? '}' : ']');
		}
		fs_buf_puts(b, "]}");
		return;
	}
	fs_buf_puts(b, "{\"inputs\":[");
	if (!named) {
		fs_buf_puts(b, "{\"name\":\"input-0\",\"shape\":[");
		fs_json_put_u64(b, n);
		fs_buf_putc(b, ',');
		fs_json_put_u64(b, nnames);
		fs_buf_puts(b, "],\"datatype\":\"FP64\",\"data\":[");
		for (size_t i = 0; i < n * nnames; i++) {
			if (i)
				fs_buf_putc(b, ',');
			put_x(b, x[i]);
		}
		fs_buf_puts(b, "]}]}");
		return;
	}
	for (size_t i = 0; i < nnames; i++) {
		fs_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		put_str(b, names[i]);
		fs_buf_puts(b, ",\"shape\":[");
		fs_json_put_u64(b, n);
		fs_buf_puts(b, "],\"datatype\":\"FP64\",\"data\":[");
		for (size_t r = 0; r < n; r++) {
			if (r)
				fs_buf_putc(b, ',');
			put_x(b, x[r * nnames + i]);
		}
		fs_buf_puts(b, "]}");
	}
	fs_buf_puts(b, "]}");
}

/* The numbers of a list into out; -1 for anything else. */
static int numbers(const json_t **v, size_t nv, double *out)
{
	for (size_t i = 0; i < nv; i++) {
		if (!json_is_number(v[i]))
			return -1;
		out[i] = json_number_value(v[i]);
	}
	return 0;
}

static int answer_v2(const json_t *root, size_t n, double **out, size_t *nout, char **version,
                     char *err, size_t errsize)
{
	const json_t *outs = json_object_get(root, "outputs");
	if (!json_is_array(outs) || !json_array_size(outs))
		return fail(err, errsize, "the answer has no \"outputs\"");
	const json_t *o = NULL, *e;
	size_t i;
	json_array_foreach(outs, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		if (name && (!strcmp(name, "score") || !strcmp(name, "scores")))
			o = e;
	}
	if (!o)
		o = json_array_get(outs, 0);  /* another server's one output ("predict", "output-0") */
	const json_t *shape = json_object_get(o, "shape");
	size_t nd = json_array_size(shape), k = 1;
	if (nd < 1 || nd > 2 || (size_t)json_integer_value(json_array_get(shape, 0)) != n)
		return fail(err, errsize, "the answer's output has shape %s; %zu rows were sent",
		            shown(shape ? shape : json_null(), (char[48]){0}, 48), n);
	if (nd == 2) {
		json_int_t d = json_integer_value(json_array_get(shape, 1));
		if (d < 1 || d > 1 << 20)
			return fail(err, errsize, "the answer's output has %lld columns", (long long)d);
		k = (size_t)d;
	}
	const json_t **v = NULL;
	size_t nv = 0, cap = 0;
	const json_t *data = json_object_get(o, "data");
	if (!json_is_array(data))
		return fail(err, errsize, "the answer's output has no \"data\"");
	flatten(data, &v, &nv, &cap);
	int rc = 0;
	if (nv != n * k)
		rc = fail(err, errsize, "the answer's output has %zu values for %zu rows of %zu", nv, n, k);
	*out = fs_xrealloc(*out, (n * k + 1) * sizeof **out);
	if (rc == 0 && numbers(v, nv, *out) < 0)
		rc = fail(err, errsize, "the answer's output holds something other than numbers");
	free(v);
	*nout = k;
	const char *ver = json_string_value(json_object_get(root, "model_version"));
	*version = ver && *ver ? fs_xstrdup(ver) : NULL;
	return rc;
}

static int answer_tf(const json_t *root, size_t n, double **out, size_t *nout, char *err,
                     size_t errsize)
{
	const json_t *pred = json_object_get(root, "predictions");
	if (!pred)
		pred = json_object_get(root, "outputs");
	if (!json_is_array(pred) || json_array_size(pred) != n)
		return fail(err, errsize, "the answer has %s %zu predictions; %zu rows were sent",
		            pred ? "" : "no \"predictions\", not", json_array_size(pred), n);
	const json_t *first = json_array_get(pred, 0);
	size_t k = json_is_array(first) ? json_array_size(first) : 1;
	if (!k)
		return fail(err, errsize, "the answer's predictions are empty lists");
	*out = fs_xrealloc(*out, (n * k + 1) * sizeof **out);
	*nout = k;
	for (size_t r = 0; r < n; r++) {
		const json_t *p = json_array_get(pred, r);
		const json_t *one[1] = {p};
		const json_t **v = one;
		size_t nv = 1;
		if (json_is_array(p)) {
			nv = json_array_size(p);
			v = fs_xmalloc((nv + 1) * sizeof *v);
			for (size_t i = 0; i < nv; i++)
				v[i] = json_array_get(p, i);
		}
		int bad = (json_is_array(p) != json_is_array(first)) || nv != k ||
		          numbers(v, nv, *out + r * k) < 0;
		if (v != one)
			free(v);
		if (bad)
			return fail(err, errsize, "predictions[%zu] is not %zu number%s like predictions[0]",
			            r, k, k > 1 ? "s" : "");
	}
	return 0;
}

int fs_infer_read_answer(enum fs_proto p, const char *body, size_t len, size_t n, double **out,
                         size_t *nout, char **version, char *err, size_t errsize)
{
	*version = NULL;
	json_t *root = load(body, len, err, errsize);
	if (!root)
		return -1;
	int rc;
	if (!json_is_object(root))
		rc = fail(err, errsize, "the answer is not a JSON object");
	else if (p == FS_PROTO_V2)
		rc = answer_v2(root, n, out, nout, version, err, errsize);
	else
		rc = answer_tf(root, n, out, nout, err, errsize);
	json_decref(root);
	return rc;
}

/* Appends the name of an input the client can send (numbers only). */
static int add_input(char ***names, size_t *n, const char *name, const char *dt, char *err,
                     size_t errsize)
{
	if (!name)
		return fail(err, errsize, "an input of the metadata has no name");
	if (dt && (!strcmp(dt, "BYTES") || !strcmp(dt, "DT_STRING")))
		return fail(err, errsize, "the model takes strings (%s); fsscore --endpoint sends "
		            "numbers", name);
	*names = fs_xrealloc(*names, (*n + 1) * sizeof **names);
	(*names)[(*n)++] = fs_xstrdup(name);
	return 0;
}

int fs_infer_read_metadata(enum fs_proto p, const char *body, size_t len, char ***names,
                           size_t *n, int *classes, char *err, size_t errsize)
{
	*names = NULL;
	*n = 0;
	*classes = 0;
	json_t *root = load(body, len, err, errsize);
	if (!root)
		return -1;
	int rc = 0;
	const json_t *in;
	if (p == FS_PROTO_V2) {
		in = json_object_get(root, "inputs");
		size_t i;
		const json_t *t;
		json_array_foreach(in, i, t)
			if ((rc = add_input(names, n, json_string_value(json_object_get(t, "name")),
			                    json_string_value(json_object_get(t, "datatype")), err, errsize)) < 0)
				break;
		json_array_foreach(json_object_get(root, "outputs"), i, t) {
			const char *name = json_string_value(json_object_get(t, "name"));
			*classes |= name && !strcmp(name, "class");
		}
	} else {
		const json_t *defs = json_object_get(json_object_get(json_object_get(
			json_object_get(root, "metadata"), "signature_def"), "signature_def"), "serving_default");
		in = json_object_get(defs, "inputs");
		const char *k;
		const json_t *t;
		json_object_foreach((json_t *)in, k, t)
			if ((rc = add_input(names, n, k, json_string_value(json_object_get(t, "dtype")), err,
			                    errsize)) < 0)
				break;
		*classes = json_object_get(json_object_get(defs, "outputs"), "class") != NULL;
	}
	if (rc == 0 && !*n)
		rc = fail(err, errsize, "the metadata names no inputs");
	json_decref(root);
	if (rc < 0) {
		fs_cli_list_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	return rc;
}

char *fs_infer_read_error(const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	const char *e = json_string_value(json_object_get(root, "error"));
	char *s = e ? fs_xstrdup(e) : NULL;
	json_decref(root);
	return s;
}
