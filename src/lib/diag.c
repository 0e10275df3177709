/* diag.c: messages, exit codes and the error output (see diag.h). */
#include "diag.h"
#include "buf.h"
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *fs_prog = "fstools";

static const char *const reject_names[FS_REJ_NREASONS] = {
	[FS_REJ_JSON] = "invalid JSON",
	[FS_REJ_NOT_OBJECT] = "not an object",
	[FS_REJ_KCAT] = "bad kcat envelope",
	[FS_REJ_NO_MATCH] = "no regex match",
	[FS_REJ_TIME] = "bad time",
	[FS_REJ_KEY] = "bad key",
	[FS_REJ_LATE] = "too late",
	[FS_REJ_CONFLICT] = "field conflict",
	[FS_REJ_TOO_LONG] = "line too long",
	[FS_REJ_FEATURE] = "bad feature",
	[FS_REJ_LABEL] = "bad label",
	[FS_REJ_UNMATCHED] = "unmatched label",
	[FS_REJ_ENDPOINT] = "endpoint",
	[FS_REJ_MODEL] = "model",
};

static void vmsg(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", fs_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void fs_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void fs_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

void fs_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "usage: %s\nTry '%s --help' for more information.\n", usage, fs_prog);
	exit(FS_EX_USAGE);
}

void fs_oom(void)
{
	fs_die(FS_EX_SOFTWARE, "out of memory");
}

void *fs_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		fs_oom();
	return p;
}

void *fs_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		fs_oom();
	return p;
}

void *fs_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fs_oom();
	return p;
}

char *fs_xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		fs_oom();
	return d;
}

int fs_diag_open(struct fs_diag *d, const char *path, long long max_errors, int append)
{
	memset(d, 0, sizeof *d);
	d->max_errors = max_errors;
	if (!path || strcmp(path, "-") == 0) {
		d->errors = stderr;
		return 0;
	}
	d->errors = fopen(path, append ? "a" : "w");
	if (!d->errors)
		return -1;
	d->errors_owned = 1;
	return 0;
}

int fs_diag_close(struct fs_diag *d)
{
	int rc = 0;
	if (!d->errors)
		return 0;
	if (fflush(d->errors) != 0 || ferror(d->errors))
		rc = -1;
	if (d->errors_owned && fclose(d->errors) != 0)
		rc = -1;
	d->errors = NULL;
	return rc;
}

int fs_diag_reject(struct fs_diag *d, enum fs_reject why, const char *source,
                   uint64_t line, const char *text, size_t textlen,
                   const char *fmt, ...)
{
	char reason[512];
	struct fs_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);

	fs_buf_puts(&b, "{\"tool\":");
	fs_json_put_string(&b, fs_prog, strlen(fs_prog));
	fs_buf_puts(&b, ",\"source\":");
	fs_json_put_string(&b, source, strlen(source));
	char num[32];
	fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, ",\"line\":%" PRIu64, line));
	fs_buf_puts(&b, ",\"reason\":");
	fs_json_put_string(&b, reason, strlen(reason));
	fs_buf_puts(&b, ",\"text\":");
	fs_json_put_string(&b, text, textlen);
	fs_buf_puts(&b, "}\n");
	if (d->errors == stderr)
		fflush(stdout);
	fwrite(b.p, 1, b.len, d->errors);
	if (d->errors == stderr)
		fflush(stderr);
	fs_buf_free(&b);

	d->rejected[why]++;
	d->rejected_total++;
	return d->max_errors >= 0 && d->rejected_total > (uint64_t)d->max_errors;
}

void fs_diag_summary(const struct fs_diag *d, uint64_t records, const char *label)
{
	if (!d->rejected_total && !d->nonnumeric && !d->late && !d->skipped)
		return;
	struct fs_buf b = {0};
	char num[96];
	fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, "%" PRIu64 " records read, %" PRIu64
	                                     " rejected", records, d->rejected_total));
	const char *sep = " (";
	for (int i = 0; i < FS_REJ_NREASONS; i++) {
		if (!d->rejected[i])
			continue;
		fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, "%s%" PRIu64 " %s", sep,
		                                     d->rejected[i], reject_names[i]));
		sep = ", ";
	}
	if (d->rejected_total)
		fs_buf_putc(&b, ')');
	if (d->nonnumeric)
		fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num,
			"; %" PRIu64 " non-numeric values ignored", d->nonnumeric));
	if (d->late)
		fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num,
			"; %" PRIu64 " out-of-order events placed at their key's latest time", d->late));
	if (d->skipped)
		fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num,
			"; %" PRIu64 " records already in the state skipped", d->skipped));
	if (label)
		fs_warn("%s: %s", label, fs_buf_cstr(&b));
	else
		fs_warn("%s", fs_buf_cstr(&b));
	fs_buf_free(&b);
}
