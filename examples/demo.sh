#!/bin/sh
# examples/demo.sh: the fstools loop on generated data, run from the build tree.
#   sh examples/demo.sh [EVENTS]
# Today it shows fsfeat: features live and in replay, byte for byte the same.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
PATH="$top:$PATH"
n=${1:-200000}
work=$(mktemp -d "${TMPDIR:-/tmp}/fstools-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

say() { printf '\n== %s\n' "$*"; }

say "1. $n synthetic card transactions (a few malformed, as in life)"
awk -v n="$n" -v keys=5000 -v bad=0.001 -f "$here/gen-events.awk" > events.ndjson
head -n 2 events.ndjson

say "2. live: user features, then merchant features, as two pipeline stages"
start=$(date +%s.%N)
fsfeat --spec "$here/user.json" --errors rejected.ndjson events.ndjson \
	| fsfeat --spec "$here/merchant.json" --errors rejected2.ndjson > live.ndjson
end=$(date +%s.%N)
head -n 1 live.ndjson
awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%d events through two stages in %.2f s\n", n, e - s }'
echo "rejected lines are reported, never dropped silently, e.g.:"
head -n 1 rejected.ndjson

say "3. replay: the same events from archives give byte-identical features"
zstd -q -c events.ndjson > events.ndjson.zst
split -l $((n / 3 + 1)) events.ndjson day- && tar czf days.tar.gz day-*
for input in events.ndjson.zst days.tar.gz; do
	fsfeat --spec "$here/user.json" --errors /dev/null "$input" 2>/dev/null \
		| fsfeat --spec "$here/merchant.json" --errors /dev/null 2>/dev/null > replay.ndjson
	if cmp -s live.ndjson replay.ndjson; then
		echo "$input: identical to live ($(sha256sum < replay.ndjson | cut -c1-16)...)"
	else
		echo "$input: DIFFERENT from live" >&2
		exit 1
	fi
done

say "4. offline-store rows for training (fsfeat --emit rows)"
fsfeat --spec "$here/user.json" --emit rows --errors /dev/null events.ndjson 2>/dev/null | head -n 2

say "5. restart without skew: kill -9 a run that checkpoints, run the same command again"
rm -f state.zst
fsfeat --spec "$here/user.json" --state state.zst --checkpoint 5000 --errors /dev/null \
	events.ndjson > first.ndjson 2>/dev/null &
pid=$!
sleep 0.2
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
fsfeat --spec "$here/user.json" --state state.zst --checkpoint 5000 --errors /dev/null \
	events.ndjson > second.ndjson 2>/dev/null
fsfeat --spec "$here/user.json" --errors /dev/null events.ndjson > once.ndjson 2>/dev/null
done_lines=$(wc -l < first.ndjson)
again=$(wc -l < second.ndjson)
echo "killed after $done_lines lines; the restart wrote $again lines, from the last checkpoint on"
if tail -n "$again" once.ndjson | cmp -s - second.ndjson &&
	[ $((done_lines + again)) -ge "$(wc -l < once.ndjson)" ]; then
	echo "first run + restart = one uninterrupted run, byte for byte"
else
	echo "restart DIFFERS from one uninterrupted run" >&2
	exit 1
fi
fsfeat --state state.zst --inspect | cut -c1-200

say "done: scoring, drift and delayed labels join this demo as fsscore, fspsi and fsgroundtruth land"
