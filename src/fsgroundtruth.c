/* fsgroundtruth: delayed labels joined to predictions; quality per window.
 *
 * Options into a config, the engine from lib/truth.c, then the shared loop
 * with the labels as its side input (lib/loop.c reads both at once); the
 * exit status says whether an --alert fired.
 */
#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/loop.h"
#include "lib/stats.h"
#include "lib/truth.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"fsgroundtruth --id FIELD --labels FILE [--label-field FIELD] [--label-time-field PATH]\n"
	"              [--maturity DURATION] [--absent-label VALUE] [--window N|DURATION]\n"
	"              [--threshold P] [--score-field PATH] [--classes LIST] [--emit joined]\n"
	"              [--provisional] [--alert EXPR ...] [--state FILE [--checkpoint EVERY]]\n"
	"              [--compare FIELD [--arms A,B] | --compare-scores A,B] [--alpha P]\n"
	"              [--min-labels N] [--horizon N [--spending obf|pocock|fixed|none]]\n"
	"              [-t PATH] [-u UNIT] [-o FILE] [--kcat | --regex PATTERN] [--errors FILE]\n"
	"              [--max-errors N] [PREDICTIONS ...]";

static const char description[] =
	"Joins labels that arrive late (--labels, read alongside the predictions: a\n"
	"file, a FIFO or a process substitution) to predictions by id, and writes the\n"
	"model's quality per window of prediction time once its labels are in: counts,\n"
	"TP/FP/TN/FN, precision, recall, F1, accuracy, ROC AUC, PR AUC, log loss, Brier\n"
	"score, ECE and label delays. With --compare or --compare-scores, also a\n"
	"champion against a challenger: each one's metrics with intervals, DeLong's\n"
	"test of their ROC AUCs and a verdict. Exit status 2 when an --alert fired, else 0.";

enum { OPT_ID = FS_OPT_TOOL, OPT_LABELS, OPT_LABEL_FIELD, OPT_LABEL_TIME_FIELD, OPT_MATURITY,
       OPT_ABSENT_LABEL, OPT_WINDOW, OPT_THRESHOLD, OPT_SCORE_FIELD, OPT_CLASSES, OPT_EMIT,
       OPT_PROVISIONAL, OPT_ALERT, OPT_COMPARE, OPT_ARMS, OPT_COMPARE_SCORES, OPT_ALPHA,
       OPT_MIN_LABELS, OPT_HORIZON, OPT_SPENDING };

static const struct fs_option options[] = {
	{"absent-label", 0, "VALUE", "label of a prediction still unlabeled at maturity", OPT_ABSENT_LABEL},
	{"alert", 0, "EXPR", "alert when a mature window's metric is so: recall<0.6 (< <= > >=)", OPT_ALERT},
	{"alpha", 0, "P", "a comparison's test level; intervals at 1 - P (default: 0.05)", OPT_ALPHA},
	{"arms", 0, "A,B", "--compare's champion and challenger values (default: champion,challenger)", OPT_ARMS},
	{"classes", 0, "LIST", "a,b,c: multiclass label names, in the order of scores", OPT_CLASSES},
	{"compare", 0, "FIELD", "compare two arms of an A/B split by this field (arm)", OPT_COMPARE},
	{"compare-scores", 0, "A,B", "compare two scores of each prediction (score,score_shadow)", OPT_COMPARE_SCORES},
	{"emit", 0, "joined", "also write each prediction with its label once known", OPT_EMIT},
	{"horizon", 0, "N", "also a running comparison over the first N labels, its looks corrected", OPT_HORIZON},
	{"id", 0, "FIELD", "the field that joins a label to its prediction", OPT_ID},
	{"label-field", 0, "FIELD", "the label's field in a label record (default: label)", OPT_LABEL_FIELD},
	{"label-time-field", 0, "PATH", "the label's time field (default: the --time-field)", OPT_LABEL_TIME_FIELD},
	{"labels", 'l', "FILE", "read labels from FILE (a file, FIFO or <(command))", OPT_LABELS},
	{"maturity", 0, "DURATION", "how long a label may take (default: 30d)", OPT_MATURITY},
	{"min-labels", 0, "N", "no verdict from fewer labels (default: 100)", OPT_MIN_LABELS},
	{"provisional", 0, NULL, "also write open windows' metrics as each window ends", OPT_PROVISIONAL},
	{"score-field", 0, "PATH", "the prediction's score (default: score, else scores)", OPT_SCORE_FIELD},
	{"spending", 0, "NAME", "--horizon's alpha spending: obf (default), pocock, fixed or none", OPT_SPENDING},
	{"threshold", 0, "P", "a score at or above P predicts positive (default: 0.5)", OPT_THRESHOLD},
	{"window", 'w', "N|DURATION", "metrics per DURATION of prediction time (default: 1d) or N predictions", OPT_WINDOW},
	FS_INPUT_OPTIONS,
	FS_TIME_OPTIONS,
	FS_STATE_OPTIONS,
	{NULL, 0, NULL, NULL, 0},
};

int main(int argc, char **argv)
{
	struct fs_loop_config loop = {.max_errors = -1};
	struct fs_truth_config tc = {.label_field = "label", .maturity_ns = 30 * 86400 * FS_NS_PER_SEC,
	                             .maturity_arg = "30d",
	                             .window_ns = 86400 * FS_NS_PER_SEC, .threshold = 0.5,
	                             .alpha = 0.05, .min_labels = 100, .spending = FS_SPEND_OBF};
	struct fs_cli cli;
	const char *arg, *labels = NULL, *unit = "s";
	int id, has_spending = 0, has_test = 0;
	fs_prog = "fsgroundtruth";
	tc.alerts = fs_xcalloc((size_t)argc, sizeof *tc.alerts);
	fs_cli_init(&cli, options, usage, argc, argv);
	while ((id = fs_cli_next(&cli, &arg)) != -1) {
		if (id == FS_OPT_TIME_UNIT)
			unit = arg;
		if (fs_cli_common(&cli, &loop, id, arg, description))
			continue;
		switch (id) {
		case OPT_ID:
			tc.id = arg;
			break;
		case OPT_LABELS:
			labels = arg;
			break;
		case OPT_LABEL_FIELD:
			tc.label_field = arg;
			break;
		case OPT_LABEL_TIME_FIELD:
			tc.label_time_field = arg;
			break;
		case OPT_MATURITY:
			tc.maturity_ns = fs_cli_duration(&cli, "--maturity", arg);
			tc.maturity_arg = arg;
			break;
		case OPT_ABSENT_LABEL:
			tc.absent_label = arg;
			break;
		case OPT_WINDOW:
			if (arg[strspn(arg, "0123456789")] == '\0') {
				tc.window_events = (uint64_t)fs_cli_number(&cli, "--window", arg, 1, LLONG_MAX);
				tc.window_ns = 0;
			} else {
				tc.window_ns = fs_cli_duration(&cli, "--window", arg);
				tc.window_events = 0;
			}
			break;
		case OPT_THRESHOLD: {
			char *end;
			tc.threshold = strtod(arg, &end);
			if (end == arg || *end || !isfinite(tc.threshold))
				fs_usage_error(usage, "--threshold: \"%s\" is not a number", arg);
			break;
		}
		case OPT_SCORE_FIELD:
			tc.score_field = arg;
			break;
		case OPT_CLASSES:
			tc.classes = arg;
			break;
		case OPT_EMIT:
			if (strcmp(arg, "joined") != 0)
				fs_usage_error(usage, "--emit: \"%s\" is not a record kind to add; use --emit joined "
				               "(metrics and alerts are always written)", arg);
			tc.emit_joined = 1;
			break;
		case OPT_PROVISIONAL:
			tc.provisional = 1;
			break;
		case OPT_ALERT:
			tc.alerts[tc.nalerts++] = (char *)arg;
			break;
		case OPT_COMPARE:
			tc.compare = arg;
			break;
		case OPT_ARMS:
			tc.arms = arg;
			break;
		case OPT_COMPARE_SCORES:
			tc.compare_scores = arg;
			break;
		case OPT_ALPHA: {
			char *end;
			tc.alpha = strtod(arg, &end);
			if (end == arg || *end || !(tc.alpha > 0 && tc.alpha < 1))
				fs_usage_error(usage, "--alpha: \"%s\" is not a level between 0 and 1 (0.05)", arg);
			has_test = 1;
			break;
		}
		case OPT_MIN_LABELS:
			tc.min_labels = (uint64_t)fs_cli_number(&cli, "--min-labels", arg, 0, LLONG_MAX);
			has_test = 2;
			break;
		case OPT_HORIZON:
			tc.horizon = (uint64_t)fs_cli_number(&cli, "--horizon", arg, 1, LLONG_MAX);
			break;
		case OPT_SPENDING:
			tc.spending = fs_spending_parse(arg);
			if (tc.spending < 0)
				fs_usage_error(usage, "--spending: \"%s\" is not obf, pocock, fixed or none", arg);
			has_spending = 1;
			break;
		}
	}
	fs_cli_free(&cli);
	if (!tc.id)
		fs_usage_error(usage, "--id FIELD is required: the field a label shares with its prediction");
	if (!labels)
		fs_usage_error(usage, "--labels FILE is required (a file, a FIFO or <(command))");
	if (loop.kcat && loop.regex)
		fs_usage_error(usage, "--kcat and --regex exclude each other");
	if ((loop.checkpoint_records || loop.checkpoint_ns) && !loop.state)
		fs_usage_error(usage, "--checkpoint needs --state FILE to write to");
	if (has_test && !tc.compare && !tc.compare_scores)
		fs_usage_error(usage, "%s is an option of --compare and --compare-scores",
		               has_test == 1 ? "--alpha" : "--min-labels");
	if (has_spending && !tc.horizon)
		fs_usage_error(usage, "--spending is how a running comparison's looks share --alpha: "
		               "give --horizon N (the labels it ends at) too");
	loop.need_time = 1;
	tc.keep_open = loop.state != NULL;
	tc.time_field = loop.time_field ? loop.time_field : "ts";
	tc.time_unit = unit;
	char err[2048];
	struct fs_truth *t = fs_truth_new(&tc, err, sizeof err);
	if (!t)
		fs_usage_error(usage, "%s", err);
	char *side_files[] = {(char *)labels};
	struct fs_side side = {.files = side_files, .nfiles = 1, .what = "label-",
	                       .time_field = tc.label_time_field, .step = fs_truth_label};
	struct fs_step step = {.ctx = t, .step = fs_truth_prediction, .raw = 1,
	                       .canonical = fs_truth_canonical(t), .save = fs_truth_save,
	                       .load = fs_truth_load, .finish = fs_truth_finish, .side = &side};
	int status = fs_loop_run(&loop, argv + optind, argc - optind, &step);
	if (status == FS_EX_OK)
		status = fs_truth_status(t);
	fs_truth_free(t);
	free(tc.alerts);
	return status;
}
