/* drift.h: fspsi's engine — a baseline fitted on training data, and the
 * drift of a stream against it, window by window.
 *
 * Fitting (--fit) keeps each numeric field's values as doubles (spilled to
 * temporary files beyond a memory budget, never as parsed JSON) and counts
 * each text field's categories; at the end it writes the baseline: exact
 * quantile bin edges (numpy's default, linear interpolation), shares,
 * null shares and a percentile grid for KS. Comparing (--baseline) keeps
 * only counts per bin for the current window and for the whole run, so its
 * memory does not grow with the stream.
 */
#ifndef FS_DRIFT_H
#define FS_DRIFT_H

#include <jansson.h>
#include <stdint.h>

#include "loop.h"

/* Shares of zero are replaced by this in PSI (stated in every record). */
#define FS_DRIFT_EPSILON 1e-4

struct fs_drift_config {
	int fit;                   /* --fit: write a baseline */
	const char *fields;        /* --fields a,b,c, or NULL: discover / all */
	int bins;                  /* --bins: quantile bins, top categories */
	const char *baseline;      /* --baseline FILE */
	uint64_t window_events;    /* --window N */
	int64_t window_ns;         /* --window DURATION (event time) */
	double warn, alert;        /* PSI thresholds */
	const char *report;        /* --report FILE.html, or NULL */
	int table;                 /* --format table */
	const char *from;          /* the features object, default "features" */
	char **inputs;             /* for the report's header */
	int ninputs;
};

struct fs_drift;

/* Returns the engine, or NULL with a message in err and the exit status in
 * *status (64 usage, 65 a bad baseline, 66 an unreadable one). */
struct fs_drift *fs_drift_new(const struct fs_drift_config *cfg, char *err, size_t errsize,
                              int *status);
int fs_drift_step(void *ctx, const struct fs_record *r, struct fs_run *run);
/* The last window, the summary (or the baseline with --fit). */
void fs_drift_finish(void *ctx, struct fs_run *run);
/* 0 all ok, 1 something warned, 2 something alerted (after finish); or
 * 74 when the report could not be written. */
int fs_drift_status(const struct fs_drift *d);
void fs_drift_free(struct fs_drift *d);

#endif
