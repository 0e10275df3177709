/* record.c: field paths and value coercion (see record.h). */
#include "record.h"
#include "buf.h"
#include "diag.h"
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fs_path *fs_path_new(const char *spec, const char **why)
{
	struct fs_path *p = fs_xcalloc(1, sizeof *p);
	const char *s = spec;
	p->spec = fs_xstrdup(spec);
	if (*s == '@') {
		p->envelope = 1;
		s++;
	}
	struct fs_buf part = {0};
	for (;;) {
		if (*s == '\\' && s[1] == '.') {
			fs_buf_putc(&part, '.');
			s += 2;
			continue;
		}
		if (*s == '.' || *s == '\0') {
			if (part.len == 0) {
				*why = *spec ? "empty component in field path" : "empty field path";
				fs_buf_free(&part);
				fs_path_free(p);
				return NULL;
			}
			p->parts = fs_xrealloc(p->parts, (p->n + 1) * sizeof *p->parts);
			p->parts[p->n++] = fs_xstrdup(fs_buf_cstr(&part));
			part.len = 0;
			if (*s == '\0')
				break;
			s++;
			continue;
		}
		fs_buf_putc(&part, *s++);
	}
	fs_buf_free(&part);
	return p;
}

void fs_path_free(struct fs_path *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->parts[i]);
	free(p->parts);
	free(p->spec);
	free(p);
}

json_t *fs_path_get(const struct fs_path *p, const struct fs_record *r)
{
	return fs_path_get_in(p, p->envelope ? r->envelope : r->obj);
}

json_t *fs_path_get_any(const struct fs_path *p, const struct fs_record *r, json_t **own)
{
	size_t vs, ve;
	*own = NULL;
	if (r->obj || p->envelope || !r->raw)
		return fs_path_get(p, r);
	if (!fs_json_find_path(r->raw, r->rawlen, p->parts, p->n, &vs, &ve))
		return NULL;
	*own = json_loadb(r->raw + vs, ve - vs,
	                  JSON_DECODE_ANY | (r->ints_as_reals ? JSON_DECODE_INT_AS_REAL : 0), NULL);
	return *own;
}

json_t *fs_path_get_in(const struct fs_path *p, const json_t *obj)
{
	json_t *v = (json_t *)obj;
	for (size_t i = 0; v && i < p->n; i++)
		v = json_object_get(v, p->parts[i]);
	return v;
}

enum fs_num fs_value_number(const json_t *v, double *out)
{
	if (!v || json_is_null(v))
		return FS_NUM_MISSING;
	if (json_is_integer(v)) {
		*out = (double)json_integer_value(v);
		return FS_NUM_OK;
	}
	if (json_is_real(v)) {
		*out = json_real_value(v);
		return FS_NUM_OK;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (strlen(s) != n)
			return FS_NUM_INVALID;
		return fs_number_text(s, n, out);
	}
	return FS_NUM_INVALID;
}

enum fs_num fs_number_text(const char *s, size_t n, double *out)
{
	/* strtod also takes hex, inf, nan and leading spaces: check the
	 * JSON number shape first, so "0x10" and " 1" are not numbers. */
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	size_t d0 = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	size_t nd = i - d0;
	if (i < n && s[i] == '.') {
		size_t f0 = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		nd += i - f0;
	}
	if (nd && i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t e0 = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == e0)
			return FS_NUM_INVALID;
	}
	if (nd == 0 || i != n)
		return FS_NUM_INVALID;
	*out = fs_decimal(s, n);
	return isfinite(*out) ? FS_NUM_OK : FS_NUM_INVALID;
}

int fs_raw_number(const char *p, size_t n, double *out)
{
	if (n == 0)
		return FS_NUM_INVALID;
	switch (p[0]) {
	case '"': {
		if (memchr(p, '\\', n))
			return FS_NUM_ESCAPED;
		return fs_number_text(p + 1, n - 2, out);
	}
	case 'n':
		return FS_NUM_MISSING;
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		*out = fs_decimal(p, n);
		return FS_NUM_OK;
	default:
		return FS_NUM_INVALID;
	}
}

int fs_value_text(const json_t *v, struct fs_buf *b)
{
	char num[32];
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		fs_buf_put(b, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER:
		fs_buf_put(b, num, (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		                                    json_integer_value(v)));
		return 0;
	case JSON_REAL:
		fs_json_put_double(b, json_real_value(v));
		return 0;
	case JSON_TRUE:
		fs_buf_puts(b, "true");
		return 0;
	case JSON_FALSE:
		fs_buf_puts(b, "false");
		return 0;
	default:
		return -1;
	}
}

int fs_record_value_bytes(const struct fs_record *r, const struct fs_path *p, const char **s,
                          size_t *n)
{
	const char *raw = p->envelope ? r->text : r->raw;
	size_t len = p->envelope ? r->textlen : r->rawlen, vs, ve;
	if (!raw || !fs_json_find_path(raw, len, p->parts, p->n, &vs, &ve))
		return 0;
	*s = raw + vs;
	*n = ve - vs;
	return 1;
}

int fs_record_value_text(const struct fs_record *r, const struct fs_path *p, const json_t *v,
                         struct fs_buf *b)
{
	const char *s;
	size_t n;
	if (r->ints_as_reals && json_is_real(v) && fs_record_value_bytes(r, p, &s, &n) &&
	    fs_json_is_integer_text(s, n)) {
		fs_buf_put(b, s, n);
		return 0;
	}
	return fs_value_text(v, b);
}

int fs_record_path_text(const struct fs_record *r, const struct fs_path *p, struct fs_buf *b)
{
	json_t *own, *v = fs_path_get_any(p, r, &own);
	b->len = 0;
	int rc = !v ? FS_TEXT_ABSENT : fs_record_value_text(r, p, v, b) < 0 ? FS_TEXT_UNUSABLE : 0;
	json_decref(own);
	return rc;
}
