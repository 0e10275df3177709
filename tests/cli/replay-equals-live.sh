#!/bin/sh
# tests/cli/replay-equals-live.sh: the same events give byte-identical
# features whether read as a plain file, zstd, gzip, inside a tar.gz, from a
# pipe, or trickled live; and a trickled event is written before the next
# one arrives.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
plan 8
cd "$TMP"
awk -v n=3000 -v keys=80 -f "$top_srcdir/examples/gen-events.awk" > events.ndjson
cat > spec.json <<'J'
{"key":"user_id","features":[
 {"name":"amt_sum_1h","agg":"sum","field":"amount","window":"1h"},
 {"name":"n_24h","agg":"count","window":"24h"},
 {"name":"amt_mean_7d","agg":"mean","field":"amount","window":"7d"},
 {"name":"merchants_24h","agg":"count_distinct","field":"merchant_id","window":"24h"},
 {"name":"gap","agg":"time_since_last"},
 {"name":"prev_amt","agg":"lag","field":"amount"},
 {"name":"amt_sd_1h","agg":"stddev","field":"amount","window":"1h","include_current":false},
 {"name":"amt_ewma","agg":"ewma","field":"amount","halflife":"30m"},
 {"name":"m_n_1h","agg":"count","window":"1h","key":"merchant_id"}]}
J
fsfeat --spec spec.json events.ndjson > plain.out 2>plain.err
check "plain file: one output line per input line" test "$(wc -l < plain.out)" -eq 3000

same() { # same DESCRIPTION FILE
	if cmp -s plain.out "$2"; then ok "$1"; else not_ok "$1"; cmp plain.out "$2" | diag; fi
}
if command -v zstd >/dev/null; then
	zstd -q -c events.ndjson > events.ndjson.zst
	fsfeat --spec spec.json events.ndjson.zst > zst.out 2>/dev/null
	same "zstd-compressed input gives identical output" zst.out
else
	skip "zstd command not installed (apt-get install zstd)"
fi
gzip -c events.ndjson > events.ndjson.gz
fsfeat --spec spec.json events.ndjson.gz > gz.out 2>/dev/null
same "gzip input gives identical output" gz.out
head -n 1200 events.ndjson > part1.ndjson
tail -n +1201 events.ndjson > part2.ndjson
tar czf day.tar.gz part1.ndjson part2.ndjson
fsfeat --spec spec.json day.tar.gz > tar.out 2>/dev/null
same "tar.gz with the events split over two entries gives identical output" tar.out
cat events.ndjson | fsfeat --spec spec.json > pipe.out 2>/dev/null
same "events through a pipe on stdin give identical output" pipe.out

# Trickle: write one event at a time and wait for its output line before
# writing the next; a tool that buffered would time out here.
head -n 300 events.ndjson > trickle.in
head -n 300 plain.out > trickle.want
mkfifo in.fifo out.fifo
fsfeat --spec spec.json < in.fifo > out.fifo 2>/dev/null &
pid=$!
exec 3>in.fifo 4<out.fifo
late=0
while IFS= read -r line; do
	printf '%s\n' "$line" >&3
	if IFS= read -r -t 5 got <&4; then printf '%s\n' "$got"; else late=$((late + 1)); break; fi
done < trickle.in > trickle.out
exec 3>&-
wait $pid
status=$?
exec 4<&-
check "trickled events each appear on stdout before the next is written" test "$late" -eq 0
same_prefix() { if cmp -s trickle.want trickle.out; then ok "$1"; else not_ok "$1"; cmp trickle.want trickle.out | diag; fi; }
same_prefix "trickled output is byte-identical to the replay"
check "trickled run exits 0 at end of input" test "$status" -eq 0
exit 0
