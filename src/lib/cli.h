/* cli.h: one option table per tool, the single source of its command line.
 *
 * The table drives getopt_long, --help and the checks that the man page and
 * both completions name the same options (tests/cli/options-agree.sh).
 * Options every tool shares (input, time, errors, output) are the
 * FS_COMMON_OPTIONS rows, handled by fs_cli_common into an fs_loop_config.
 */
#ifndef FS_CLI_H
#define FS_CLI_H

#include <stdio.h>

#include "loop.h"

struct fs_option {
	const char *name;        /* long name, without "--" */
	int short_name;          /* 'x', or 0 */
	const char *arg;         /* argument name ("FILE"), NULL for a flag */
	const char *help;        /* one line */
	int id;                  /* returned by fs_cli_next */
};

enum {
	FS_OPT_ERRORS = 1000, FS_OPT_HELP, FS_OPT_KCAT, FS_OPT_MAX_ERRORS, FS_OPT_OUTPUT,
	FS_OPT_REGEX, FS_OPT_TIME_FIELD, FS_OPT_TIME_UNIT, FS_OPT_VERSION, FS_OPT_STATE,
	FS_OPT_CHECKPOINT, FS_OPT_ONLINE, FS_OPT_ONLINE_PREFIX, FS_OPT_ONLINE_TIMEOUT,
	FS_OPT_ONLINE_TTL,
	FS_OPT_TOOL = 2000       /* tools number their own options from here */
};

/* Input, output and errors: every tool. */
#define FS_INPUT_OPTIONS \
	{"errors", 0, "FILE", "rejected lines as JSON to FILE (default: stderr)", FS_OPT_ERRORS}, \
	{"help", 'h', NULL, "print this help and exit", FS_OPT_HELP}, \
	{"kcat", 0, NULL, "read kcat -J envelopes; @key, @ts, ... are fields", FS_OPT_KCAT}, \
	{"max-errors", 0, "N", "stop (status 65) after more than N rejected lines", FS_OPT_MAX_ERRORS}, \
	{"output", 'o', "FILE", "write to FILE (zstd-compressed if it ends in .zst)", FS_OPT_OUTPUT}, \
	{"regex", 0, "PATTERN", "read text lines; PCRE2 named groups become fields", FS_OPT_REGEX}, \
	{"version", 'V', NULL, "print the version and exit", FS_OPT_VERSION}

/* Event time: tools that read it. */
#define FS_TIME_OPTIONS \
	{"time-field", 't', "PATH", "field holding the event time (default: ts)", FS_OPT_TIME_FIELD}, \
	{"time-unit", 'u', "UNIT", "unit of numeric times: s, ms, us or ns (default: s)", FS_OPT_TIME_UNIT}

#define FS_COMMON_OPTIONS FS_INPUT_OPTIONS, FS_TIME_OPTIONS

/* For tools that keep state between runs (fsfeat, fsgroundtruth). */
#define FS_STATE_OPTIONS \
	{"checkpoint", 0, "EVERY", "with --state, also save every N records or DURATION", FS_OPT_CHECKPOINT}, \
	{"state", 0, "FILE", "restore state from FILE, save it there at exit", FS_OPT_STATE}

/* The online store (online.h): tools that write or read it. */
#define FS_ONLINE_OPTIONS \
	{"online", 0, "URL", "the online store: redis://HOST[:PORT][/DB] or unix:///PATH", FS_OPT_ONLINE}, \
	{"online-prefix", 0, "PREFIX", "the store's keys start with PREFIX (fstools(7))", FS_OPT_ONLINE_PREFIX}, \
	{"online-timeout", 0, "DURATION", "retry a lost store this long, then exit 75 (default: 30s)", FS_OPT_ONLINE_TIMEOUT}

/* Writers of the online store also set its expiry. */
#define FS_ONLINE_TTL_OPTION \
	{"online-ttl", 0, "DURATION", "entities not written for DURATION expire from the store", FS_OPT_ONLINE_TTL}

struct fs_cli {
	const struct fs_option *opts;
	const char *usage;       /* the one-line usage, as in the man page SYNOPSIS */
	int argc;
	char **argv;
	void *longopts;          /* getopt_long's table, built from opts */
	char shortopts[128];
};

void fs_cli_init(struct fs_cli *cli, const struct fs_option *opts, const char *usage,
                 int argc, char **argv);
/* The next option's id with its argument in *arg; -1 when options end
 * (optind then points at the first operand). A bad option is a usage error. */
int fs_cli_next(struct fs_cli *cli, const char **arg);
void fs_cli_free(struct fs_cli *cli);
/* --help: usage, description, then the options sorted by long name, in
 * "  -x, --long=ARG  text" form. */
void fs_cli_help(const struct fs_cli *cli, const char *description, FILE *f);
/* Applies a common option to cfg; returns 1 when id was one, else 0.
 * --help and --version print and exit 0. */
int fs_cli_common(const struct fs_cli *cli, struct fs_loop_config *cfg, int id,
                  const char *arg, const char *description);
/* Applies an online-store option to cfg (and the key prefix to *prefix);
 * returns 1 when id was one, else 0. */
struct fs_online_config;
int fs_cli_online(const struct fs_cli *cli, struct fs_online_config *cfg, const char **prefix,
                  int id, const char *arg);
/* Connects to the online store of cfg, or ends the run: a malformed URL is
 * a usage error, an unreachable store status 69. */
struct fs_online *fs_cli_online_open(const char *usage, const struct fs_online_config *cfg);
/* A whole number in [min, max], or a usage error naming the option. */
long long fs_cli_number(const struct fs_cli *cli, const char *opt, const char *arg,
                        long long min, long long max);
/* The names of a comma list ("a,b,c"), newly allocated, as written (empty
 * ones included: each caller says what they mean); *n set. Free with
 * fs_cli_list_free. */
char **fs_cli_list(const char *list, size_t *n);
void fs_cli_list_free(char **names, size_t n);
/* A size in bytes, with k, M or G for powers of 1024, or a usage error. */
long long fs_cli_size(const struct fs_cli *cli, const char *opt, const char *arg);
/* A duration (timefmt.h), or a usage error naming the option. */
long long fs_cli_duration(const struct fs_cli *cli, const char *opt, const char *arg);

#endif
