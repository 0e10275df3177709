/* feat.h: fsfeat's engine — a feature spec compiled into per-key windows.
 *
 * fs_feat_new reads and validates a spec file (fsfeat(1) documents it);
 * fs_feat_step is the loop step that computes an event's features and
 * writes the event with them, or an offline-store row.
 */
#ifndef FS_FEAT_H
#define FS_FEAT_H

#include <stdint.h>

#include "loop.h"

struct fs_feat_config {
	const char *spec_path;
	const char *spec_text;   /* instead of spec_path: the spec itself (--inspect) */
	const char *into;        /* output object, default "features" */
	int emit_rows;           /* --emit rows */
	int64_t lateness;        /* --lateness in ns, -1: unlimited */
	int64_t ttl;             /* --ttl in ns, 0: keys are never forgotten */
	const char *time_field;  /* for rows: where the time goes */
	int64_t time_unit_ns;    /* how numeric times are read (part of the canonical spec) */
	int kcat;                /* --kcat: @ paths name envelope fields */
	struct fs_online *online;  /* --online: each key's latest features go there too */
	const char *online_prefix; /* the store's keys: PREFIX then the key's values */
	const char *rows_path;     /* --rows FILE: the offline-store rows beside the output */
};

struct fs_feat;

/* Returns the engine, or NULL with a message in err and the exit status
 * (66 unreadable spec, 64 invalid spec) in *status. */
struct fs_feat *fs_feat_new(const struct fs_feat_config *cfg, char *err, size_t errsize,
                            int *status);
int fs_feat_step(void *ctx, const struct fs_record *r, struct fs_run *run);
/* The spec and the options that shape the state, in canonical form: what a
 * state file is tied to (sorted keys, no description). */
const char *fs_feat_canonical(const struct fs_feat *f);
/* State payload (state.h): every key of every group, bit for bit. */
struct fs_state_writer;
void fs_feat_save(void *ctx, struct fs_state_writer *w);
/* Restores a payload written by fs_feat_save for the same canonical spec.
 * Returns 0, or -1 when it does not parse. */
int fs_feat_load(void *ctx, const unsigned char *p, size_t n);
/* Events held in memory over all keys. */
uint64_t fs_feat_events(const struct fs_feat *f);
/* Number of distinct keys held, over all key groups. */
uint64_t fs_feat_keys(const struct fs_feat *f);
/* Writes to the online store not yet acknowledged (with --online), or
 * that a restored state held (without). */
uint64_t fs_feat_unsent(const struct fs_feat *f);
/* Loop hooks for --online and --rows: idle sends the writes batched so far
 * and writes out the rows; sync makes the rows file complete up to what a
 * checkpoint saves; finish sends and waits for every write. */
void fs_feat_idle(void *ctx, struct fs_run *run);
int fs_feat_sync(void *ctx);
void fs_feat_finish(void *ctx, struct fs_run *run);
/* Closes the rows file; returns 0, or -1 after saying why. */
int fs_feat_close_rows(struct fs_feat *f);
void fs_feat_free(struct fs_feat *f);

#endif
