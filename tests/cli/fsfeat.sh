#!/bin/sh
# tests/cli/fsfeat.sh: golden end-to-end tests of fsfeat, one TAP line per case.
#
# Each case tests/cli/fsfeat/NAME.sh runs in a fresh scratch directory with
# the fixtures of tests/cli/fsfeat/data copied in; its stdout, stderr and exit
# status must equal NAME.stdout, NAME.stderr and NAME.exit. The name states the
# rule the case checks. To regenerate the golden files on purpose:
#   FS_REGEN=1 sh tests/cli/fsfeat.sh
. "$(dirname "$0")/../lib.sh"
dir="$top_srcdir/tests/cli/fsfeat"
cases=$(cd "$dir" && ls *.sh | sed 's/\.sh$//')
plan "$(echo "$cases" | wc -l)"
for c in $cases; do
	w="$TMP/$c"
	mkdir -p "$w"
	cp "$dir"/data/* "$w"/
	(cd "$w" && sh "$dir/$c.sh" >"$w/.stdout" 2>"$w/.stderr"; echo $? >"$w/.exit")
	if [ -n "$FS_REGEN" ]; then
		for k in stdout stderr exit; do cp "$w/.$k" "$dir/$c.$k"; done
	fi
	bad=""
	for k in stdout stderr exit; do
		if ! cmp -s "$w/.$k" "$dir/$c.$k"; then
			bad="$bad $k"
			diff -u "$dir/$c.$k" "$w/.$k" 2>&1 | head -n 30 | diag
		fi
	done
	if [ -z "$bad" ]; then ok "$c"; else not_ok "$c (differs:$bad)"; fi
done
exit 0
