/* online.h: the online store — Redis, written newer-wins and read pipelined.
 *
 * The layout (fstools(7), ONLINE STORE) is one hash per entity, named by a
 * prefix and the key's values joined by ':', with a field per feature
 * holding the value's JSON text and "@time", the event time of the values
 * as RFC 3339 with nine fractional digits. Every write goes through one Lua
 * script, loaded once per connection, that compares "@time" inside Redis
 * and writes only when the new time is not older: a replay, a re-delivery,
 * a retry or two writers racing leave the newest values, and at equal times
 * the later write wins, as the later offline row does.
 *
 * Writes are batched: the latest write of each key in a batch replaces the
 * earlier ones (only per-key order matters), and one batch is in flight
 * while the next fills. Lookups are pipelined in input order. A lost
 * connection is retried with backoff for the configured timeout, resending
 * whatever had no reply; the writes not yet acknowledged can be saved in a
 * state and sent by the next run.
 */
#ifndef FS_ONLINE_H
#define FS_ONLINE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "state.h"

/* The hash field that holds the values' event time. */
#define FS_ONLINE_TIME "@time"

struct fs_online_config {
	const char *url;           /* redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH[?db=N] */
	int64_t timeout_ns;        /* --online-timeout: how long a lost store is retried */
	int64_t ttl_ms;            /* --online-ttl: idle entities expire, 0: never */
	int writer;                /* loads the write script */
	/* lookups: the fields to read (HMGET), or none for all of them (HGETALL) */
	char **fields;
	size_t nfields;
};

struct fs_online;

/* Parses the URL and connects. Returns NULL with a message in err when the
 * URL is malformed (*status 64) or the store is unreachable (*status 69). */
struct fs_online *fs_online_open(const struct fs_online_config *cfg, char *err, size_t errsize,
                                 int *status);
/* The URL without its password, for messages. */
const char *fs_online_name(const struct fs_online *o);
/* Once the store was lost past the timeout, refused a write, or the run was
 * stopped while retrying: the exit status (75 or 69) and why; else 0. */
int fs_online_failed(const struct fs_online *o, const char **why);
void fs_online_free(struct fs_online *o);

/* ------------------------------------------------------------ writes */

/* One write: begin, the fields, end. Values are JSON text. end returns 0,
 * or -1 once the store has failed (fs_online_failed says why). */
void fs_online_put_begin(struct fs_online *o, const char *key, size_t klen, int64_t time);
void fs_online_put_field(struct fs_online *o, const char *name, size_t nlen, const char *val,
                         size_t vlen);
int fs_online_put_end(struct fs_online *o);
/* Sends what is batched and waits for every reply. Returns 0 or -1. */
int fs_online_flush(struct fs_online *o);
/* Writes not yet acknowledged by the store. */
uint64_t fs_online_pending(const struct fs_online *o);
/* Writes acknowledged, and of those how many found newer values in place. */
void fs_online_counts(const struct fs_online *o, uint64_t *written, uint64_t *kept_newer);
/* The unacknowledged writes, for a state; load queues them for sending.
 * load returns 0, or -1 when the bytes do not parse. */
void fs_online_save(const struct fs_online *o, struct fs_buf *b);
int fs_online_load(struct fs_online *o, struct fs_rd *r);
/* Skips what fs_online_save wrote (a state read without a store). */
int fs_online_skip(struct fs_rd *r);

/* ------------------------------------------------------------ lookups */

/* A lookup's answer, valid until the next fs_online_get_reply. */
struct fs_online_row {
	int found;                 /* the key has a hash in the store */
	size_t n;
	const char **name;         /* field names (the configured ones, or all but @time, sorted) */
	size_t *nlen;
	const char **val;          /* NULL: the field is absent */
	size_t *vlen;
};

/* Queues a lookup of key. Returns 0, or -1 once the store has failed. */
int fs_online_get(struct fs_online *o, const char *key, size_t klen);
/* Lookups queued whose answers were not yet taken. */
size_t fs_online_gets_pending(const struct fs_online *o);
/* Waits for the oldest queued lookup's answer. Returns 0, or -1 once the
 * store has failed. */
int fs_online_get_reply(struct fs_online *o, struct fs_online_row *row);

/* The store's key of an entity: prefix, then the values separated by
 * unit separators (0x1f, as the tools' key texts are) joined by ':'. */
void fs_online_key(struct fs_buf *b, const char *prefix, const char *text, size_t n);

#endif
