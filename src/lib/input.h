/* input.h: every byte a tool reads comes through here, one line at a time.
 *
 * Inputs are FILE arguments in order, or stdin when there are none or for
 * "-". Each input is sniffed: text goes straight to the line splitter;
 * anything else (gzip, bzip2, xz, zstd, lz4; tar, zip, cpio, 7z, ...) is
 * handed to libarchive, which detects the format by content, and the
 * regular entries of an archive are read in archive order. Every line knows
 * its source ("events.ndjson", "<stdin>", "logs.tar.gz:day1.ndjson") and its
 * 1-based number within it.
 *
 * Before any read that would block, the idle callback runs (the loop flushes
 * output there), so a slow live stream sees each result at once while a file
 * replay stays fully buffered. The callback also waits for the input's fd
 * to be readable (poll(2)'s result: > 0 ready, 0 the wait ran out, < 0 an
 * error or a signal), as long as the loop allows; when it returns without
 * data, it runs again (the loop writes a timed checkpoint there).
 */
#ifndef FS_INPUT_H
#define FS_INPUT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Longest line accepted; a longer one is reported and skipped. */
#define FS_LINE_MAX ((size_t)64 << 20)

struct fs_line {
	const char *source;
	uint64_t source_id;     /* 1, 2, ...: changes with each file and archive entry */
	uint64_t lineno;
	const char *p;          /* the line without its newline (and a final \r) */
	size_t n;
	int too_long;           /* the line was cut: p holds its first bytes only */
	int pipe;               /* its source is not a regular file (a pipe, FIFO,
	                         * terminal): a re-run reads other lines there */
};

/* fs_input_next's answer, after fs_input_nonblocking, when no line is ready. */
#define FS_INPUT_AGAIN (-1)

struct fs_input;

/* files: the FILE arguments (none: stdin). idle(ctx, fd) runs before blocking.
 * stop: when set by a signal handler, reading ends at the next interrupted read. */
struct fs_input *fs_input_new(char **files, int nfiles, int (*idle)(void *, int), void *ctx,
                              volatile sig_atomic_t *stop);
/* Returns 1 and fills *line (valid until the next call), or 0 at the end of
 * all inputs. Unreadable inputs are reported on stderr and skipped. A line
 * returned stays valid while another fs_input is read. */
int fs_input_next(struct fs_input *in, struct fs_line *line);
/* From now on, fs_input_next never waits: it returns FS_INPUT_AGAIN when no
 * line is ready, and the caller waits for fs_input_fd (with poll) itself, so
 * that it can read several inputs at once (fsgroundtruth's labels). Only a
 * compressed stream on a pipe is still waited for, inside libarchive. */
void fs_input_nonblocking(struct fs_input *in);
/* The descriptor a waiting caller polls, or -1 when there is none (between
 * inputs: fs_input_next is then ready to go on at once). */
int fs_input_fd(const struct fs_input *in);
/* FS_EX_OK, or the exit status an input failure calls for (66 or 74). */
int fs_input_status(const struct fs_input *in);
void fs_input_free(struct fs_input *in);

#endif
