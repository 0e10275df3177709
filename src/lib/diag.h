/* diag.h: the one error path of fstools — exit codes, messages, rejected lines.
 *
 * Every message a tool prints goes through here, as `prog: context: reason`.
 * Rejected input lines become one JSON object each on the error output
 * (--errors FILE, default stderr) with source, line, reason and the original
 * text, and are counted by reason for the end-of-run summary.
 */
#ifndef FS_DIAG_H
#define FS_DIAG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses shared by every tool; fstools(7) lists the same table. */
enum fs_exit {
	FS_EX_OK = 0,
	FS_EX_WARN = 1,       /* a judging tool found something to warn about */
	FS_EX_ALERT = 2,      /* a judging tool found something to alert on */
	FS_EX_USAGE = 64,     /* bad command line or spec */
	FS_EX_DATAERR = 65,   /* more rejected lines than --max-errors allows */
	FS_EX_NOINPUT = 66,   /* an input, spec or state file is missing or unreadable */
	FS_EX_UNAVAILABLE = 69, /* a service (the online store) is unreachable at start */
	FS_EX_SOFTWARE = 70,  /* internal error, out of memory */
	FS_EX_IOERR = 74,     /* writing output failed */
	FS_EX_TEMPFAIL = 75,  /* a service went away for longer than allowed: state saved, restart */
};

/* Why a line was rejected; the summary counts each reason separately. */
enum fs_reject {
	FS_REJ_JSON,          /* not valid JSON */
	FS_REJ_NOT_OBJECT,    /* valid JSON but not an object */
	FS_REJ_KCAT,          /* not a kcat -J envelope, or its payload is not JSON */
	FS_REJ_NO_MATCH,      /* --regex did not match */
	FS_REJ_TIME,          /* time field missing or unparseable */
	FS_REJ_KEY,           /* key field missing, null or not a scalar */
	FS_REJ_LATE,          /* later than --lateness or --maturity allows */
	FS_REJ_CONFLICT,      /* output field already present */
	FS_REJ_TOO_LONG,      /* line longer than the reader accepts */
	FS_REJ_FEATURE,       /* a model's feature is not a number, or has no object */
	FS_REJ_LABEL,         /* a label or score missing or not a class / probability */
	FS_REJ_UNMATCHED,     /* a label whose prediction never came */
	FS_REJ_ENDPOINT,      /* the model server failed (fsscore --endpoint --on-error fail) */
	FS_REJ_MODEL,         /* the model failed on the event (libtorch raised an error) */
	FS_REJ_NREASONS
};

/* Set once from main(); prefixes every message. */
extern const char *fs_prog;

/* `prog: fmt` on stderr. */
void fs_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* `prog: fmt` on stderr, then exit(code). */
_Noreturn void fs_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error: the reason, the one-line usage and a pointer to --help; exit 64. */
_Noreturn void fs_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Out of memory is not recoverable in a stream filter: report and exit 70. */
_Noreturn void fs_oom(void);
void *fs_xmalloc(size_t n);
void *fs_xcalloc(size_t n, size_t size);
void *fs_xrealloc(void *p, size_t n);
char *fs_xstrdup(const char *s);

/* The error output and its counts; one per run, owned by the loop. */
struct fs_diag {
	FILE *errors;                 /* where rejected lines go */
	int errors_owned;             /* opened by us, closed by fs_diag_close */
	long long max_errors;         /* -1: unlimited */
	uint64_t rejected[FS_REJ_NREASONS];
	uint64_t rejected_total;
	uint64_t nonnumeric;          /* values that were present but not numbers */
	uint64_t late;                /* out-of-order events placed at the key's time */
	uint64_t skipped;             /* records a restored state already reflected */
};

/* Opens the error output (NULL or "-": stderr), appending to a file when
 * append is 1 (a second loop of the same run). Returns 0, or -1 with errno. */
int fs_diag_open(struct fs_diag *d, const char *path, long long max_errors, int append);
/* Flushes and closes the error output; returns 0 or -1 if writing it failed. */
int fs_diag_close(struct fs_diag *d);
/* Writes one rejected line as a JSON error record and counts it.
 * Returns 1 when --max-errors has been passed (the run must stop), else 0. */
int fs_diag_reject(struct fs_diag *d, enum fs_reject why, const char *source,
                   uint64_t line, const char *text, size_t textlen,
                   const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* The end-of-run summary on stderr, when anything was rejected or coerced;
 * label (or NULL) names what was read when it is not the main input. */
void fs_diag_summary(const struct fs_diag *d, uint64_t records, const char *label);

#endif
