/* fsjoin: point-in-time correct joins for training sets, and enrichment.
 *
 * Options into a config, the right sides into indexes (lib/join.c, read
 * through the shared loop), then the spine through the shared loop.
 */
#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/join.h"
#include "lib/loop.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"fsjoin --asof FILE --key FIELDS [--asof FILE --key FIELDS ...] [--ttl DURATION]\n"
	"              [--strict] [--table FILE --key FIELDS] [--into NAME] [-t PATH] [-u UNIT]\n"
	"              [-o FILE] [--kcat | --regex PATTERN] [--errors FILE] [--max-errors N]\n"
	"              [SPINE ...]";

static const char description[] =
	"Joins to each event of the spine, point in time, the row of each right side\n"
	"(--asof: the offline store, rows from fsfeat --emit rows) of the same key with\n"
	"the latest time at or before the event's, or the latest row of a --table, and\n"
	"merges its features into the event's \"features\" object.";

enum { OPT_ASOF = FS_OPT_TOOL, OPT_TABLE, OPT_KEY, OPT_TTL, OPT_STRICT, OPT_INTO };

static const struct fs_option options[] = {
	{"asof", 'a', "FILE", "a right side joined as of each event's time", OPT_ASOF},
	{"into", 0, "NAME", "merge into the object NAME (default: features)", OPT_INTO},
	{"key", 'k', "FIELDS", "the key of the side before it: FIELD or FIELD,FIELD", OPT_KEY},
	{"strict", 0, NULL, "only rows strictly before the event's time", OPT_STRICT},
	{"table", 0, "FILE", "a right side joined by key alone: its latest row", OPT_TABLE},
	{"ttl", 0, "DURATION", "ignore --asof rows older than DURATION before the event", OPT_TTL},
	FS_INPUT_OPTIONS,
	FS_TIME_OPTIONS,
	{NULL, 0, NULL, NULL, 0},
};

int main(int argc, char **argv)
{
	struct fs_loop_config loop = {.max_errors = -1};
	struct fs_join_config jc = {0};
	struct fs_join_side *sides = NULL;
	int nsides = 0, nkeys = 0;
	struct fs_cli cli;
	const char *arg, *last_key = NULL;
	int id;

	fs_prog = "fsjoin";
	fs_cli_init(&cli, options, usage, argc, argv);
	while ((id = fs_cli_next(&cli, &arg)) != -1) {
		if (fs_cli_common(&cli, &loop, id, arg, description))
			continue;
		switch (id) {
		case OPT_ASOF:
		case OPT_TABLE:
			sides = fs_xrealloc(sides, (size_t)(nsides + 1) * sizeof *sides);
			sides[nsides++] = (struct fs_join_side){.path = arg, .table = id == OPT_TABLE};
			break;
		case OPT_KEY:
			if (!*arg)
				fs_usage_error(usage, "--key: no field named");
			if (nsides && !sides[nsides - 1].key)
				sides[nsides - 1].key = arg;
			else if (nsides)
				fs_usage_error(usage, "--key %s: %s has its key already; give each --asof or "
				               "--table its own --key after it", arg, sides[nsides - 1].path);
			last_key = arg;
			nkeys++;
			break;
		case OPT_TTL:
			jc.ttl = fs_cli_duration(&cli, "--ttl", arg);
			break;
		case OPT_STRICT:
			jc.strict = 1;
			break;
		case OPT_INTO:
			if (!*arg)
				fs_usage_error(usage, "--into: the name must not be empty");
			jc.into = arg;
			break;
		}
	}
	fs_cli_free(&cli);
	if (!nsides)
		fs_usage_error(usage, "no right side: give --asof FILE or --table FILE");
	int any_asof = 0;
	for (int i = 0; i < nsides; i++) {
		/* one --key for all sides is fine */
		if (!sides[i].key && nkeys == 1)
			sides[i].key = last_key;
		if (!sides[i].key)
			fs_usage_error(usage, "%s has no --key", sides[i].path);
		any_asof |= !sides[i].table;
	}
	if (loop.kcat && loop.regex)
		fs_usage_error(usage, "--kcat and --regex exclude each other");
	loop.need_time = any_asof;
	jc.sides = sides;
	jc.nsides = nsides;
	jc.loop = &loop;

	char err[768];
	int status;
	struct fs_join *j = fs_join_new(&jc, err, sizeof err, &status);
	if (!j) {
		if (status == FS_EX_USAGE)
			fs_usage_error(usage, "%s", err);
		fs_die(status, "%s", err);
	}
	/* the spine appends to an error file the sides already wrote to */
	loop.errors_append = loop.errors != NULL;
	struct fs_step step = {.ctx = j, .step = fs_join_step, .poll = fs_join_poll};
	status = fs_loop_run(&loop, argv + optind, argc - optind, &step);
	fs_join_report(j);
	fs_join_free(j);
	free(sides);
	return status;
}
