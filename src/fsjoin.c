/* fsjoin: point-in-time correct joins for training sets, and enrichment.
 *
 * Options into a config, the right sides into indexes (lib/join.c, read
 * through the shared loop), then the spine through the shared loop.
 */
#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/join.h"
#include "lib/loop.h"
#include "lib/online.h"
#include "lib/timefmt.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"fsjoin --asof FILE --key FIELDS [--asof FILE --key FIELDS ...] [--ttl DURATION]\n"
	"              [--strict] [--table FILE --key FIELDS] [--into NAME] [-t PATH] [-u UNIT]\n"
	"              [-o FILE] [--kcat | --regex PATTERN] [--errors FILE] [--max-errors N]\n"
	"              [--online URL --online-prefix PREFIX --key FIELDS [--features LIST]\n"
	"              [--online-timeout DURATION]] [SPINE ...]\n"
	"       fsjoin --backfill FILE --key FIELDS [--as-of TIME] --online URL\n"
	"              --online-prefix PREFIX [--features LIST] [--online-ttl DURATION]";

static const char description[] =
	"Joins to each event of the spine, point in time, the row of each right side\n"
	"(--asof: the offline store, rows from fsfeat --emit rows) of the same key with\n"
	"the latest time at or before the event's, or the latest row of a --table, and\n"
	"merges its features into the event's \"features\" object. With --online, also\n"
	"the current features of the event's key in the online store (Redis); with\n"
	"--backfill, writes each key's latest row into the online store instead.";

enum { OPT_ASOF = FS_OPT_TOOL, OPT_TABLE, OPT_KEY, OPT_TTL, OPT_STRICT, OPT_INTO, OPT_BACKFILL,
       OPT_AS_OF, OPT_FEATURES };

static const struct fs_option options[] = {
	{"as-of", 0, "TIME", "with --backfill: each key's latest row at or before TIME", OPT_AS_OF},
	{"asof", 'a', "FILE", "a right side joined as of each event's time", OPT_ASOF},
	{"backfill", 0, "FILE", "write each key's latest row of FILE into the online store", OPT_BACKFILL},
	{"features", 0, "LIST", "the online store's fields to read or write (default: all)", OPT_FEATURES},
	{"into", 0, "NAME", "merge into the object NAME (default: features)", OPT_INTO},
	{"key", 'k', "FIELDS", "the key of the side before it: FIELD or FIELD,FIELD", OPT_KEY},
	{"strict", 0, NULL, "only rows strictly before the event's time", OPT_STRICT},
	{"table", 0, "FILE", "a right side joined by key alone: its latest row", OPT_TABLE},
	{"ttl", 0, "DURATION", "ignore --asof rows older than DURATION before the event", OPT_TTL},
	FS_INPUT_OPTIONS,
	FS_TIME_OPTIONS,
	FS_ONLINE_OPTIONS,
	FS_ONLINE_TTL_OPTION,
	{NULL, 0, NULL, NULL, 0},
};

int main(int argc, char **argv)
{
	struct fs_loop_config loop = {.max_errors = -1};
	struct fs_join_config jc = {0};
	struct fs_online_config oc = {.timeout_ns = 30 * FS_NS_PER_SEC};
	int backfill = 0, key_online = 0;
	int64_t asof = INT64_MAX;
	const char *asof_arg = NULL;
	struct fs_join_side *sides = NULL;
	int nsides = 0, nkeys = 0;
	struct fs_cli cli;
	const char *arg, *last_key = NULL;
	int id;

	fs_prog = "fsjoin";
	fs_cli_init(&cli, options, usage, argc, argv);
	while ((id = fs_cli_next(&cli, &arg)) != -1) {
		if (id == FS_OPT_ONLINE)
			key_online = 1;  /* a --key after --online is the lookup's */
		if (fs_cli_common(&cli, &loop, id, arg, description) ||
		    fs_cli_online(&cli, &oc, &jc.online_prefix, id, arg))
			continue;
		switch (id) {
		case OPT_ASOF:
		case OPT_TABLE:
		case OPT_BACKFILL:
			sides = fs_xrealloc(sides, (size_t)(nsides + 1) * sizeof *sides);
			sides[nsides++] = (struct fs_join_side){.path = arg, .table = id == OPT_TABLE};
			backfill |= id == OPT_BACKFILL;
			key_online = 0;
			break;
		case OPT_AS_OF:
			if (fs_time_parse_rfc3339(arg, strlen(arg), &asof) < 0)
				fs_usage_error(usage, "--as-of %s: not an RFC 3339 time such as "
				               "2024-03-01T00:00:00Z", arg);
			asof_arg = arg;
			break;
		case OPT_FEATURES:
			if (jc.features)
				fs_usage_error(usage, "--features given twice; list them all in one");
			jc.features = fs_cli_list(arg, &jc.nfeatures);
			for (size_t i = 0; i < jc.nfeatures; i++)
				if (!*jc.features[i] || strcmp(jc.features[i], FS_ONLINE_TIME) == 0)
					fs_usage_error(usage, "--features %s: %s", arg, *jc.features[i]
					               ? "@time is the store's own field, not a feature"
					               : "an empty name");
			break;
		case OPT_KEY:
			if (!*arg)
				fs_usage_error(usage, "--key: no field named");
			if (key_online) {
				if (jc.online_key)
					fs_usage_error(usage, "--key %s: --online has its key already", arg);
				jc.online_key = arg;
				last_key = arg;
				nkeys++;
				key_online = 0;
			} else if (nsides && !sides[nsides - 1].key)
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
	if (!nsides && !oc.url)
		fs_usage_error(usage, "no right side: give --asof FILE, --table FILE or --online URL");
	if (backfill && !oc.url)
		fs_usage_error(usage, "--backfill writes into the online store: give --online URL");
	if (oc.url && !jc.online_prefix)
		fs_usage_error(usage, "--online needs --online-prefix, the start of the store's keys "
		               "(fsfeat's default is the spec's file name and a colon: user:)");
	if (!oc.url && (jc.online_prefix || oc.ttl_ms || jc.features))
		fs_usage_error(usage, "--online-prefix, --online-ttl and --features go with --online URL");
	if (oc.ttl_ms && !backfill)
		fs_usage_error(usage, "--online-ttl is for writes: use it with --backfill");
	if (backfill && (jc.ttl || jc.strict))
		fs_usage_error(usage, "--ttl and --strict are for joins; a backfill takes each key's "
		               "latest row (at or before --as-of TIME)");
	if (asof_arg && !backfill)
		fs_usage_error(usage, "--as-of goes with --backfill (joins take each event's own time)");
	int any_asof = 0;
	for (int i = 0; i < nsides; i++) {
		/* one --key for all sides is fine */
		if (!sides[i].key && nkeys == 1)
			sides[i].key = last_key;
		if (!sides[i].key)
			fs_usage_error(usage, "%s has no --key", sides[i].path);
		if (backfill && (sides[i].table || i > 0 || optind < argc))
			fs_usage_error(usage, "--backfill FILE reads one file of rows and no spine; "
			               "give no --asof, --table or SPINE with it");
		any_asof |= !sides[i].table;
	}
	if (oc.url && !backfill && !jc.online_key && nkeys == 1)
		jc.online_key = last_key;
	if (oc.url && !backfill && !jc.online_key)
		fs_usage_error(usage, "--online has no --key: name the event's key field after it");
	if (loop.kcat && loop.regex)
		fs_usage_error(usage, "--kcat and --regex exclude each other");
	loop.need_time = any_asof;
	jc.sides = sides;
	jc.nsides = nsides;
	jc.loop = &loop;
	jc.backfill = backfill;

	char err[768];
	int status;
	oc.writer = backfill;
	if (!backfill) {
		oc.fields = jc.features;
		oc.nfields = jc.nfeatures;
	}
	if (oc.url)
		jc.online = fs_cli_online_open(usage, &oc);
	struct fs_join *j = fs_join_new(&jc, err, sizeof err, &status);
	if (!j) {
		if (status == FS_EX_USAGE)
			fs_usage_error(usage, "%s", err);
		fs_die(status, "%s", err);
	}
	const char *why;
	if (backfill) {
		status = FS_EX_OK;
		if (fs_join_backfill(j, asof) < 0) {
			fs_online_failed(jc.online, &why);
			fs_warn("%s; nothing is lost by running the backfill again", why);
			status = fs_online_failed(jc.online, NULL);
		} else {
			uint64_t written, kept;
			fs_online_counts(jc.online, &written, &kept);
			fs_warn("%s: the latest rows of %llu keys%s%s into %s: %llu written, %llu kept "
			        "the newer values in the store", sides[0].path,
			        (unsigned long long)fs_join_backfilled(j),
			        asof_arg ? " as of " : "", asof_arg ? asof_arg : "",
			        fs_online_name(jc.online), (unsigned long long)(written - kept),
			        (unsigned long long)kept);
		}
	} else {
		/* the spine appends to an error file the sides already wrote to */
		loop.errors_append = loop.errors != NULL && nsides;
		struct fs_step step = {.ctx = j, .step = fs_join_step, .poll = fs_join_poll};
		if (jc.online) {
			step.idle = fs_join_idle;
			step.finish = fs_join_finish;
		}
		status = fs_loop_run(&loop, argv + optind, argc - optind, &step);
		if (jc.online && fs_online_failed(jc.online, &why))
			fs_warn("%s; %llu events waiting for their lookups were not written", why,
			        (unsigned long long)fs_join_unanswered(j));
		fs_join_report(j);
	}
	fs_join_free(j);
	fs_online_free(jc.online);
	fs_cli_list_free(jc.features, jc.nfeatures);
	free(sides);
	return status;
}
