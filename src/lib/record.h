/* record.h: one input event as every tool sees it, and field paths into it.
 *
 * Ownership: the loop owns a record and everything it points to. A record
 * lives from the moment its line is read until the tool's step returns; a
 * step that wants to keep anything (a key, a value) copies it.
 *
 * Field paths name values inside the event: "amount", "payload.user.id"
 * (dots descend into objects; "\." is a literal dot). With --kcat a path
 * starting with "@" names a field of the kcat envelope instead of the
 * payload: @topic, @partition, @offset, @key, @ts (milliseconds).
 */
#ifndef FS_RECORD_H
#define FS_RECORD_H

#include <jansson.h>
#include <stdint.h>

struct fs_record {
	const char *source;    /* "<stdin>", "events.ndjson", "logs.tar:app.log" */
	uint64_t line;         /* 1-based line within source */
	const char *text;      /* the whole input line, for error records */
	size_t textlen;
	const char *raw;       /* the event's JSON bytes (the payload for kcat), */
	size_t rawlen;         /* or NULL for --regex input, which has no JSON bytes */
	json_t *obj;           /* the event as a parsed object; NULL for a raw step
	                        * (loop.h), which reads raw and rawlen itself */
	json_t *envelope;      /* the kcat -J envelope, or NULL */
	int64_t time;          /* event time in ns, when the tool asked for it */
	int ints_as_reals;     /* the line held an integer beyond 64 bits, so jansson
	                        * read every integer in it as a real */
};

struct fs_path {
	char *spec;            /* as the user wrote it, for messages */
	int envelope;          /* 1: looked up in the kcat envelope */
	size_t n;
	char **parts;
};

/* Compiles a field path. Returns NULL (and sets *why) for an empty path or an
 * empty component ("a..b"). The result is freed with fs_path_free. */
struct fs_path *fs_path_new(const char *spec, const char **why);
void fs_path_free(struct fs_path *p);
/* The value at p in r, or NULL when absent (a JSON null is returned as is). */
json_t *fs_path_get(const struct fs_path *p, const struct fs_record *r);
/* The same for a record a raw step left unparsed (obj NULL): the value's
 * bytes alone are parsed, into *own, which the caller json_decrefs. */
json_t *fs_path_get_any(const struct fs_path *p, const struct fs_record *r, json_t **own);
/* The same inside any object (an envelope path's "@" is ignored). */
json_t *fs_path_get_in(const struct fs_path *p, const json_t *obj);

/* Numeric coercion shared by every tool. */
enum fs_num {
	FS_NUM_OK,       /* *out holds the number */
	FS_NUM_MISSING,  /* absent or null: contributes nothing, silently */
	FS_NUM_INVALID,  /* present but not a number nor a numeric string */
};
/* Numbers count as themselves; a string counts when it is entirely a decimal
 * number ("12.50", "-3e2"; no spaces, no hex, no inf/nan). */
enum fs_num fs_value_number(const json_t *v, double *out);
/* The same for the text of a string: "12.50" is 12.5, "12 EUR" invalid. */
enum fs_num fs_number_text(const char *s, size_t n, double *out);
/* The same coercion on a value's raw JSON bytes (fs_json_next_member):
 * an fs_num, or FS_NUM_ESCAPED for a string with escapes, which only its
 * decoded (jansson) form can tell. */
#define FS_NUM_ESCAPED 3
int fs_raw_number(const char *p, size_t n, double *out);

/* The text form of a scalar, used to compare keys and distinct values:
 * strings by their content, integers in decimal, reals in shortest form,
 * booleans as true/false. Appends to b; returns -1 for null, objects and
 * arrays (which are not scalars) and leaves b unchanged. */
struct fs_buf;
int fs_value_text(const json_t *v, struct fs_buf *b);
/* fs_value_text of the value v found at p in r, except that an integer is
 * always its digits as written, also on a line jansson had to read with
 * integers as reals (a key must not change with another field's size). */
int fs_record_value_text(const struct fs_record *r, const struct fs_path *p, const json_t *v,
                         struct fs_buf *b);
/* The text of the value at p in r, as fs_record_value_text, into b (emptied
 * first): 0, FS_TEXT_ABSENT when r has no value there, FS_TEXT_UNUSABLE for
 * null, an object or an array. A key, an id, an arm: what names a thing. */
enum { FS_TEXT_ABSENT = -1, FS_TEXT_UNUSABLE = -2 };
int fs_record_path_text(const struct fs_record *r, const struct fs_path *p, struct fs_buf *b);
/* The bytes of the value at p as written in r (the envelope line for @
 * paths). Returns 1 and sets *s and *n, or 0 when there are none. */
int fs_record_value_bytes(const struct fs_record *r, const struct fs_path *p, const char **s,
                          size_t *n);

#endif
