/* score.h: fsscore's engine — a model (and a shadow) scoring each event.
 *
 * fs_score_new loads the models; fs_score_step reads each model's features
 * from the event, scores it and writes the event with the score, the flag
 * and the model's id appended. fs_score_poll is the loop's poll hook: on
 * SIGHUP, and with --watch when a model file is replaced, the file is
 * loaded again and swapped in between two events, or, when it is bad,
 * reported while the old model keeps serving.
 *
 * With --challenger, each event is scored by the champion or the challenger
 * as its split key's hash decides (fs_split_arm), and marked with its arm.
 *
 * With --batch N, events are held until N of them (or a pause in the input)
 * are scored in one pass of each model, and written in input order.
 *
 * With --learn the champion is a learner (learn.h): each event is scored,
 * then learned from when it has a label; the model is saved now and then
 * for a serving fsscore --watch to pick up.
 */
#ifndef FS_SCORE_H
#define FS_SCORE_H

#include "endpoint.h"
#include "learn.h"
#include "loop.h"

/* What --endpoint does with events whose requests failed for good. */
enum fs_on_error {
	FS_ON_ERROR_FAIL,        /* stop (69): they and the events after them are rejected */
	FS_ON_ERROR_NULL,        /* "score": null, and "endpoint_error" */
	FS_ON_ERROR_FALLBACK,    /* scored by an embedded model, and "endpoint_error" */
};

struct fs_score_config {
	const char *model;       /* --model FILE */
	const char *shadow;      /* --shadow FILE, or NULL */
	/* --challenger: an A/B split of the entities between two models */
	const char *challenger;  /* --challenger FILE, or NULL */
	double split;            /* --split: the challenger's share of split keys */
	const char *split_key;   /* --split-key PATH (default @key with --kcat) */
	uint64_t split_seed;     /* --split-seed: XXH64's seed */
	const char *from;        /* --from: the features object's path, "." for the event */
	const char *features;    /* --features a,b,c: names for a model without them */
	double threshold;        /* --threshold, when has_threshold */
	int has_threshold;
	int watch;               /* --watch: reload when a model file changes */
	int strict;              /* --strict: an absent feature rejects the event */
	int kcat;                /* --kcat: @ paths name envelope fields */
	const char *suffix;      /* --suffix: appended to the names of the fields written */
	size_t batch;            /* --batch N: events scored in one pass of N rows (0, 1: each alone) */
	int64_t batch_wait_ns;   /* --batch-wait: a partial batch waits this long when input pauses */
	int threads;             /* --threads: libtorch's threads in a pass (0: 1) */
	/* --learn: the champion is learned from the stream (learn.h) */
	int learn;
	const char *label;       /* --label FIELD */
	const char *hash;        /* --hash a,b: string fields, hashed */
	struct fs_learn_config learn_cfg;
	const char *save;        /* --save FILE */
	uint64_t save_every;     /* --save-every N examples learned, 0: not by count */
	int64_t save_every_ns;   /* --save-every DURATION of wall time, 0: not by time */
	const char *progress;    /* --progress FILE: NDJSON records */
	uint64_t progress_every; /* 0: at doubling intervals */
	size_t auc_window;       /* examples in the recent AUC */
	int quiet;               /* --quiet: no progress table on stderr */
	/* --endpoint: the champion is a model server (endpoint.h) */
	struct fs_endpoint_config endpoint;  /* endpoint.url set */
	enum fs_on_error on_error;
	const char *fallback;    /* --on-error fallback:FILE */
};

struct fs_score;

/* The arm of a split key's text: 1 (challenger) when XXH64(key, seed),
 * as a fraction of 2^64 taken to 53 bits, is below the split, else 0. */
int fs_split_arm(const char *key, size_t len, uint64_t seed, double split);

/* Returns the engine, or NULL with a message in err and the exit status in
 * *status (64 usage, 65 not a model, 66 unreadable). */
struct fs_score *fs_score_new(const struct fs_score_config *cfg, char *err, size_t errsize,
                              int *status);
int fs_score_step(void *ctx, const struct fs_record *r, struct fs_run *run);
int fs_score_poll(void *ctx, int hup);
/* The loop's idle and wait hooks for --endpoint and --batch: results
 * written as they come while input waits; a partial batch scored once it
 * has waited --batch-wait. */
void fs_score_idle(void *ctx, struct fs_run *run);
int fs_score_wait(void *ctx, int fd, int ms);
/* The loop's finish hook: with --learn, the last progress line and save;
 * with --endpoint, every request's answer. */
void fs_score_finish(void *ctx, struct fs_run *run);
/* Warnings worth a look at the end of a run: features no event had (also
 * given once after the first 1000 events). */
void fs_score_report(struct fs_score *s);
void fs_score_free(struct fs_score *s);

#endif
