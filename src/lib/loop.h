/* loop.h: the one main loop every tool runs: read, parse, step, write.
 *
 * A tool fills an fs_loop_config from the shared options (cli.h), gives
 * fs_loop_run a step function, and gets back the exit status. The loop
 * owns each record for the length of the step (see record.h); the step
 * appends its output line to run->out or rejects the record with
 * fs_run_reject(). Rejected lines go to the error output (diag.h), and
 * nothing a step half-wrote for a rejected record reaches the output.
 */
#ifndef FS_LOOP_H
#define FS_LOOP_H

#include "buf.h"
#include "diag.h"
#include "record.h"
#include "timefmt.h"

struct fs_loop_config {
	const char *output;          /* -o FILE, NULL: stdout */
	const char *errors;          /* --errors FILE, NULL: stderr */
	int errors_append;           /* append to it: a second loop in one run (fsjoin) */
	const char *label;           /* what the summary line names, when not the main input */
	long long max_errors;        /* --max-errors, -1: unlimited */
	const char *time_field;      /* --time-field, default "ts" */
	enum fs_time_unit time_unit; /* --time-unit */
	int need_time;               /* the tool reads event times */
	int kcat;                    /* --kcat */
	const char *regex;           /* --regex PATTERN, or NULL */
	const char *state;           /* --state FILE, or NULL */
	uint64_t checkpoint_records; /* --checkpoint N: every N records, 0: never */
	int64_t checkpoint_ns;       /* --checkpoint DURATION: every so much wall time */
};

/* What a step sees of the running loop. */
struct fs_run {
	struct fs_buf *out;          /* append the record's output line here */
	struct fs_diag *diag;        /* for counts such as non-numeric values */
	enum fs_reject why;
	char msg[384];
	int over;                    /* set by fs_run_reject_held past --max-errors */
	int end;                     /* a step sets an exit status here to end the run after
	                                this record (the online store gone: 75); the final
	                                checkpoint is still written */
};

struct fs_state_writer;

/* A second input read alongside the main one (fsgroundtruth's labels):
 * neither waits for the other. Whichever has a line ready goes on; when both
 * have, the one with the earlier event time, so that a replay of two files
 * interleaves them as a live stream in time order did. Its lines go through
 * the same parsing, rejects and --state positions as the main input's. */
struct fs_side {
	char **files;
	int nfiles;
	const char *what;            /* its option's prefix in messages ("label-") */
	const char *time_field;      /* its time field, NULL: the config's */
	int (*step)(void *ctx, const struct fs_record *r, struct fs_run *run);
};

/* What a raw step returns for a record it needs parsed. */
#define FS_STEP_PARSE 1

struct fs_step {
	void *ctx;
	/* Returns 0, or -1 after fs_run_reject(); a raw step may also return
	 * FS_STEP_PARSE, and is then called again with r->obj parsed. */
	int (*step)(void *ctx, const struct fs_record *r, struct fs_run *run);
	/* 1: the step reads the event from r->raw (json.h's scanners) and the
	 * loop only checks that the line is valid JSON, leaving r->obj NULL:
	 * several times faster than a parse when few fields are needed. */
	int raw;
	/* With --state: what the state is tied to, and the tool's payload. */
	const char *canonical;
	void (*save)(void *ctx, struct fs_state_writer *w);
	int (*load)(void *ctx, const unsigned char *p, size_t n);
	/* Optional: runs between two records and while input waits, so a tool
	 * can act on outside changes (fsscore reloads its model). hup is 1 when
	 * SIGHUP came since the last call; with a poll hook SIGHUP no longer
	 * ends the run. Returns the milliseconds until it wants to run again
	 * even without a signal, or -1 for only on SIGHUP. */
	int (*poll)(void *ctx, int hup);
	/* Optional: runs once after the last record (end of input, a signal or
	 * --max-errors) and may append final lines to run->out (the last window
	 * and the summary of fspsi) and reject lines it held (run->diag). */
	void (*finish)(void *ctx, struct fs_run *run);
	/* Optional: input is about to wait. Writes out what the step holds
	 * (events waiting for lookups, a batch of writes to the online store)
	 * into run->out, before the loop flushes it. */
	void (*idle)(void *ctx, struct fs_run *run);
	/* Optional: input is not ready and may wait ms (-1: for ever). Waits
	 * for fd to be readable as poll(2) would, and returns its result, while
	 * serving the step's own connections (fsscore --endpoint's requests);
	 * returns 0 early when the step has lines to write: idle runs again. */
	int (*wait)(void *ctx, int fd, int ms);
	/* Optional: before a checkpoint saves the state, after the output was
	 * flushed: makes what the step writes elsewhere durable to the point the
	 * state will reflect (fsfeat's --rows file). Returns 0, or -1 to keep the
	 * last state. */
	int (*sync)(void *ctx);
	/* Optional: a second input, stepped by side->step with the same ctx. */
	const struct fs_side *side;
};

/* Rejects a line the step held on to (a label waiting for its prediction)
 * rather than the current record: it goes to the error output at once, with
 * its own source and line. Past --max-errors the run stops after this step. */
void fs_run_reject_held(struct fs_run *run, enum fs_reject why, const char *source,
                        uint64_t line, const char *text, size_t textlen, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Sets the rejection reason and returns -1, for `return fs_run_reject(...)`. */
int fs_run_reject(struct fs_run *run, enum fs_reject why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* 1 once SIGINT or SIGTERM asked the run to stop: a step that waits (for
 * the online store to come back) gives up. */
int fs_loop_stopping(void);

/* Runs the loop over files (none: stdin). Returns the exit status. */
int fs_loop_run(const struct fs_loop_config *cfg, char **files, int nfiles,
                const struct fs_step *step);

#endif
