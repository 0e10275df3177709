#!/bin/sh
# tests/cli/fsgroundtruth-resume.sh: fsgroundtruth killed at any moment with
# --state and --checkpoint, then started again with the same command, gives
# after the lines the first run wrote exactly the output of one
# uninterrupted run: pending predictions, waiting labels, open windows and
# where each of the two inputs stood all come back.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
cd "$TMP"
rounds=${FS_RESUME_ROUNDS:-8}
plan $((2 * rounds + 2))

# 30000 predictions over 6 days; most get a label 0 to 40 hours later (some
# before their prediction, some twice), a few labels have no prediction.
awk 'BEGIN {
	srand(7)
	for (i = 0; i < 30000; i++) {
		t = 1767225600 + i * 17 + int(rand() * 16)
		s = rand(); y = rand() < s ? 1 : 0
		printf "{\"tx\":\"t%d\",\"ts\":%d,\"score\":%.4f}\n", i, t, s > "p.ndjson"
		r = rand()
		if (r < 0.8) print t + int(rand() * 144000) - 3000, i, y > "l.tmp"
		if (r < 0.05) print t + int(rand() * 144000), i, 1 - y > "l.tmp"
		if (r > 0.99) print t, "x" i, 1 > "l.tmp"
	}
}'
sort -n l.tmp | awk '{ printf "{\"tx\":\"%s%s\",\"ts\":%d,\"label\":%d}\n", ($2 ~ /^x/ ? "" : "t"), $2, $1, $3 }' > l.ndjson
opts="--id tx --labels l.ndjson --maturity 1d --window 6h --emit joined --absent-label 0"
fsgroundtruth $opts p.ndjson > want.out 2>/dev/null
# with --state the windows still open at the end are kept, not written
grep -v '"mature":false' want.out > want.mature

whole() { head -n "$(tr -cd '\n' < "$1" | wc -c)" "$1"; }
# the first run's complete lines, then the resumed run's, must be the
# uninterrupted output, overlapping by at most what came after the last
# checkpoint
joined_equals() { # want first resumed
	w=$(wc -l < "$1"); f=$(whole "$2" | wc -l); r=$(wc -l < "$3")
	[ "$r" -le "$w" ] && [ $((f + r)) -ge "$w" ] &&
		whole "$2" | cmp -s - <(head -n "$f" "$1") &&
		cmp -s "$3" <(tail -n "$r" "$1")
}
for i in $(seq "$rounds"); do
	sig=KILL; [ $((i % 3)) = 0 ] && sig=TERM
	for every in 2000 5ms; do
		rm -f s first.out second.out
		fsgroundtruth $opts --state s --checkpoint $every p.ndjson > first.out 2>/dev/null &
		pid=$!
		sleep "0.0$((RANDOM % 6 + 1))"
		kill -$sig $pid 2>/dev/null; wait $pid 2>/dev/null
		fsgroundtruth $opts --state s --checkpoint $every p.ndjson > second.out 2>/dev/null
		n1=$(whole first.out | wc -l) n2=$(wc -l < second.out)
		if joined_equals want.mature first.out second.out; then
			ok "SIG$sig after $n1 lines (--checkpoint $every), resumed with $n2: identical to one run"
		else
			not_ok "SIG$sig after $n1 lines (--checkpoint $every), resumed with $n2: differs"
		fi
	done
done

# The same lines in two days' files each (a daily cron run), resumed
# through the state, give one run's mature windows; only the last run
# leaves its open windows in the state.
head -n 15000 p.ndjson > p1.ndjson; tail -n +15001 p.ndjson > p2.ndjson
cut=$(sed -n 15000p p.ndjson | sed 's/.*"ts":\([0-9]*\).*/\1/')
awk -v c="$cut" -F'"ts":' '{ split($2, a, ","); print > (a[1] + 0 <= c ? "l1.ndjson" : "l2.ndjson") }' l.ndjson
rm -f s
fsgroundtruth ${opts/l.ndjson/l1.ndjson} --state s p1.ndjson > days.out 2>/dev/null
fsgroundtruth ${opts/l.ndjson/l2.ndjson} --state s p2.ndjson >> days.out 2>/dev/null
check "two daily runs through --state: the mature output of one run" cmp -s days.out want.mature
check "... and nothing immature written while the state keeps the open windows" \
	test "$(grep -c '"mature":false' days.out)" -eq 0
exit 0
