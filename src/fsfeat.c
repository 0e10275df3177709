/* fsfeat: per-entity streaming features, identical live and in replay.
 *
 * Options into a config, the spec into an engine (lib/feat.c), then the
 * shared loop (lib/loop.c). Everything else lives in src/lib/.
 */
#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/feat.h"
#include "lib/json.h"
#include "lib/loop.h"
#include "lib/online.h"
#include "lib/state.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
	"fsfeat --spec SPEC [-o FILE] [--emit events|rows] [--into NAME]\n"
	"              [--lateness DURATION] [--kcat | --regex PATTERN] [-t PATH]\n"
	"              [-u UNIT] [--errors FILE] [--max-errors N]\n"
	"              [--ttl DURATION] [--state FILE [--checkpoint EVERY]] [--rows FILE]\n"
	"              [--online URL [--online-prefix PREFIX] [--online-ttl DURATION]\n"
	"              [--online-timeout DURATION]] [FILE ...]\n"
	"       fsfeat --state FILE --inspect";

static const char description[] =
	"Computes per-key windowed features of each event (count, sum, mean, min, max,\n"
	"stddev, variance, last, lag, time_since_last, ewma, count_distinct) and writes\n"
	"the event with a \"features\" object appended. The same input lines in the same\n"
	"order give byte-identical output, live or replayed.";

enum { OPT_SPEC = FS_OPT_TOOL, OPT_EMIT, OPT_INTO, OPT_LATENESS, OPT_INSPECT, OPT_TTL, OPT_ROWS };

static const struct fs_option options[] = {
	{"emit", 0, "WHAT", "events (default) or rows: keys, time, features", OPT_EMIT},
	{"inspect", 0, NULL, "print what the --state file holds, as JSON, and exit", OPT_INSPECT},
	{"into", 0, "NAME", "name of the features object (default: features)", OPT_INTO},
	{"lateness", 0, "DURATION", "reject events DURATION older than their key's latest", OPT_LATENESS},
	{"rows", 0, "FILE", "also write offline-store rows to FILE (.zst: compressed)", OPT_ROWS},
	{"spec", 's', "FILE", "the feature spec (JSON); see fsfeat(1)", OPT_SPEC},
	{"ttl", 0, "DURATION", "a key idle longer than DURATION starts afresh and is forgotten", OPT_TTL},
	FS_COMMON_OPTIONS,
	FS_STATE_OPTIONS,
	FS_ONLINE_OPTIONS,
	FS_ONLINE_TTL_OPTION,
	{NULL, 0, NULL, NULL, 0},
};

/* --inspect: the state's header and positions, and what its keys hold,
 * read with the spec stored in the state itself. */
static int inspect(const char *path)
{
	struct fs_state st;
	char err[512];
	switch (fs_state_load(path, &st, err, sizeof err)) {
	case FS_STATE_MISSING:
		fs_die(FS_EX_NOINPUT, "%s: no such state file", path);
	case FS_STATE_BAD:
		fs_die(strstr(err, "cannot open") ? FS_EX_NOINPUT : FS_EX_DATAERR, "%s", err);
	case FS_STATE_LOADED:
		break;
	}
	if (strcmp(st.tool, fs_prog) != 0)
		fs_die(FS_EX_DATAERR, "%s: a state of %s, not %s", path, st.tool, fs_prog);
	json_error_t je;
	json_t *canon = json_loads(st.spec, 0, &je);
	json_t *spec = json_object_get(canon, "spec");
	json_t *tf = json_object_get(canon, "time_field"), *tu = json_object_get(canon, "time_unit");
	char *spec_text = spec ? json_dumps(spec, JSON_COMPACT) : NULL;
	struct fs_feat_config fc = {.spec_text = spec_text, .lateness = -1,
	                            .time_field = json_string_value(tf),
	                            .time_unit_ns = json_integer_value(tu), .kcat = 1};
	int status;
	struct fs_feat *ff = spec_text ? fs_feat_new(&fc, err, sizeof err, &status) : NULL;
	if (!ff || fs_feat_load(ff, st.payload, st.payload_len) < 0)
		fs_die(FS_EX_DATAERR, "%s: the state file is corrupt (its spec or payload does not "
		       "parse)", path);

	struct fs_buf b = {0};
	char num[64];
	int64_t now_ns = fs_clock_ns(CLOCK_REALTIME);
	time_t secs = (time_t)(st.written / FS_NS_PER_SEC);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char written[40];
	strftime(written, sizeof written, "%Y-%m-%dT%H:%M:%SZ", &tm);
#define NUM(fmt, v) fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, fmt, v))
	fs_buf_puts(&b, "{\"state\":");
	fs_json_put_string(&b, path, strlen(path));
	NUM(",\"format\":%d,\"tool\":", FS_STATE_VERSION);
	fs_json_put_string(&b, st.tool, strlen(st.tool));
	NUM(",\"spec_hash\":\"%016llx\",\"written\":", (unsigned long long)st.spec_hash);
	fs_json_put_string(&b, written, strlen(written));
	fs_buf_puts(&b, ",\"age_s\":");
	fs_json_put_double(&b, (double)(now_ns - st.written) / 1e9);
	NUM(",\"records\":%llu", (unsigned long long)st.records);
	NUM(",\"keys\":%llu", (unsigned long long)fs_feat_keys(ff));
	NUM(",\"events_kept\":%llu", (unsigned long long)fs_feat_events(ff));
	NUM(",\"bytes\":%zu", st.file_bytes);
	NUM(",\"payload_bytes\":%zu", st.payload_len);
	NUM(",\"online_unsent\":%llu", (unsigned long long)fs_feat_unsent(ff));
	fs_buf_puts(&b, ",\"sources\":{");
	int first = 1;
	fs_hmap_foreach(&st.pos.sources, it) {
		if (!first)
			fs_buf_putc(&b, ',');
		first = 0;
		fs_json_put_string(&b, fs_hent_key(it), it->klen);
		NUM(":%llu", (unsigned long long)it->v.u);
	}
	fs_buf_puts(&b, "},\"partitions\":{");
	first = 1;
	fs_hmap_foreach(&st.pos.partitions, it) {
		/* "topic\0partition" -> next offset; shown as "topic/partition": last offset */
		const char *k = fs_hent_key(it);
		size_t tl = strlen(k);
		struct fs_buf name = {0};
		fs_buf_put(&name, k, tl);
		fs_buf_putc(&name, '/');
		fs_buf_put(&name, k + tl + 1, it->klen - tl - 1);
		if (!first)
			fs_buf_putc(&b, ',');
		first = 0;
		fs_json_put_string(&b, name.p, name.len);
		NUM(":%llu", (unsigned long long)(it->v.u - 1));
		fs_buf_free(&name);
	}
	fs_buf_puts(&b, "},\"spec\":");
	fs_buf_puts(&b, spec_text);
	fs_buf_puts(&b, "}\n");
#undef NUM
	fwrite(b.p, 1, b.len, stdout);
	fs_buf_free(&b);
	free(spec_text);
	json_decref(canon);
	fs_feat_free(ff);
	fs_state_free(&st);
	return fclose(stdout) == 0 ? FS_EX_OK : FS_EX_IOERR;
}

int main(int argc, char **argv)
{
	struct fs_loop_config loop = {.max_errors = -1, .need_time = 1};
	struct fs_feat_config feat = {.lateness = -1};
	struct fs_online_config oc = {.timeout_ns = 30 * FS_NS_PER_SEC, .writer = 1};
	struct fs_cli cli;
	const char *arg;
	int id, want_inspect = 0;

	fs_prog = "fsfeat";
	fs_cli_init(&cli, options, usage, argc, argv);
	while ((id = fs_cli_next(&cli, &arg)) != -1) {
		if (fs_cli_common(&cli, &loop, id, arg, description) ||
		    fs_cli_online(&cli, &oc, &feat.online_prefix, id, arg))
			continue;
		switch (id) {
		case OPT_ROWS:
			feat.rows_path = arg;
			break;
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
		case OPT_TTL:
			feat.ttl = fs_cli_duration(&cli, "--ttl", arg);
			break;
		case OPT_INSPECT:
			want_inspect = 1;
			break;
		}
	}
	fs_cli_free(&cli);
	if (want_inspect) {
		if (!loop.state)
			fs_usage_error(usage, "--inspect reads the file given with --state");
		return inspect(loop.state);
	}
	if ((loop.checkpoint_records || loop.checkpoint_ns) && !loop.state)
		fs_usage_error(usage, "--checkpoint needs --state FILE to write to");
	if (!feat.spec_path)
		fs_usage_error(usage, "no --spec given; a spec names the key and the features");
	if (loop.kcat && loop.regex)
		fs_usage_error(usage, "--kcat and --regex exclude each other");
	if (!oc.url && (feat.online_prefix || oc.ttl_ms))
		fs_usage_error(usage, "--online-prefix and --online-ttl go with --online URL");
	if (feat.rows_path && loop.output && strcmp(feat.rows_path, loop.output) == 0)
		fs_usage_error(usage, "--rows %s is also the -o file; give the rows a file of their own",
		               feat.rows_path);
	char *prefix = NULL;
	if (oc.url && !feat.online_prefix) {
		/* the spec's file name, without its directory and extension */
		const char *base = strrchr(feat.spec_path, '/');
		base = base ? base + 1 : feat.spec_path;
		size_t n = strcspn(base, ".");
		prefix = fs_xmalloc(n + 2);
		memcpy(prefix, base, n);
		memcpy(prefix + n, ":", 2);
		feat.online_prefix = prefix;
	}
	feat.time_field = loop.time_field;
	feat.time_unit_ns = fs_time_unit_ns(loop.time_unit);
	feat.kcat = loop.kcat;

	char err[768];
	int status;
	if (oc.url)
		feat.online = fs_cli_online_open(usage, &oc);
	struct fs_feat *ff = fs_feat_new(&feat, err, sizeof err, &status);
	if (!ff)
		fs_die(status, "%s", err);
	struct fs_step step = {.ctx = ff, .step = fs_feat_step, .canonical = fs_feat_canonical(ff),
	                       .save = fs_feat_save, .load = fs_feat_load};
	if (feat.online || feat.rows_path) {
		step.idle = fs_feat_idle;
		step.sync = fs_feat_sync;
		step.finish = fs_feat_finish;
	}
	status = fs_loop_run(&loop, argv + optind, argc - optind, &step);
	const char *why;
	uint64_t unsent = fs_feat_unsent(ff);
	if (feat.online && fs_online_failed(feat.online, &why)) {
		if (loop.state)
			fs_warn("%s; the state %s holds the %llu writes not acknowledged: run again to "
			        "send them and resume", why, loop.state, (unsigned long long)unsent);
		else
			fs_warn("%s; %llu writes not acknowledged are lost (with --state a restart would "
			        "send them and resume exactly)", why, (unsigned long long)unsent);
	} else if (!feat.online && unsent) {
		fs_warn("%s: held %llu writes the online store never acknowledged; without --online "
		        "they are dropped", loop.state, (unsigned long long)unsent);
	}
	fs_feat_free(ff);
	fs_online_free(feat.online);
	free(prefix);
	return status;
}
