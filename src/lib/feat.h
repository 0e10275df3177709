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
	const char *into;        /* output object, default "features" */
	int emit_rows;           /* --emit rows */
	int64_t lateness;        /* --lateness in ns, -1: unlimited */
	const char *time_field;  /* for rows: where the time goes */
	int kcat;                /* --kcat: @ paths name envelope fields */
};

struct fs_feat;

/* Returns the engine, or NULL with a message in err and the exit status
 * (66 unreadable spec, 64 invalid spec) in *status. */
struct fs_feat *fs_feat_new(const struct fs_feat_config *cfg, char *err, size_t errsize,
                            int *status);
int fs_feat_step(void *ctx, const struct fs_record *r, struct fs_run *run);
/* Number of distinct keys held, over all key groups. */
uint64_t fs_feat_keys(const struct fs_feat *f);
void fs_feat_free(struct fs_feat *f);

#endif
