/* input.c: sources, decompression, archives and line splitting (see input.h). */
#include "input.h"
#include "buf.h"
#include "diag.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK ((size_t)64 << 10)

enum mode { M_NONE, M_SNIFF, M_TEXT, M_ARCHIVE };

/* read_fd's answer when a non-blocking input has nothing ready. */
#define AGAIN (-2)

struct fs_input {
	char **files;
	int nfiles, next_file;
	int (*idle)(void *, int);
	void *ctx;
	volatile sig_atomic_t *stop;
	int status;
	int nonblock;           /* fs_input_nonblocking: never wait, say FS_INPUT_AGAIN */

	/* the open input */
	enum mode mode;
	int fd;
	char *name;             /* file name as given, or "<stdin>" */
	struct archive *ar;
	char *source;           /* name, or name:entry */
	uint64_t source_id;     /* counts the sources opened */
	uint64_t lineno;
	int entry_open, eof;
	int pipe;               /* not a regular file: what it gives is never the same twice */
	size_t sniffed;         /* M_SNIFF: bytes read so far */

	/* bytes read but not yet returned: buf.p[start, buf.len) */
	struct fs_buf buf;
	size_t start, scanned;
	/* sniffed bytes handed to libarchive before the fd's own */
	char *pre;
	size_t pre_len, pre_off;
	char *arbuf;
	int skipping;           /* discarding the rest of an over-long line */
};

struct fs_input *fs_input_new(char **files, int nfiles, int (*idle)(void *, int), void *ctx,
                              volatile sig_atomic_t *stop)
{
	static char *dash[] = {"-"};
	struct fs_input *in = fs_xcalloc(1, sizeof *in);
	in->files = nfiles ? files : dash;
	in->nfiles = nfiles ? nfiles : 1;
	in->idle = idle;
	in->ctx = ctx;
	in->stop = stop;
	in->fd = -1;
	return in;
}

void fs_input_nonblocking(struct fs_input *in)
{
	in->nonblock = 1;
}

int fs_input_fd(const struct fs_input *in)
{
	return in->mode == M_NONE ? -1 : in->fd;
}

int fs_input_status(const struct fs_input *in)
{
	return in->status;
}

static void fail(struct fs_input *in, int code, const char *what, const char *why)
{
	fs_warn("%s: %s%s%s", in->source ? in->source : in->name, what, why ? ": " : "",
	        why ? why : "");
	if (!in->status || code == FS_EX_IOERR)
		in->status = code;
}

/* Waits until fd has data (or its end): 0, or -1 when a stop was requested. */
static int wait_fd(struct fs_input *in)
{
	struct pollfd pfd = {.fd = in->fd, .events = POLLIN};
	while (poll(&pfd, 1, -1) < 0) {
		if (errno != EINTR || (in->stop && *in->stop))
			return -1;
	}
	return 0;
}

/* read(2) that runs the idle hook before it would block. Returns bytes read,
 * 0 at end of file or when a stop was requested, -1 on error (errno set),
 * or AGAIN for a non-blocking input with nothing ready (it reads only once
 * poll says so: a FIFO opened before its writer reads 0 until then). */
static ssize_t read_fd(struct fs_input *in, char *p, size_t n, int block)
{
	for (;;) {
		if (in->nonblock) {
			struct pollfd pfd = {.fd = in->fd, .events = POLLIN};
			if (poll(&pfd, 1, 0) == 0) {
				if (!block)
					return AGAIN;
				if (wait_fd(in) < 0)
					return 0;
			}
		} else if (in->idle) {
			struct pollfd pfd = {.fd = in->fd, .events = POLLIN};
			/* No data yet: let the loop flush, then wait as long as it allows
			 * and give it its turn again each time that runs out. */
			while (poll(&pfd, 1, 0) == 0) {
				int rc = in->idle(in->ctx, in->fd);
				if (rc > 0 || (rc < 0 && errno != EINTR) || (in->stop && *in->stop))
					break;
				/* the wait ran out, or a signal (SIGHUP: reload) came: idle again */
			}
			if (in->stop && *in->stop)
				return 0;
		}
		ssize_t r = read(in->fd, p, n);
		if (r >= 0)
			return r;
		if (errno == EAGAIN && in->nonblock) {
			if (!block)
				return AGAIN;
			continue;
		}
		if (errno != EINTR)
			return -1;
		if (in->stop && *in->stop)
			return 0;
	}
}

static la_ssize_t ar_read(struct archive *a, void *data, const void **out)
{
	struct fs_input *in = data;
	(void)a;
	if (in->pre_off < in->pre_len) {
		*out = in->pre + in->pre_off;
		size_t n = in->pre_len - in->pre_off;
		in->pre_off = in->pre_len;
		return (la_ssize_t)n;
	}
	/* libarchive cannot be told "later": a compressed pipe is waited for */
	ssize_t r = read_fd(in, in->arbuf, CHUNK, 1);
	if (r < 0) {
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	*out = in->arbuf;
	return r;
}

/* 1 when p[0..n) is a run of text: no control bytes other than tab and CR,
 * valid UTF-8. *complete says whether a newline or the end was reached. */
static int looks_like_text(const unsigned char *p, size_t n, int at_eof, int *complete)
{
	size_t i = 0;
	*complete = 0;
	while (i < n) {
		unsigned c = p[i];
		if (c == '\n') {
			*complete = 1;
			return 1;
		}
		if (c < 0x20 && c != '\t' && c != '\r')
			return 0;
		if (c == 0x7f)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
		if (len == 0 || c > 0xF4)
			return 0;
		if (i + len > n)
			return at_eof ? 0 : 1;  /* incomplete sequence: need more bytes */
		for (size_t k = 1; k < len; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
		i += len;
	}
	*complete = at_eof;
	return 1;
}

static void close_current(struct fs_input *in)
{
	if (in->ar) {
		archive_read_free(in->ar);
		in->ar = NULL;
	}
	if (in->fd > 0)
		close(in->fd);
	in->fd = -1;
	free(in->pre);
	in->pre = NULL;
	free(in->arbuf);
	in->arbuf = NULL;
	free(in->name);
	in->name = NULL;
	free(in->source);
	in->source = NULL;
	in->mode = M_NONE;
	in->buf.len = in->start = in->scanned = 0;
	in->skipping = 0;
}

/* Opens the next FILE argument for sniffing. Returns 1 when an input is
 * open, 0 when there are no more. */
static int open_next(struct fs_input *in)
{
	while (in->next_file < in->nfiles) {
		const char *f = in->files[in->next_file++];
		close_current(in);
		if (strcmp(f, "-") == 0) {
			in->fd = 0;
			in->name = fs_xstrdup("<stdin>");
		} else {
			in->name = fs_xstrdup(f);
			/* non-blocking: a named FIFO opens before its writer does */
			in->fd = open(f, O_RDONLY | O_CLOEXEC | (in->nonblock ? O_NONBLOCK : 0));
			if (in->fd < 0) {
				fail(in, FS_EX_NOINPUT, "cannot open", strerror(errno));
				continue;
			}
		}
		struct stat st;
		in->pipe = fstat(in->fd, &st) < 0 || !S_ISREG(st.st_mode);
		in->mode = M_SNIFF;
		in->sniffed = 0;
		fs_buf_grow(&in->buf, CHUNK);
		return 1;
	}
	close_current(in);
	return 0;
}

/* Reads the open input until its first line is complete or shown not to be
 * text, then decides text or libarchive. Returns 1 decided, 0 when the input
 * failed (it is closed), AGAIN when a non-blocking input has no more yet. */
static int sniff(struct fs_input *in)
{
	size_t have = in->sniffed;
	int eof = 0, complete = 0, text = 1;
	if (have)
		text = looks_like_text((unsigned char *)in->buf.p, have, 0, &complete);
	while (text && !complete && have < CHUNK) {
		ssize_t r = read_fd(in, in->buf.p + have, CHUNK - have, 0);
		if (r == AGAIN) {
			in->sniffed = have;
			return AGAIN;
		}
		if (r < 0) {
			fail(in, FS_EX_NOINPUT, "read error", strerror(errno));
			break;
		}
		eof = r == 0;
		have += (size_t)r;
		text = looks_like_text((unsigned char *)in->buf.p, have, eof, &complete);
		if (eof)
			break;
	}
	if (in->stop && *in->stop) {
		close_current(in);
		in->next_file = in->nfiles;  /* the run is ending: open nothing more */
		return 0;
	}
	if (text || have == 0) {
		in->mode = M_TEXT;
		in->buf.len = have;
		in->eof = eof;
		in->source = fs_xstrdup(in->name);
		in->source_id++;
		in->lineno = 0;
		in->entry_open = 1;
		return 1;
	}
	in->mode = M_ARCHIVE;
	in->pre = fs_xmalloc(have);
	memcpy(in->pre, in->buf.p, have);
	in->pre_len = have;
	in->pre_off = 0;
	in->arbuf = fs_xmalloc(CHUNK);
	in->ar = archive_read_new();
	archive_read_support_filter_all(in->ar);
	/* Every archive format but mtree, whose bidder claims plain NDJSON
	 * text (a decompressed .ndjson.gz) as an mtree specification. */
	archive_read_support_format_7zip(in->ar);
	archive_read_support_format_ar(in->ar);
	archive_read_support_format_cab(in->ar);
	archive_read_support_format_cpio(in->ar);
	archive_read_support_format_iso9660(in->ar);
	archive_read_support_format_lha(in->ar);
	archive_read_support_format_rar(in->ar);
	archive_read_support_format_rar5(in->ar);
	archive_read_support_format_tar(in->ar);
	archive_read_support_format_warc(in->ar);
	archive_read_support_format_xar(in->ar);
	archive_read_support_format_zip(in->ar);
	archive_read_support_format_raw(in->ar);
	archive_read_support_format_empty(in->ar);
	/* A regular file is handed over whole, so that formats that seek
	 * (7z keeps its index at the end) work; a pipe streams through
	 * ar_read, which first returns the sniffed bytes. */
	int rc;
	if (!in->pipe && lseek(in->fd, 0, SEEK_SET) == 0)
		rc = archive_read_open_fd(in->ar, in->fd, CHUNK);
	else
		rc = archive_read_open(in->ar, in, NULL, ar_read, NULL);
	if (rc != ARCHIVE_OK) {
		fail(in, FS_EX_NOINPUT, "cannot read", archive_error_string(in->ar));
		close_current(in);
		return 0;
	}
	in->entry_open = 0;
	return 1;
}

/* Advances to the next regular entry of the open archive. Returns 1, or 0
 * when the archive has no more. */
static int next_entry(struct fs_input *in)
{
	struct archive_entry *e;
	for (;;) {
		int r = archive_read_next_header(in->ar, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN) {
			if (!(in->stop && *in->stop))
				fail(in, FS_EX_NOINPUT, "cannot read", archive_error_string(in->ar));
			return 0;
		}
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		free(in->source);
		/* libarchive's raw format: a compressed plain file, named as the file */
		if (archive_format(in->ar) == ARCHIVE_FORMAT_RAW) {
			in->source = fs_xstrdup(in->name);
		} else {
			const char *en = archive_entry_pathname(e);
			size_t n = strlen(in->name) + strlen(en ? en : "?") + 2;
			in->source = fs_xmalloc(n);
			snprintf(in->source, n, "%s:%s", in->name, en ? en : "?");
		}
		in->source_id++;
		in->lineno = 0;
		in->buf.len = in->start = in->scanned = 0;
		in->eof = 0;
		in->entry_open = 1;
		return 1;
	}
}

/* Appends more bytes of the open entry to buf. Returns bytes added, 0 at
 * its end, AGAIN when a non-blocking input has none ready. */
static ssize_t fill(struct fs_input *in)
{
	if (in->start > 0) {
		memmove(in->buf.p, in->buf.p + in->start, in->buf.len - in->start);
		in->buf.len -= in->start;
		in->scanned -= in->start;
		in->start = 0;
	}
	if (in->buf.cap - in->buf.len < CHUNK)
		fs_buf_grow(&in->buf, CHUNK);
	char *p = in->buf.p + in->buf.len;
	size_t room = in->buf.cap - in->buf.len;
	if (in->mode == M_TEXT) {
		ssize_t r = read_fd(in, p, room, 0);
		if (r == AGAIN)
			return AGAIN;
		if (r < 0) {
			fail(in, FS_EX_IOERR, "read error", strerror(errno));
			return 0;
		}
		in->buf.len += (size_t)r;
		return r;
	}
	la_ssize_t r = archive_read_data(in->ar, p, room);
	if (r < 0) {
		if (!(in->stop && *in->stop))
			fail(in, FS_EX_NOINPUT, "cannot read", archive_error_string(in->ar));
		return 0;
	}
	in->buf.len += (size_t)r;
	return r;
}

int fs_input_next(struct fs_input *in, struct fs_line *line)
{
	for (;;) {
		if (in->mode == M_NONE && !open_next(in))
			return 0;
		if (in->mode == M_SNIFF) {
			int rc = sniff(in);
			if (rc == AGAIN)
				return FS_INPUT_AGAIN;
			if (rc == 0)
				continue;
		}
		if (!in->entry_open && (in->mode != M_ARCHIVE || !next_entry(in))) {
			in->mode = M_NONE;
			continue;
		}
		char *nl = memchr(in->buf.p + in->scanned, '\n', in->buf.len - in->scanned);
		size_t end;
		if (nl) {
			end = (size_t)(nl - in->buf.p);
		} else if (!in->eof && in->buf.len - in->start < FS_LINE_MAX) {
			in->scanned = in->buf.len;
			ssize_t got = fill(in);
			if (got == AGAIN)
				return FS_INPUT_AGAIN;
			if (got == 0)
				in->eof = 1;
			continue;
		} else if (in->buf.len > in->start && !in->eof) {
			end = in->buf.len;  /* over-long: cut here, discard up to the newline */
		} else if (in->buf.len > in->start) {
			end = in->buf.len;  /* last line without a newline */
		} else {
			in->entry_open = 0;
			if (in->mode == M_TEXT)
				in->mode = M_NONE;
			continue;
		}
		char *p = in->buf.p + in->start;
		size_t n = end - in->start;
		int was_skipping = in->skipping;
		in->skipping = !nl && !in->eof;
		in->start = in->scanned = nl ? end + 1 : end;
		if (was_skipping)
			continue;  /* the tail of an over-long line, already reported */
		in->lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		line->source = in->source;
		line->source_id = in->source_id;
		line->lineno = in->lineno;
		line->p = p;
		line->n = n;
		line->too_long = in->skipping;
		line->pipe = in->pipe;
		if (line->too_long && line->n > 256)
			line->n = 256;
		return 1;
	}
}

void fs_input_free(struct fs_input *in)
{
	if (!in)
		return;
	close_current(in);
	fs_buf_free(&in->buf);
	free(in);
}
