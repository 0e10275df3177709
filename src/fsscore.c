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
#include "lib/serve.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"fsscore --model FILE [--shadow FILE] [--from NAME] [--features LIST]\n"
	"               [--challenger FILE --split FRACTION [--split-key FIELD] [--split-seed N]]\n"
	"               [--threshold T] [--suffix S] [--watch] [--strict] [-o FILE]\n"
	"               [--batch N [--batch-wait DURATION]] [--threads N]\n"
	"               [--kcat | --regex PATTERN] [--errors FILE] [--max-errors N] [FILE ...]\n"
	"       fsscore --learn --label FIELD [--model FILE | --features LIST --hash LIST]\n"
	"               [--algorithm ftrl|adagrad|sgd] [--alpha A] [--beta B] [--l1 L] [--l2 L]\n"
	"               [--save FILE [--save-every N|DURATION]] [--progress FILE] [options] [FILE ...]\n"
	"       fsscore --endpoint URL [--protocol v2|tfserving] [--features LIST] [--inflight N]\n"
	"               [--batch N [--batch-wait DURATION]] [--timeout DURATION] [--retries N]\n"
	"               [--on-error fail|null|fallback:FILE] [options] [FILE ...]\n"
	"       fsscore --serve [ADDR:]PORT --model FILE [--name NAME] [--model FILE [--name NAME]]...\n"
	"               [--features LIST] [--watch] [--threads N] [--batch N] [--max-body SIZE]\n"
	"       fsscore --model FILE [--shadow FILE] [--challenger FILE] --check";

static const char description[] =
	"Scores each event with a model trained elsewhere (XGBoost JSON, the fstools\n"
	"linear format, or TorchScript) and writes the event with \"score\" (\"scores\" and \"class\" for\n"
	"multiclass) and \"model\" appended. With --challenger, a share of the\n"
	"entities is scored by another model (an A/B split), marked with \"arm\". On SIGHUP, and with --watch when the file\n"
	"changes, the model is reloaded between two events; a bad file leaves the old\n"
	"model serving. With --learn, a linear model learns from each event's label\n"
	"after scoring it (progressive validation) and is saved for serving. With\n"
	"--serve, the models are served over HTTP (KServe V2 and TF Serving REST);\n"
	"with --endpoint, each event is scored by such a model server instead.";

enum { OPT_MODEL = FS_OPT_TOOL, OPT_SHADOW, OPT_FROM, OPT_FEATURES, OPT_THRESHOLD, OPT_WATCH,
       OPT_STRICT, OPT_CHECK, OPT_SUFFIX, OPT_LEARN, OPT_LABEL, OPT_HASH, OPT_HASH_BITS,
       OPT_ALGORITHM, OPT_LOSS, OPT_ALPHA, OPT_BETA, OPT_L1, OPT_L2, OPT_SCHEDULE, OPT_MIN_RATE,
       OPT_CLIP, OPT_SAVE, OPT_SAVE_EVERY, OPT_PROGRESS, OPT_PROGRESS_EVERY, OPT_AUC_WINDOW,
       OPT_QUIET, OPT_SERVE, OPT_NAME, OPT_THREADS, OPT_MAX_BODY,
       OPT_ENDPOINT, OPT_PROTOCOL, OPT_INFLIGHT, OPT_BATCH, OPT_BATCH_WAIT, OPT_TIMEOUT, OPT_RETRIES,
       OPT_RETRY_WAIT, OPT_ON_ERROR, OPT_CHALLENGER, OPT_SPLIT, OPT_SPLIT_KEY, OPT_SPLIT_SEED };

static const struct fs_option options[] = {
	{"algorithm", 0, "NAME", "--learn with ftrl (default), adagrad or sgd", OPT_ALGORITHM},
	{"alpha", 0, "A", "learning rate: alpha / (beta + sqrt(sum of g^2)) (default: 0.1)", OPT_ALPHA},
	{"auc-window", 0, "N", "the progress's recent AUC covers N examples (default: 10000)", OPT_AUC_WINDOW},
	{"batch", 0, "N", "events per pass of the model, or per --endpoint request (default: 1)", OPT_BATCH},
	{"batch-wait", 0, "DURATION", "a partial batch waits this long for more when input pauses (default: 0)", OPT_BATCH_WAIT},
	{"beta", 0, "B", "see --alpha (default: 1)", OPT_BETA},
	{"challenger", 0, "FILE", "score --split's share of the entities with FILE instead, with \"arm\"", OPT_CHALLENGER},
	{"check", 0, NULL, "load the models, print what they are as JSON, and exit", OPT_CHECK},
	{"clip", 0, "C", "cap the gradient's L2 norm at C", OPT_CLIP},
	{"endpoint", 0, "URL", "score with the model server at URL (.../v2/models/NAME/infer or .../v1/models/NAME:predict)", OPT_ENDPOINT},
	{"features", 0, "LIST", "a,b,c: names of the model's (or learner's numeric) features", OPT_FEATURES},
	{"from", 0, "NAME", "object holding the features (default: features; . = the event)", OPT_FROM},
	{"hash", 0, "LIST", "a,b: string fields the learner hashes into weight buckets", OPT_HASH},
	{"hash-bits", 0, "N", "2^N buckets for hashed fields (default: 18)", OPT_HASH_BITS},
	{"inflight", 0, "N", "--endpoint: requests at once, on keep-alive connections (default: 4)", OPT_INFLIGHT},
	{"l1", 0, "L", "L1 regularization (default: 0)", OPT_L1},
	{"l2", 0, "L", "L2 regularization (default: 0)", OPT_L2},
	{"label", 0, "FIELD", "--learn from this field: 0/1, or a number with --loss squared", OPT_LABEL},
	{"learn", 0, NULL, "learn a linear model from the labelled events while scoring", OPT_LEARN},
	{"loss", 0, "LOSS", "log (logistic link, default) or squared (identity)", OPT_LOSS},
	{"max-body", 0, "SIZE", "--serve: larger request bodies get a 413 (default: 16M)", OPT_MAX_BODY},
	{"min-rate", 0, "R", "no learning rate falls below R, to follow drift", OPT_MIN_RATE},
	{"model", 'm', "FILE", "the model: XGBoost JSON, fstools-linear or TorchScript", OPT_MODEL},
	{"name", 0, "NAME", "--serve the --model before it as NAME (default: its file name)", OPT_NAME},
	{"on-error", 0, "POLICY", "--endpoint failed for good: fail (exit 69), null, or fallback:FILE", OPT_ON_ERROR},
	{"progress", 0, "FILE", "progressive validation records as NDJSON to FILE", OPT_PROGRESS},
	{"progress-every", 0, "N", "progress every N labelled examples (default: 1, 2, 4, 8...)", OPT_PROGRESS_EVERY},
	{"protocol", 0, "NAME", "--endpoint's: v2 or tfserving (default: from the URL)", OPT_PROTOCOL},
	{"quiet", 'q', NULL, "no progress table on standard error", OPT_QUIET},
	{"retries", 0, "N", "--endpoint: tries after the first for errors worth one (default: 3)", OPT_RETRIES},
	{"retry-wait", 0, "DURATION", "the first retry's wait, doubled each time (default: 100ms)", OPT_RETRY_WAIT},
	{"save", 0, "FILE", "save the learned model to FILE (atomically), at exit and --save-every", OPT_SAVE},
	{"save-every", 0, "EVERY", "also save every N examples learned or DURATION", OPT_SAVE_EVERY},
	{"schedule", 0, "NAME", "sgd's rate: invsqrt (alpha/sqrt(t), default) or constant", OPT_SCHEDULE},
	{"serve", 0, "[ADDR:]PORT", "serve the models over HTTP (default ADDR: 127.0.0.1)", OPT_SERVE},
	{"shadow", 0, "FILE", "also score with FILE, as score_shadow and model_shadow", OPT_SHADOW},
	{"split", 0, "FRACTION", "the challenger's share of split keys, 0 to 1 (sticky per key)", OPT_SPLIT},
	{"split-key", 0, "FIELD", "the entity an arm belongs to (default: @key with --kcat)", OPT_SPLIT_KEY},
	{"split-seed", 0, "N", "another seed reshuffles the arms (default: 0)", OPT_SPLIT_SEED},
	{"strict", 0, NULL, "reject events that lack a feature (null still counts as missing)", OPT_STRICT},
	{"suffix", 0, "S", "write score+S, model+S, ... (an event already scored once)", OPT_SUFFIX},
	{"timeout", 0, "DURATION", "--endpoint: give up on an attempt after DURATION (default: 1s)", OPT_TIMEOUT},
	{"threads", 0, "N", "libtorch's threads in a pass (default: 1); --serve: request threads (default: one per CPU)", OPT_THREADS},
	{"threshold", 0, "T", "add \"flag\": true when score >= T", OPT_THRESHOLD},
	{"watch", 0, NULL, "reload a model as soon as its file is replaced or rewritten", OPT_WATCH},
	FS_INPUT_OPTIONS,
	{NULL, 0, NULL, NULL, 0},
};

/* --check: one JSON line per model: id, kind, outputs and feature names. */
static int check(const struct fs_score_config *cfg)
{
	const char *paths[] = {cfg->model, cfg->shadow ? cfg->shadow : cfg->challenger,
	                       cfg->shadow ? cfg->challenger : NULL};
	size_t ngiven = 0;
	char **given = cfg->features ? fs_cli_list(cfg->features, &ngiven) : NULL;
	struct fs_buf b = {0};
	for (size_t i = 0; i < 3 && paths[i]; i++) {
		char err[768];
		int status;
		struct fs_model *m = fs_model_load(paths[i], given, ngiven, err, sizeof err, &status);
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
		fs_buf_putc(&b, ']');
		const struct fs_linear *lin = fs_model_linear(m);
		if (lin && lin->nhashed) {
			fs_buf_puts(&b, ",\"hashed\":[");
			for (size_t f = 0; f < lin->nhashed; f++) {
				if (f)
					fs_buf_putc(&b, ',');
				fs_json_put_string(&b, lin->hashed[f], strlen(lin->hashed[f]));
			}
			fs_buf_putc(&b, ']');
		}
		fs_buf_puts(&b, "}\n");
		fs_model_free(m);
	}
	fwrite(b.p, 1, b.len, stdout);
	fs_buf_free(&b);
	fs_cli_list_free(given, ngiven);
	return fclose(stdout) == 0 ? FS_EX_OK : FS_EX_IOERR;
}

/* A finite number >= min (> min when open), or a usage error. */
static double number(const char *opt, const char *arg, double min, int open)
{
	char *end;
	double d = strtod(arg, &end);
	if (end == arg || *end || !isfinite(d) || d < min || (open && d == min))
		fs_usage_error(usage, "--%s: \"%s\" is not a number %s %g", opt, arg, open ? ">" : ">=",
		               min);
	return d;
}

/* Options of one mode only, and the mode they belong to: a usage error
 * names the last one given when its mode is not on. */
enum { MODE_LEARN, MODE_SERVE, MODE_ENDPOINT, NMODES };

static int mode_of(int id)
{
	switch (id) {
	case OPT_HASH: case OPT_HASH_BITS: case OPT_ALGORITHM: case OPT_LOSS: case OPT_ALPHA:
	case OPT_BETA: case OPT_L1: case OPT_L2: case OPT_SCHEDULE: case OPT_MIN_RATE: case OPT_CLIP:
	case OPT_SAVE: case OPT_SAVE_EVERY: case OPT_PROGRESS: case OPT_PROGRESS_EVERY:
	case OPT_AUC_WINDOW: case OPT_QUIET:
		return MODE_LEARN;
	case OPT_NAME: case OPT_MAX_BODY:
		return MODE_SERVE;
	case OPT_PROTOCOL: case OPT_INFLIGHT: case OPT_TIMEOUT:
	case OPT_RETRIES: case OPT_RETRY_WAIT: case OPT_ON_ERROR:
		return MODE_ENDPOINT;
	}
	return -1;
}

/* "--name" of an option id, or NULL for none. */
static const char *option_name(int id, char buf[64])
{
	for (const struct fs_option *o = options; o->name; o++)
		if (o->id == id) {
			snprintf(buf, 64, "--%s", o->name);
			return buf;
		}
	return NULL;
}

int main(int argc, char **argv)
{
	struct fs_loop_config loop = {.max_errors = -1};
	struct fs_score_config sc = {
		.learn_cfg = {.algo = FS_LEARN_FTRL, .squared = -1, .alpha = 0.1, .beta = 1,
		              .invsqrt = 1, .bits = 18},
		.auc_window = 10000,
	};
	struct fs_serve_config serve = {.max_body = 16 << 20};
	char **models = fs_xcalloc((size_t)argc, sizeof *models);
	char **names = fs_xcalloc((size_t)argc, sizeof *names);
	size_t nmodels = 0;
	struct fs_cli cli;
	const char *arg;
	int id, want_check = 0, has_batch_wait = 0, has_split = 0;
	const char *protocol = NULL;
	int mode_opt[NMODES] = {0};  /* per mode, the last of its options given */
	char names_buf[NMODES][64];
	sc.endpoint = (struct fs_endpoint_config){.inflight = 4, .batch = 1, .timeout_ns = 1000000000,
	                                          .retries = 3, .retry_wait_ns = 100000000};

	fs_prog = "fsscore";
	fs_cli_init(&cli, options, usage, argc, argv);
	while ((id = fs_cli_next(&cli, &arg)) != -1) {
		if (fs_cli_common(&cli, &loop, id, arg, description))
			continue;
		if (mode_of(id) >= 0)
			mode_opt[mode_of(id)] = id;
		switch (id) {
		case OPT_MODEL:
			if (!sc.model)
				sc.model = arg;
			models[nmodels++] = (char *)arg;
			break;
		case OPT_SERVE:
			serve.listen = arg;
			break;
		case OPT_ENDPOINT:
			sc.endpoint.url = arg;
			break;
		case OPT_PROTOCOL:
			if (strcmp(arg, "v2") && strcmp(arg, "tfserving"))
				fs_usage_error(usage, "--protocol: \"%s\" is not v2 or tfserving", arg);
			protocol = arg;
			break;
		case OPT_INFLIGHT:
			sc.endpoint.inflight = (unsigned)fs_cli_number(&cli, "--inflight", arg, 1, 1024);
			break;
		case OPT_BATCH:
			sc.batch = (size_t)fs_cli_number(&cli, "--batch", arg, 1, 100000);
			break;
		case OPT_BATCH_WAIT:
			sc.batch_wait_ns = strcmp(arg, "0") ? fs_cli_duration(&cli, "--batch-wait", arg) : 0;
			has_batch_wait = 1;
			break;
		case OPT_TIMEOUT:
			sc.endpoint.timeout_ns = fs_cli_duration(&cli, "--timeout", arg);
			if (sc.endpoint.timeout_ns < 1000000)
				fs_usage_error(usage, "--timeout %s: give at least 1ms", arg);
			break;
		case OPT_RETRIES:
			sc.endpoint.retries = (unsigned)fs_cli_number(&cli, "--retries", arg, 0, 20);
			break;
		case OPT_RETRY_WAIT:
			sc.endpoint.retry_wait_ns = fs_cli_duration(&cli, "--retry-wait", arg);
			break;
		case OPT_ON_ERROR:
			if (!strcmp(arg, "fail"))
				sc.on_error = FS_ON_ERROR_FAIL;
			else if (!strcmp(arg, "null"))
				sc.on_error = FS_ON_ERROR_NULL;
			else if (!strncmp(arg, "fallback:", 9) && arg[9]) {
				sc.on_error = FS_ON_ERROR_FALLBACK;
				sc.fallback = arg + 9;
			} else
				fs_usage_error(usage, "--on-error: \"%s\" is not fail, null or fallback:FILE", arg);
			break;
		case OPT_NAME:
			if (!nmodels)
				fs_usage_error(usage, "--name %s: it names the --model given before it", arg);
			if (names[nmodels - 1])
				fs_usage_error(usage, "--name %s: %s is already named %s", arg, models[nmodels - 1],
				               names[nmodels - 1]);
			names[nmodels - 1] = (char *)arg;
			break;
		case OPT_THREADS:
			sc.threads = (int)fs_cli_number(&cli, "--threads", arg, 1, 1024);
			break;
		case OPT_MAX_BODY:
			serve.max_body = (size_t)fs_cli_size(&cli, "--max-body", arg);
			break;
		case OPT_SHADOW:
			sc.shadow = arg;
			break;
		case OPT_CHALLENGER:
			sc.challenger = arg;
			break;
		case OPT_SPLIT: {
			char *end;
			sc.split = strtod(arg, &end);
			if (end == arg || *end || !(sc.split >= 0 && sc.split <= 1))
				fs_usage_error(usage, "--split: \"%s\" is not a fraction from 0 to 1 (the "
				               "challenger's share: 0.1 for 10%%)", arg);
			has_split = 1;
			break;
		}
		case OPT_SPLIT_KEY:
			sc.split_key = arg;
			break;
		case OPT_SPLIT_SEED:
			sc.split_seed = (uint64_t)fs_cli_number(&cli, "--split-seed", arg, 0, LLONG_MAX);
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
		case OPT_SUFFIX:
			if (!*arg || strlen(arg) > 24)
				fs_usage_error(usage, "--suffix: give 1 to 24 characters, such as _online");
			sc.suffix = arg;
			break;
		case OPT_LEARN:
			sc.learn = 1;
			break;
		case OPT_LABEL:
			sc.label = arg;
			break;
		case OPT_HASH:
			sc.hash = arg;
			break;
		case OPT_HASH_BITS:
			sc.learn_cfg.bits = (unsigned)fs_cli_number(&cli, "--hash-bits", arg, 1,
			                                            FS_HASH_BITS_MAX);
			break;
		case OPT_ALGORITHM:
			if (!strcmp(arg, "ftrl"))
				sc.learn_cfg.algo = FS_LEARN_FTRL;
			else if (!strcmp(arg, "adagrad"))
				sc.learn_cfg.algo = FS_LEARN_ADAGRAD;
			else if (!strcmp(arg, "sgd"))
				sc.learn_cfg.algo = FS_LEARN_SGD;
			else
				fs_usage_error(usage, "--algorithm: \"%s\" is not one of ftrl, adagrad, sgd", arg);
			break;
		case OPT_LOSS:
			if (strcmp(arg, "log") && strcmp(arg, "squared"))
				fs_usage_error(usage, "--loss: \"%s\" is not log or squared", arg);
			sc.learn_cfg.squared = !strcmp(arg, "squared");
			break;
		case OPT_ALPHA:
			sc.learn_cfg.alpha = number("alpha", arg, 0, 1);
			break;
		case OPT_BETA:
			sc.learn_cfg.beta = number("beta", arg, 0, 1);
			break;
		case OPT_L1:
			sc.learn_cfg.l1 = number("l1", arg, 0, 0);
			break;
		case OPT_L2:
			sc.learn_cfg.l2 = number("l2", arg, 0, 0);
			break;
		case OPT_SCHEDULE:
			if (strcmp(arg, "invsqrt") && strcmp(arg, "constant"))
				fs_usage_error(usage, "--schedule: \"%s\" is not invsqrt or constant", arg);
			sc.learn_cfg.invsqrt = !strcmp(arg, "invsqrt");
			break;
		case OPT_MIN_RATE:
			sc.learn_cfg.min_rate = number("min-rate", arg, 0, 1);
			break;
		case OPT_CLIP:
			sc.learn_cfg.clip = number("clip", arg, 0, 1);
			break;
		case OPT_SAVE:
			sc.save = arg;
			break;
		case OPT_SAVE_EVERY:
			/* a bare number counts examples learned; a duration is wall time */
			if (arg[strspn(arg, "0123456789")] == '\0')
				sc.save_every = (uint64_t)fs_cli_number(&cli, "--save-every", arg, 1, LLONG_MAX);
			else
				sc.save_every_ns = fs_cli_duration(&cli, "--save-every", arg);
			break;
		case OPT_PROGRESS:
			sc.progress = arg;
			break;
		case OPT_PROGRESS_EVERY:
			sc.progress_every = (uint64_t)fs_cli_number(&cli, "--progress-every", arg, 1,
			                                            LLONG_MAX);
			break;
		case OPT_AUC_WINDOW:
			sc.auc_window = (size_t)fs_cli_number(&cli, "--auc-window", arg, 1, 100000000);
			break;
		case OPT_QUIET:
			sc.quiet = 1;
			break;
		}
	}
	fs_cli_free(&cli);
	const char *learn_opt = option_name(mode_opt[MODE_LEARN], names_buf[MODE_LEARN]);
	const char *serve_opt = option_name(mode_opt[MODE_SERVE], names_buf[MODE_SERVE]);
	const char *endpoint_opt = option_name(mode_opt[MODE_ENDPOINT], names_buf[MODE_ENDPOINT]);
	if (serve.listen) {
		const char *no = sc.learn ? "--learn" : sc.shadow ? "--shadow" : want_check ? "--check" :
		                 sc.challenger ? "--challenger" :
		                 sc.has_threshold ? "--threshold" : sc.suffix ? "--suffix" :
		                 sc.from ? "--from" : sc.strict ? "--strict" : sc.label ? "--label" :
		                 learn_opt ? learn_opt : loop.output ? "--output" : loop.errors ? "--errors" :
		                 loop.max_errors >= 0 ? "--max-errors" : loop.kcat ? "--kcat" :
		                 loop.regex ? "--regex" : NULL;
		if (!no && has_batch_wait)
			no = "--batch-wait";
		if (no)
			fs_usage_error(usage, "--serve answers HTTP requests; %s is for scoring a stream", no);
		if (optind < argc)
			fs_usage_error(usage, "--serve reads no input: \"%s\"? (clients send rows over HTTP)",
			               argv[optind]);
		if (!nmodels)
			fs_usage_error(usage, "--serve: no --model given");
		if (sc.features && nmodels > 1)
			fs_usage_error(usage, "--features names one model's features: serve a model without "
			               "names alone, or put the names in its file");
		serve.models = models;
		serve.names = names;
		serve.nmodels = nmodels;
		serve.features = sc.features;
		serve.watch = sc.watch;
		serve.threads = (unsigned)sc.threads;
		serve.batch = sc.batch;
		int rc = fs_serve_run(&serve);
		free(models);
		free(names);
		return rc;
	}
	if (serve_opt)
		fs_usage_error(usage, "%s is an option of --serve", serve_opt);
	if (endpoint_opt && !sc.endpoint.url)
		fs_usage_error(usage, "%s is an option of --endpoint", endpoint_opt);
	if (sc.endpoint.url) {
		const char *no = nmodels ? "--model (for a model to fall back on: --on-error "
		                           "fallback:FILE)" :
		                 sc.shadow ? "--shadow" : sc.challenger ? "--challenger" :
		                 sc.learn ? "--learn" : sc.watch ? "--watch" :
		                 want_check ? "--check" : learn_opt ? "a --learn option" : NULL;
		if (no)
			fs_usage_error(usage, "--endpoint scores with the model server: drop %s", no);
		sc.endpoint.proto = protocol ? (!strcmp(protocol, "v2") ? FS_PROTO_V2 : FS_PROTO_TF) :
		                    fs_endpoint_proto_of(sc.endpoint.url);
		/* the batch is the request's; a fallback model scores each event alone */
		if (sc.batch)
			sc.endpoint.batch = sc.batch;
		sc.endpoint.batch_wait_ns = sc.batch_wait_ns;
		sc.batch = 0;
		sc.batch_wait_ns = 0;
	} else if (has_batch_wait && sc.batch < 2) {
		fs_usage_error(usage, "--batch-wait is how long a partial batch waits: give --batch N "
		               "(N > 1) too");
	}
	if (sc.learn && sc.batch > 1)
		fs_usage_error(usage, "--learn learns from each event before it scores the next: drop "
		               "--batch");
	if (nmodels > 1)
		fs_usage_error(usage, "--model given %zu times: fsscore scores with one model (compare "
		               "another with --shadow; --serve serves several)", nmodels);
	free(models);
	free(names);
	if (sc.label && !sc.learn)
		fs_usage_error(usage, "--label is for --learn (fsgroundtruth measures a served model "
		               "against its labels)");
	if (learn_opt && !sc.learn)
		fs_usage_error(usage, "%s is an option of --learn", learn_opt);
	if (sc.learn && (want_check || sc.watch))
		fs_usage_error(usage, "--learn writes its model, it does not read one back: "
		               "drop %s (a second fsscore --watch serves the saved model)",
		               want_check ? "--check" : "--watch");
	if (sc.save_every && !sc.save)
		fs_usage_error(usage, "--save-every needs --save FILE");
	if (sc.save_every_ns && !sc.save)
		fs_usage_error(usage, "--save-every needs --save FILE");
	if (sc.challenger && sc.learn)
		fs_usage_error(usage, "--learn learns the champion: serve its saved file as --challenger "
		               "in the fsscore that splits the traffic");
	if (sc.challenger && !has_split && !want_check)
		fs_usage_error(usage, "--challenger needs --split FRACTION: the challenger's share of "
		               "the entities (0.1 for 10%%)");
	if (!sc.challenger && (has_split || sc.split_key || sc.split_seed))
		fs_usage_error(usage, "%s is an option of --challenger",
		               has_split ? "--split" : sc.split_key ? "--split-key" : "--split-seed");
	if (sc.challenger && !sc.split_key && !loop.kcat && !want_check)
		fs_usage_error(usage, "--split needs --split-key FIELD: the entity whose events stay in "
		               "one arm (user_id, say); with --kcat it is the message key");
	if (!sc.model && !sc.learn && !sc.endpoint.url)
		fs_usage_error(usage, "no --model given (or --endpoint URL, or --learn)");
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
	struct fs_step step = {.ctx = s, .step = fs_score_step, .raw = 1, .poll = fs_score_poll,
	                       .finish = fs_score_finish};
	if (sc.endpoint.url || sc.batch > 1) {
		step.idle = fs_score_idle;
		step.wait = fs_score_wait;
	}
	status = fs_loop_run(&loop, argv + optind, argc - optind, &step);
	fs_score_report(s);
	fs_score_free(s);
	return status;
}
