#!/bin/sh
# tests/bench/state.sh: fsfeat's memory and state on many keys (a benchmark,
# not a timed test; not part of make check).
#   tests/bench/state.sh [KEYS] [SIZES...|none]  default: 1000000 keys; 1M 5M 20M events
# For each size the events (uniform over KEYS keys, 60 days of event time)
# are generated on the fly and run through three specs: exact windows
# (examples/user.json), the same with --ttl 1d, and 30-day bucketed windows
# (examples/user-30d.json). Prints events/s, peak RSS, keys and events kept
# at the end; then checkpoint write and restore times for the largest state,
# and the bytes per key and per kept event behind fsfeat(1)'s MEMORY.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
fsfeat=${FSFEAT:-$top/fsfeat}
out=$here/out
mkdir -p "$out"
keys=${1:-1000000}
[ $# -gt 0 ] && shift
sizes=${*:-1000000 5000000 20000000}
[ -x /usr/bin/time ] || { echo "state.sh: needs GNU time: apt-get install -y time" >&2; exit 1; }

gen() { # N: events over $keys keys, 60 days from 2024-01-01, epoch seconds
	awk -v n="$1" -v keys="$keys" 'BEGIN { srand(7); t0 = 1704067200; span = 60 * 86400
		for (i = 0; i < n; i++)
			printf "{\"user_id\":\"u%d\",\"ts\":%d,\"amount\":%.2f,\"merchant_id\":\"m%d\"}\n",
				int(rand() * keys), t0 + int(i * span / n), rand() * 200, int(rand() * 500) }'
}

run() { # label N spec [options]: one line of the table
	label=$1 n=$2 spec=$3; shift 3
	rm -f "$out/state.zst"
	gen "$n" > "$out/state-input.fifo.tmp" 2>/dev/null || true
	/usr/bin/time -f '%e %M' -o "$out/state.time" \
		"$fsfeat" --spec "$spec" --state "$out/state.zst" "$@" "$out/state-input.fifo.tmp" > /dev/null 2>&1
	read -r secs rss < "$out/state.time"
	"$fsfeat" --state "$out/state.zst" --inspect > "$out/state.inspect"
	k=$(sed 's/.*"keys":\([0-9]*\).*/\1/' "$out/state.inspect")
	e=$(sed 's/.*"events_kept":\([0-9]*\).*/\1/' "$out/state.inspect")
	b=$(sed 's/.*"bytes":\([0-9]*\).*/\1/' "$out/state.inspect")
	printf '%-26s %10s %12.0f %10.1f %10s %12s %10.1f\n' "$label" "$n" "$(echo "$n $secs" | awk '{print $1/$2}')" \
		"$(echo "$rss" | awk '{print $1/1024}')" "$k" "$e" "$(echo "$b" | awk '{print $1/1048576}')"
}

printf 'fsfeat state benchmark: %s keys; %s\n' "$keys" "$(uname -srm)"
printf '%-26s %10s %12s %10s %10s %12s %10s\n' "spec" "events" "events/s" "RSS MB" "keys" "events kept" "state MB"
[ "$sizes" = none ] && sizes=""
for n in $sizes; do
	run "exact windows (user.json)" "$n" "$top/examples/user.json"
	run "exact windows, --ttl 1d" "$n" "$top/examples/user.json" --ttl 1d
	run "30-day buckets (user-30d)" "$n" "$top/examples/user-30d.json"
done

# checkpoint write and restore of the last state (30-day buckets, largest size)
if [ -n "$sizes" ]; then
s=$(date +%s.%N); "$fsfeat" --state "$out/state.zst" --inspect > /dev/null; e=$(date +%s.%N)
restore=$(echo "$s $e" | awk '{printf "%.2f", $2 - $1}')
s=$(date +%s.%N); "$fsfeat" --spec "$top/examples/user-30d.json" --state "$out/state.zst" < /dev/null 2>/dev/null; e=$(date +%s.%N)
both=$(echo "$s $e" | awk '{printf "%.2f", $2 - $1}')
printf '\ncheckpoint of %s keys (%s MB on disk): restore %s s, restore + write %s s\n' \
	"$(sed 's/.*"keys":\([0-9]*\).*/\1/' "$out/state.inspect")" \
	"$(sed 's/.*"bytes":\([0-9]*\).*/\1/' "$out/state.inspect" | awk '{printf "%.1f", $1/1048576}')" "$restore" "$both"
fi

# bytes per key and per kept event (examples/user.json): 100,000 keys with
# 4 and with 64 events each, all inside the windows (a key's events are kept
# in a ring whose size is a power of two, so these fill it exactly)
pk=100000
per() { # events-per-key
	awk -v keys="$pk" -v per="$1" 'BEGIN { for (i = 0; i < keys * per; i++)
		printf "{\"user_id\":\"u%d\",\"ts\":%d,\"amount\":1.5,\"merchant_id\":\"m%d\"}\n", i % keys, 1704067200 + int(i / keys), i % 7 }' > "$out/per.ndjson"
	rm -f "$out/per.zst"
	/usr/bin/time -f '%M' -o "$out/per.time" "$fsfeat" --spec "$top/examples/user.json" "$out/per.ndjson" > /dev/null 2>&1
	cat "$out/per.time"
}
base=$(printf '{"user_id":"u","ts":1,"amount":1}\n' | /usr/bin/time -f '%M' "$fsfeat" --spec "$top/examples/user.json" 2>&1 >/dev/null | tail -n 1)
r4=$(per 4)
r64=$(per 64)
awk -v k="$pk" -v b="$base" -v r4="$r4" -v r64="$r64" 'BEGIN {
	ev = (r64 - r4) * 1024 / (k * 60); key = (r4 - b) * 1024 / k - 4 * ev
	printf "memory (examples/user.json, 8 features, %d keys): about %.0f bytes per key and %.0f bytes per kept event\n", k, key, ev }'
rm -f "$out/per.ndjson" "$out/state-input.fifo.tmp"
