/* cli.c: option tables, --help and the shared options (see cli.h). */
#include "cli.h"
#include "online.h"
#include "diag.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

void fs_cli_init(struct fs_cli *cli, const struct fs_option *opts, const char *usage,
                 int argc, char **argv)
{
	size_t n = 0, k = 0;
	while (opts[n].name)
		n++;
	struct option *lo = fs_xcalloc(n + 1, sizeof *lo);
	cli->shortopts[k++] = ':';  /* report a missing argument distinctly */
	for (size_t i = 0; i < n; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].arg ? required_argument : no_argument;
		lo[i].val = opts[i].id;
		if (opts[i].short_name) {
			cli->shortopts[k++] = (char)opts[i].short_name;
			if (opts[i].arg)
				cli->shortopts[k++] = ':';
		}
	}
	cli->shortopts[k] = '\0';
	cli->opts = opts;
	cli->usage = usage;
	cli->argc = argc;
	cli->argv = argv;
	cli->longopts = lo;
	opterr = 0;
}

void fs_cli_free(struct fs_cli *cli)
{
	free(cli->longopts);
	cli->longopts = NULL;
}

static const struct fs_option *by_short(const struct fs_cli *cli, int c)
{
	for (const struct fs_option *o = cli->opts; o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

int fs_cli_next(struct fs_cli *cli, const char **arg)
{
	int c = getopt_long(cli->argc, cli->argv, cli->shortopts, cli->longopts, NULL);
	*arg = optarg;
	if (c == -1)
		return -1;
	if (c == '?') {
		if (optopt)
			fs_usage_error(cli->usage, "unknown option -%c", optopt);
		fs_usage_error(cli->usage, "unknown option %s", cli->argv[optind - 1]);
	}
	if (c == ':')
		fs_usage_error(cli->usage, "option %s needs an argument", cli->argv[optind - 1]);
	const struct fs_option *o = c < 256 ? by_short(cli, c) : NULL;
	return o ? o->id : c;
}

static int cmp_name(const void *a, const void *b)
{
	const struct fs_option *x = *(const struct fs_option *const *)a;
	const struct fs_option *y = *(const struct fs_option *const *)b;
	return strcmp(x->name, y->name);
}

void fs_cli_help(const struct fs_cli *cli, const char *description, FILE *f)
{
	size_t n = 0;
	while (cli->opts[n].name)
		n++;
	const struct fs_option **sorted = fs_xcalloc(n, sizeof *sorted);
	for (size_t i = 0; i < n; i++)
		sorted[i] = &cli->opts[i];
	qsort(sorted, n, sizeof *sorted, cmp_name);
	fprintf(f, "usage: %s\n\n%s\n\nOptions:\n", cli->usage, description);
	for (size_t i = 0; i < n; i++) {
		const struct fs_option *o = sorted[i];
		char left[64];
		int len;
		if (o->short_name)
			len = snprintf(left, sizeof left, "  -%c, --%s%s%s", o->short_name, o->name,
			               o->arg ? "=" : "", o->arg ? o->arg : "");
		else
			len = snprintf(left, sizeof left, "      --%s%s%s", o->name, o->arg ? "=" : "",
			               o->arg ? o->arg : "");
		if (len < 28)
			fprintf(f, "%-28s%s\n", left, o->help);
		else
			fprintf(f, "%s\n%-28s%s\n", left, "", o->help);
	}
	fprintf(f, "\nSee %s(1) and fstools(7) for the details.\n", fs_prog);
	free(sorted);
}

int fs_cli_online(const struct fs_cli *cli, struct fs_online_config *cfg, const char **prefix,
                  int id, const char *arg)
{
	switch (id) {
	case FS_OPT_ONLINE:
		cfg->url = arg;
		return 1;
	case FS_OPT_ONLINE_PREFIX:
		*prefix = arg;
		return 1;
	case FS_OPT_ONLINE_TIMEOUT:
		cfg->timeout_ns = fs_cli_duration(cli, "--online-timeout", arg);
		return 1;
	case FS_OPT_ONLINE_TTL:
		cfg->ttl_ms = fs_cli_duration(cli, "--online-ttl", arg) / 1000000;
		if (!cfg->ttl_ms)
			fs_usage_error(cli->usage, "--online-ttl %s: Redis expires in whole milliseconds; "
			               "give at least 1ms", arg);
		return 1;
	}
	return 0;
}

struct fs_online *fs_cli_online_open(const char *usage, const struct fs_online_config *cfg)
{
	char err[768];
	int status;
	struct fs_online *o = fs_online_open(cfg, err, sizeof err, &status);
	if (!o && status == FS_EX_USAGE)
		fs_usage_error(usage, "%s", err);
	if (!o)
		fs_die(status, "%s", err);
	return o;
}

int fs_cli_common(const struct fs_cli *cli, struct fs_loop_config *cfg, int id,
                  const char *arg, const char *description)
{
	switch (id) {
	case FS_OPT_ERRORS:
		cfg->errors = arg;
		return 1;
	case FS_OPT_HELP:
		fs_cli_help(cli, description, stdout);
		exit(fclose(stdout) == 0 ? FS_EX_OK : FS_EX_IOERR);
	case FS_OPT_KCAT:
		cfg->kcat = 1;
		return 1;
	case FS_OPT_MAX_ERRORS:
		cfg->max_errors = fs_cli_number(cli, "--max-errors", arg, 0, LLONG_MAX);
		return 1;
	case FS_OPT_OUTPUT:
		cfg->output = arg;
		return 1;
	case FS_OPT_REGEX:
		cfg->regex = arg;
		return 1;
	case FS_OPT_TIME_FIELD:
		cfg->time_field = arg;
		return 1;
	case FS_OPT_TIME_UNIT:
		if (fs_time_unit_parse(arg, &cfg->time_unit) < 0)
			fs_usage_error(cli->usage, "--time-unit: \"%s\" is not one of s, ms, us, ns", arg);
		return 1;
	case FS_OPT_STATE:
		cfg->state = arg;
		return 1;
	case FS_OPT_CHECKPOINT: {
		/* a bare number counts records; a duration is wall time */
		if (arg[strspn(arg, "0123456789")] == '\0')
			cfg->checkpoint_records = (uint64_t)fs_cli_number(cli, "--checkpoint", arg, 1, LLONG_MAX);
		else
			cfg->checkpoint_ns = fs_cli_duration(cli, "--checkpoint", arg);
		return 1;
	}
	case FS_OPT_VERSION:
		printf("%s (fstools) %s\n", fs_prog, PACKAGE_VERSION);
		exit(fclose(stdout) == 0 ? FS_EX_OK : FS_EX_IOERR);
	}
	return 0;
}

long long fs_cli_number(const struct fs_cli *cli, const char *opt, const char *arg,
                        long long min, long long max)
{
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		if (max == LLONG_MAX)
			fs_usage_error(cli->usage, "%s: \"%s\" is not a whole number of at least %lld",
			               opt, arg, min);
		fs_usage_error(cli->usage, "%s: \"%s\" is not a whole number from %lld to %lld", opt,
		               arg, min, max);
	}
	return v;
}

long long fs_cli_duration(const struct fs_cli *cli, const char *opt, const char *arg)
{
	int64_t ns;
	if (fs_duration_parse(arg, &ns) < 0)
		fs_usage_error(cli->usage, "%s: \"%s\" is not a duration such as 500ms, 30s, 5m, "
		               "1h, 7d or 1h30m", opt, arg);
	return ns;
}

long long fs_cli_size(const struct fs_cli *cli, const char *opt, const char *arg)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(arg, &end, 10);
	int shift = 0;
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'M')
		shift = 20;
	else if (*end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (end == arg || *end || errno || arg[0] == '-' || n == 0 || n > (1ULL << (62 - shift)))
		fs_usage_error(cli->usage, "%s: \"%s\" is not a size such as 65536, 512k, 16M or 1G",
		               opt, arg);
	return (long long)(n << shift);
}

char **fs_cli_list(const char *list, size_t *n)
{
	char **names = NULL;
	*n = 0;
	for (const char *p = list;;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		names = fs_xrealloc(names, (*n + 1) * sizeof *names);
		names[*n] = fs_xmalloc(len + 1);
		memcpy(names[*n], p, len);
		names[(*n)++][len] = '\0';
		if (!c)
			return names;
		p = c + 1;
	}
}

void fs_cli_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
