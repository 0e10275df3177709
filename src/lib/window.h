/* window.h: per-key windowed aggregations, the arithmetic behind fsfeat.
 *
 * A key group (all features sharing one key) has one fs_wspec: its features
 * and the value slots they read. Each key seen has one fs_wkey holding the
 * events its windows still cover and one running aggregate per feature.
 *
 * The contract (fsfeat(1)): for an event at time t a windowed feature covers
 * the key's events with time in (t - w, t], in input order, the event itself
 * included unless include_current is false. A bucketed window (bucket b,
 * w a multiple of b) covers the key's events in the w/b epoch-aligned
 * buckets that end with t's bucket, keeping partial aggregates per bucket
 * instead of events. An event earlier than the key's
 * latest time is placed at that latest time. All state is plain numbers and
 * copies of values, so it can be saved and restored bit for bit.
 */
#ifndef FS_WINDOW_H
#define FS_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "hmap.h"

enum fs_agg {
	FS_AGG_COUNT, FS_AGG_SUM, FS_AGG_MEAN, FS_AGG_MIN, FS_AGG_MAX, FS_AGG_STDDEV,
	FS_AGG_VARIANCE, FS_AGG_LAST, FS_AGG_LAG, FS_AGG_TIME_SINCE_LAST, FS_AGG_EWMA,
	FS_AGG_COUNT_DISTINCT, FS_AGG_N
};

/* Returns 0 and sets *a, or -1 for an unknown name. */
int fs_agg_parse(const char *name, enum fs_agg *a);
const char *fs_agg_name(enum fs_agg a);
/* "count, sum, ..." for messages. */
const char *fs_agg_list(void);

struct fs_wfeat {
	enum fs_agg agg;
	int slot;               /* value slot read, -1 for none */
	int64_t window;         /* ns; 0: the key's whole history */
	int64_t halflife;       /* ewma, ns */
	int lag;                /* lag: n-th previous event */
	int include_current;
	int64_t bucket;         /* ns; 0: exact window; else buckets of this size */
};

struct fs_wspec {
	size_t nfeat;
	struct fs_wfeat *feat;
	size_t nslots;
	unsigned char *slot_text;  /* 1: slot holds text (count_distinct), else a number */
};

/* One event's value for a slot: a number (present), or text. */
struct fs_wval {
	int present;
	double d;
	const char *s;
	size_t n;
};

struct fs_wkey;

struct fs_wkey *fs_wkey_new(const struct fs_wspec *ws);
void fs_wkey_free(const struct fs_wspec *ws, struct fs_wkey *k);
/* The key's latest event time, or INT64_MIN before its first event. */
int64_t fs_wkey_last_time(const struct fs_wkey *k);
/* Adds one event at time t (placed at the key's latest time if earlier)
 * with one value per slot, and writes each feature's value to out[i];
 * NaN means null. Text values are copied. */
void fs_wkey_step(const struct fs_wspec *ws, struct fs_wkey *k, int64_t t,
                  const struct fs_wval *vals, double *out);

/* State files (state.h): a key's events and aggregates, bit for bit. */
struct fs_buf;
struct fs_rd;
void fs_wkey_save(const struct fs_wspec *ws, const struct fs_wkey *k, struct fs_buf *b);
/* Returns the key, or NULL when the bytes do not fit ws (r->ok is then 0). */
struct fs_wkey *fs_wkey_load(const struct fs_wspec *ws, struct fs_rd *r);
/* Events the key keeps in memory. */
uint64_t fs_wkey_events(const struct fs_wkey *k);

#endif
