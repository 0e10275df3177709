/* fmt_double.c: prints fs_fmt_double of each number read (C99 hex floats
 * keep the exact bits), for comparison with Python's repr. */
#include "lib/json.h"

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	char line[128], out[FS_DBL_MAX];
	while (fgets(line, sizeof line, stdin)) {
		fs_fmt_double(out, strtod(line, NULL));
		puts(out);
	}
	return ferror(stdout) || fclose(stdout) ? 1 : 0;
}
