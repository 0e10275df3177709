/* fsscore: embedded scoring with XGBoost and linear models, hot reload.
 *
 * Options into a config, the models into an engine (lib/score.c over
 * lib/model.c), then the shared loop (lib/loop.c).
 */
#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/json.h"
#include "lib/loop.h"
#include "lib/model.h"
#include "lib/score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"fsscore --model FILE [--shadow FILE] [--from NAME] [--features LIST]\n"
	"               [--threshold T] [--watch] [--strict] [-o FILE] [--kcat | --regex PATTERN]\n"
	"               [--errors FILE] [--max-errors N] [FILE ...]\n"
	"       fsscore --model FILE [--shadow FILE] --check";

static const char description[] =
	"Scores each event with a model trained elsewhere (XGBoost JSON, or the fstools\n"
	"linear format) and writes the event with \"score\" (\"scores\" and \"class\" for\n"
	"multiclass) and \"model\" appended. On SIGHUP, and with --watch when the file\n"
	"changes, the model is reloaded between two events; a bad file leaves the old\n"
	"model serving.";

enum { OPT_MODEL = FS_OPT_TOOL, OPT_SHADOW, OPT_FROM, OPT_FEATURES, OPT_THRESHOLD, OPT_WATCH,
       OPT_STRICT, OPT_CHECK };

static const struct fs_option options[] = {
	{"check", 0, NULL, "load the models, print what they are as JSON, and exit", OPT_CHECK},
	{"features", 0, "LIST", "a,b,c: names of the model's features, in order", OPT_FEATURES},
	{"from", 0, "NAME", "object holding the features (default: features; . = the event)", OPT_FROM},
	{"model", 'm', "FILE", "the model: XGBoost JSON or fstools-linear", OPT_MODEL},
	{"shadow", 0, "FILE", "also score with FILE, as score_shadow and model_shadow", OPT_SHADOW},
	{"strict", 0, NULL, "reject events that lack a feature (null still counts as missing)", OPT_STRICT},
	{"threshold", 0, "T", "add \"flag\": true when score >= T", OPT_THRESHOLD},
	{"watch", 0, NULL, "reload a model as soon as its file is replaced or rewritten", OPT_WATCH},
	FS_INPUT_OPTIONS,
	{NULL, 0, NULL, NULL, 0},
};

/* --check: one JSON line per model: id, kind, outputs and feature names. */
static int check(const struct fs_score_config *cfg)
{
	const char *paths[] = {cfg->model, cfg->shadow};
	struct fs_buf b = {0};
	for (size_t i = 0; i < 2 && paths[i]; i++) {
		char err[768];
		int status;
		struct fs_model *m = fs_model_load(paths[i], err, sizeof err, &status);
		if (!m)
			fs_die(status, "%s", err);
		fs_buf_puts(&b, "{\"model\":");
		fs_json_put_string(&b, fs_model_id(m), strlen(fs_model_id(m)));
		fs_buf_puts(&b, ",\"kind\":");
		fs_json_put_string(&b, fs_model_describe(m), strlen(fs_model_describe(m)));
		fs_buf_puts(&b, ",\"outputs\":");
		fs_json_put_double(&b, (double)fs_model_noutputs(m));
		fs_buf_puts(&b, ",\"features\":[");
		for (size_t f = 0; f < fs_model_nfeatures(m); f++) {
			const char *n = fs_model_feature(m, f);
			if (f)
				fs_buf_putc(&b, ',');
			if (n)
				fs_json_put_string(&b, n, strlen(n));
			else
				fs_buf_puts(&b, "null");
		}
		fs_buf_puts(&b, "]}\n");
		fs_model_free(m);
	}
	fwrite(b.p, 1, b.len, stdout);
	fs_buf_free(&b);
	return fclose(stdout) == 0 ? FS_EX_OK : FS_EX_IOERR;
}

int main(int argc, char **argv)
{
	struct fs_loop_config loop = {.max_errors = -1};
	struct fs_score_config sc = {0};
	struct fs_cli cli;
	const char *arg;
	int id, want_check = 0;

	fs_prog = "fsscore";
	fs_cli_init(&cli, options, usage, argc, argv);
	while ((id = fs_cli_next(&cli, &arg)) != -1) {
		if (fs_cli_common(&cli, &loop, id, arg, description))
			continue;
		switch (id) {
		case OPT_MODEL:
			sc.model = arg;
			break;
		case OPT_SHADOW:
			sc.shadow = arg;
			break;
		case OPT_FROM:
			if (!*arg)
				fs_usage_error(usage, "--from: the name must not be empty (. is the event itself)");
			sc.from = arg;
			break;
		case OPT_FEATURES:
			sc.features = arg;
			break;
		case OPT_THRESHOLD: {
			char *end;
			sc.threshold = strtod(arg, &end);
			if (end == arg || *end || !isfinite(sc.threshold))
				fs_usage_error(usage, "--threshold: \"%s\" is not a number", arg);
			sc.has_threshold = 1;
			break;
		}
		case OPT_WATCH:
			sc.watch = 1;
			break;
		case OPT_STRICT:
			sc.strict = 1;
			break;
		case OPT_CHECK:
			want_check = 1;
			break;
		}
	}
	fs_cli_free(&cli);
	if (!sc.model)
		fs_usage_error(usage, "no --model given");
	if (want_check)
		return check(&sc);
	if (loop.kcat && loop.regex)
		fs_usage_error(usage, "--kcat and --regex exclude each other");
	sc.kcat = loop.kcat;

	char err[768];
	int status;
	struct fs_score *s = fs_score_new(&sc, err, sizeof err, &status);
	if (!s) {
		if (status == FS_EX_USAGE)
			fs_usage_error(usage, "%s", err);
		fs_die(status, "%s", err);
	}
	struct fs_step step = {.ctx = s, .step = fs_score_step, .raw = 1, .poll = fs_score_poll};
	status = fs_loop_run(&loop, argv + optind, argc - optind, &step);
	fs_score_report(s);
	fs_score_free(s);
	return status;
}
