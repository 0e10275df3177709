/* fspsi: drift of inputs and predictions against a training baseline.
 *
 * Options into a config, the baseline into an engine (lib/drift.c), then
 * the shared loop (lib/loop.c); the exit status says ok, warn or alert.
 */
#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/drift.h"
#include "lib/loop.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"fspsi --fit [--fields LIST] [--bins N] [--from NAME] [-o FILE] [FILE ...]\n"
	"       fspsi --baseline FILE [--window N|DURATION] [--fields LIST] [--warn PSI]\n"
	"             [--alert PSI] [--report FILE] [--format ndjson|table] [--from NAME]\n"
	"             [-t PATH] [-u UNIT] [-o FILE] [--kcat | --regex PATTERN] [--errors FILE]\n"
	"             [--max-errors N] [FILE ...]";

static const char description[] =
	"Fits a baseline of each feature's distribution on training data (--fit), or\n"
	"measures the drift of a stream from one (--baseline): per window and feature\n"
	"PSI, Jensen-Shannon distance and Kolmogorov-Smirnov statistic, with a status\n"
	"and an exit status of 0 (ok), 1 (warn) or 2 (alert) for cron.";

enum { OPT_FIT = FS_OPT_TOOL, OPT_FIELDS, OPT_BINS, OPT_BASELINE, OPT_WINDOW, OPT_WARN, OPT_ALERT,
       OPT_REPORT, OPT_FORMAT, OPT_FROM };

static const struct fs_option options[] = {
	{"alert", 0, "PSI", "alert at this PSI or more (default: 0.2)", OPT_ALERT},
	{"baseline", 'b', "FILE", "compare the input with this baseline", OPT_BASELINE},
	{"bins", 0, "N", "with --fit: quantile bins and top categories (default: 10)", OPT_BINS},
	{"fields", 0, "LIST", "a,b,c: only these features (default: all)", OPT_FIELDS},
	{"fit", 0, NULL, "write a baseline of the input's features to stdout", OPT_FIT},
	{"format", 0, "FORMAT", "ndjson (default) or table: an aligned summary", OPT_FORMAT},
	{"from", 0, "NAME", "object holding the features (default: features; . = the event)", OPT_FROM},
	{"report", 0, "FILE", "also write a self-contained HTML report to FILE", OPT_REPORT},
	{"warn", 0, "PSI", "warn at this PSI or more (default: 0.1)", OPT_WARN},
	{"window", 'w', "N|DURATION", "a window every N events or DURATION of event time", OPT_WINDOW},
	FS_INPUT_OPTIONS,
	FS_TIME_OPTIONS,
	{NULL, 0, NULL, NULL, 0},
};

static double psi_arg(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !isfinite(v) || v < 0)
		fs_usage_error(usage, "%s: \"%s\" is not a PSI (a number of 0 or more)", opt, arg);
	return v;
}

int main(int argc, char **argv)
{
	struct fs_loop_config loop = {.max_errors = -1};
	struct fs_drift_config dc = {.bins = 10, .warn = 0.1, .alert = 0.2};
	struct fs_cli cli;
	const char *arg;
	int id, bins_given = 0;

	fs_prog = "fspsi";
	fs_cli_init(&cli, options, usage, argc, argv);
	while ((id = fs_cli_next(&cli, &arg)) != -1) {
		if (fs_cli_common(&cli, &loop, id, arg, description))
			continue;
		switch (id) {
		case OPT_FIT:
			dc.fit = 1;
			break;
		case OPT_FIELDS:
			dc.fields = arg;
			break;
		case OPT_BINS:
			dc.bins = (int)fs_cli_number(&cli, "--bins", arg, 2, 100);
			bins_given = 1;
			break;
		case OPT_BASELINE:
			dc.baseline = arg;
			break;
		case OPT_WINDOW:
			if (arg[strspn(arg, "0123456789")] == '\0')
				dc.window_events = (uint64_t)fs_cli_number(&cli, "--window", arg, 1, LLONG_MAX);
			else
				dc.window_ns = fs_cli_duration(&cli, "--window", arg);
			break;
		case OPT_WARN:
			dc.warn = psi_arg("--warn", arg);
			break;
		case OPT_ALERT:
			dc.alert = psi_arg("--alert", arg);
			break;
		case OPT_REPORT:
			dc.report = arg;
			break;
		case OPT_FORMAT:
			if (strcmp(arg, "table") && strcmp(arg, "ndjson"))
				fs_usage_error(usage, "--format: \"%s\" is neither ndjson nor table", arg);
			dc.table = !strcmp(arg, "table");
			break;
		case OPT_FROM:
			if (!*arg)
				fs_usage_error(usage, "--from: the name must not be empty (. is the event itself)");
			dc.from = arg;
			break;
		}
	}
	fs_cli_free(&cli);
	if (dc.fit == !!dc.baseline)
		fs_usage_error(usage, dc.fit ? "--fit and --baseline exclude each other"
		                             : "give --fit (to make a baseline) or --baseline FILE");
	if (dc.fit && (dc.window_events || dc.window_ns || dc.report || dc.table))
		fs_usage_error(usage, "--window, --report and --format go with --baseline, not --fit");
	if (!dc.fit && bins_given)
		fs_usage_error(usage, "--bins goes with --fit: the baseline fixes the bins");
	if (dc.alert < dc.warn)
		fs_usage_error(usage, "--alert %g is below --warn %g", dc.alert, dc.warn);
	if (loop.kcat && loop.regex)
		fs_usage_error(usage, "--kcat and --regex exclude each other");
	loop.need_time = dc.window_ns != 0;
	dc.inputs = argv + optind;
	dc.ninputs = argc - optind;

	char err[768];
	int status;
	struct fs_drift *d = fs_drift_new(&dc, err, sizeof err, &status);
	if (!d) {
		if (status == FS_EX_USAGE)
			fs_usage_error(usage, "%s", err);
		fs_die(status, "%s", err);
	}
	struct fs_step step = {.ctx = d, .step = fs_drift_step, .raw = 1, .finish = fs_drift_finish};
	status = fs_loop_run(&loop, argv + optind, argc - optind, &step);
	if (status == FS_EX_OK)
		status = fs_drift_status(d);
	fs_drift_free(d);
	return status;
}
