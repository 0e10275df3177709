/* join.h: fsjoin's engine — point-in-time (as-of) joins and table lookups.
 *
 * Each right side is read once at start through the shared loop (so its bad
 * lines are reported like any input's) into a compact index: per key, its
 * rows sorted by time, each row's values kept as the raw JSON bytes they
 * were written with, never as parsed JSON. For each spine event the step
 * finds, per side, the row of the same key with the latest time at or
 * before the event's (strictly before with --strict, no older than --ttl;
 * for a table, the latest row of the key) and splices its values into the
 * event's features object.
 */
#ifndef FS_JOIN_H
#define FS_JOIN_H

#include <stdint.h>

#include "loop.h"

struct fs_join_side {
	const char *path;          /* --asof FILE or --table FILE */
	const char *key;           /* --key FIELD[,FIELD] */
	int table;                 /* 1: --table, no time condition */
};

struct fs_join_config {
	struct fs_join_side *sides;
	int nsides;
	int64_t ttl;               /* --ttl in ns, 0: none */
	int strict;                /* --strict: rows strictly before the event */
	const char *into;          /* --into NAME, default "features" */
	const struct fs_loop_config *loop;  /* time field, unit, errors, kcat */
	/* --online: each event's key looked up in the online store */
	struct fs_online *online;
	const char *online_prefix;
	const char *online_key;    /* FIELD[,FIELD] */
	int backfill;              /* --backfill: the sides are written to the store */
	char **features;           /* --features: the fields to read or write, NULL: all */
	size_t nfeatures;
};

struct fs_join;

/* Loads every side. Returns NULL with a message in err and the exit status
 * in *status (64 usage, 65 a side without usable rows, 66 unreadable). */
struct fs_join *fs_join_new(const struct fs_join_config *cfg, char *err, size_t errsize,
                            int *status);
int fs_join_step(void *ctx, const struct fs_record *r, struct fs_run *run);
/* SIGHUP: every side read again and swapped in whole; a side that fails
 * to load keeps its old index. */
int fs_join_poll(void *ctx, int hup);
/* Loop hooks with --online: write out the events waiting for lookups. */
void fs_join_idle(void *ctx, struct fs_run *run);
void fs_join_finish(void *ctx, struct fs_run *run);
/* --backfill: each key's latest row of every side (at or before asof,
 * INT64_MAX: the latest of all) written to the online store through its
 * newer-wins write. Returns 0, or -1 once the store failed. */
int fs_join_backfill(struct fs_join *j, int64_t asof);
/* Keys --backfill found a row for. */
uint64_t fs_join_backfilled(const struct fs_join *j);
/* Events whose lookups were queued but never answered (the store failed). */
uint64_t fs_join_unanswered(const struct fs_join *j);
/* Hits and misses per side, on stderr. */
void fs_join_report(const struct fs_join *j);
void fs_join_free(struct fs_join *j);

#endif
