/* fsfeat: per-entity streaming features, identical live and in replay.
 *
 * Options into a config, the spec into an engine (lib/feat.c), then the
 * shared loop (lib/loop.c). Everything else lives in src/lib/.
 */
#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/feat.h"
#include "lib/loop.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"fsfeat --spec SPEC [-o FILE] [--emit events|rows] [--into NAME]\n"
	"              [--lateness DURATION] [--kcat | --regex PATTERN] [-t PATH]\n"
	"              [-u UNIT] [--errors FILE] [--max-errors N] [FILE ...]";

static const char description[] =
	"Computes per-key windowed features of each event (count, sum, mean, min, max,\n"
	"stddev, variance, last, lag, time_since_last, ewma, count_distinct) and writes\n"
	"the event with a \"features\" object appended. The same input lines in the same\n"
	"order give byte-identical output, live or replayed.";

enum { OPT_SPEC = FS_OPT_TOOL, OPT_EMIT, OPT_INTO, OPT_LATENESS };

static const struct fs_option options[] = {
	{"emit", 0, "WHAT", "events (default) or rows: keys, time, features", OPT_EMIT},
	{"into", 0, "NAME", "name of the features object (default: features)", OPT_INTO},
	{"lateness", 0, "DURATION", "reject events DURATION older than their key's latest", OPT_LATENESS},
	{"spec", 's', "FILE", "the feature spec (JSON); see fsfeat(1)", OPT_SPEC},
	FS_COMMON_OPTIONS,
	{NULL, 0, NULL, NULL, 0},
};

int main(int argc, char **argv)
{
	struct fs_loop_config loop = {.max_errors = -1, .need_time = 1};
	struct fs_feat_config feat = {.lateness = -1};
	struct fs_cli cli;
	const char *arg;
	int id;

	fs_prog = "fsfeat";
	fs_cli_init(&cli, options, usage, argc, argv);
	while ((id = fs_cli_next(&cli, &arg)) != -1) {
		if (fs_cli_common(&cli, &loop, id, arg, description))
			continue;
		switch (id) {
		case OPT_SPEC:
			feat.spec_path = arg;
			break;
		case OPT_EMIT:
			if (strcmp(arg, "rows") != 0 && strcmp(arg, "events") != 0)
				fs_usage_error(usage, "--emit: \"%s\" is neither events nor rows", arg);
			feat.emit_rows = strcmp(arg, "rows") == 0;
			break;
		case OPT_INTO:
			if (!*arg)
				fs_usage_error(usage, "--into: the name must not be empty");
			feat.into = arg;
			break;
		case OPT_LATENESS:
			feat.lateness = fs_cli_duration(&cli, "--lateness", arg);
			break;
		}
	}
	fs_cli_free(&cli);
	if (!feat.spec_path)
		fs_usage_error(usage, "no --spec given; a spec names the key and the features");
	if (loop.kcat && loop.regex)
		fs_usage_error(usage, "--kcat and --regex exclude each other");
	feat.time_field = loop.time_field;
	feat.kcat = loop.kcat;

	char err[512];
	int status;
	struct fs_feat *ff = fs_feat_new(&feat, err, sizeof err, &status);
	if (!ff)
		fs_die(status, "%s", err);
	struct fs_step step = {.ctx = ff, .step = fs_feat_step};
	status = fs_loop_run(&loop, argv + optind, argc - optind, &step);
	fs_feat_free(ff);
	return status;
}
