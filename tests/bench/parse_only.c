/* Parse-only baseline for the fsfeat benchmark: read NDJSON from stdin and
 * parse every line with jansson, then free it.  No field lookup, no output.
 * Any jansson-based tool that reads each line into a json_t pays at least
 * this much, so it is the ceiling for fsfeat's throughput.
 *
 * Built by tests/bench/run.sh:  cc -O2 parse_only.c $(pkg-config --cflags --libs jansson)
 * Exit status 1 if any line fails to parse (the count goes to stderr). */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	static char iobuf[1 << 16];
	setvbuf(stdin, iobuf, _IOFBF, sizeof iobuf);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lines = 0, bad = 0, objects = 0;
	while ((len = getline(&line, &cap, stdin)) > 0) {
		lines++;
		if (len == 1 && line[0] == '\n')
			continue;
		json_error_t err;
		/* Same flags as fsfeat uses for each input line. */
		json_t *v = json_loadb(line, (size_t)len, JSON_DECODE_ANY, &err);
		if (!v) {
			bad++;
			continue;
		}
		objects += json_is_object(v);
		json_decref(v);
	}
	free(line);
	if (bad)
		fprintf(stderr, "parse_only: %lu of %lu lines did not parse\n", bad, lines);
	return bad ? 1 : objects == 0 && lines > 0;
}
