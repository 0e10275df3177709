/* json.h: writing JSON text, and finding members in raw JSON bytes.
 *
 * fstools never re-serializes a user's event: it copies the input bytes and
 * splices its own members in. These helpers write those members (strings
 * escaped, numbers in the shortest form that reads back as the same double)
 * and locate positions inside an already-validated object's bytes.
 * jansson parses; it cannot report byte offsets nor print shortest doubles,
 * which is why these few functions exist.
 */
#ifndef FS_JSON_H
#define FS_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Longest output of fs_fmt_double, with room for the NUL. */
#define FS_DBL_MAX 32

/* Writes x in the shortest decimal form that reads back as the same double
 * (Python repr's digits; integers without ".0"); NaN and infinities are
 * written as null. Returns the length; out is NUL-terminated. */
size_t fs_fmt_double(char out[FS_DBL_MAX], double x);
void fs_json_put_double(struct fs_buf *b, double x);
/* An unsigned integer in decimal. */
void fs_json_put_u64(struct fs_buf *b, uint64_t v);
/* The same for a float: the shortest decimal that reads back (strtof) as the
 * same float, as numpy prints a float32 (0.97423553). Model files hold
 * floats in this form (model.c). */
size_t fs_fmt_float(char out[FS_DBL_MAX], float x);
/* A JSON string literal; invalid UTF-8 bytes become U+FFFD. */
void fs_json_put_string(struct fs_buf *b, const char *s, size_t n);
/* Any jansson value, compact, object members in their order. */
void fs_json_put_value(struct fs_buf *b, const json_t *v);

/* A decimal number's text ("-12.5e3") as a double, rounded exactly as
 * strtod rounds it: a fast path for up to 15 digits, strtod beyond. */
double fs_decimal(const char *s, size_t n);
/* 0 when [p, p+n) is one JSON text that jansson's json_loadb (with
 * JSON_DECODE_ANY) accepts, else -1; nothing is built, so it is much faster.
 * *big_ints is set when an integer does not fit 64 bits (jansson then
 * needs JSON_DECODE_INT_AS_REAL). */
int fs_json_check(const char *p, size_t n, int *big_ints);
/* In the bytes of a valid JSON object [p, p+n): offset of its closing '}'.
 * Returns (size_t)-1 when the bytes do not end with an object. */
size_t fs_json_object_close(const char *p, size_t n);
/* Finds the top-level member `name` in the valid JSON object [p, p+n).
 * On success sets *vstart and *vend to the member value's byte range and
 * returns 1; returns 0 when there is no such member. */
int fs_json_find_member(const char *p, size_t n, const char *name,
                        size_t *vstart, size_t *vend);
/* One member of an object: its key's bytes [ks, ke) with the quotes, and its
 * value's [vs, ve); escaped is 1 when the key holds a backslash escape. */
struct fs_json_member {
	size_t ks, ke, vs, ve;
	int escaped;
};
/* The members of the valid JSON object [p, p+n) in order: start with
 * *pos = 0; returns 1 with the next member in *m, or 0 after the last. */
int fs_json_next_member(const char *p, size_t n, size_t *pos, struct fs_json_member *m);
/* The same without skipping the value: sets ks, ke, escaped and vs only;
 * the caller then sets *pos to the value's end (fs_json_skip_value, or
 * its own reading of the value) before the next call. */
int fs_json_next_key(const char *p, size_t n, size_t *pos, struct fs_json_member *m);
/* The offset just past the valid JSON value starting at p[i]. */
size_t fs_json_skip_value(const char *p, size_t i, size_t n);
/* Like fs_json_find_member, descending through nested objects along
 * parts[0..nparts). Returns 1 with the value's byte range, or 0. */
int fs_json_find_path(const char *p, size_t n, char *const *parts, size_t nparts,
                      size_t *vstart, size_t *vend);
/* 1 when [p, p+n) is a JSON integer literal (-?digits). */
int fs_json_is_integer_text(const char *p, size_t n);
/* 1 when the object whose bytes are [p, p+n) has no members. */
int fs_json_object_is_empty(const char *p, size_t n);

#endif
