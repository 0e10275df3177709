#!/bin/sh
# tests/cli/signals.sh: SIGTERM, SIGINT and (in a tool with nothing to
# reload) SIGHUP finish the current record, flush everything read so far,
# and exit 0; a closed downstream ends the run quietly.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
plan 8
cd "$TMP"
awk -v n=50 -v keys=5 -f "$top_srcdir/examples/gen-events.awk" > events.ndjson
printf '{"key":"user_id","features":[{"name":"n","agg":"count"}]}\n' > spec.json

for sig in TERM INT HUP; do
	rm -f in.fifo; mkfifo in.fifo
	# Keep the writer open so that fsfeat is blocked in read when the signal comes.
	(head -n 20 events.ndjson; sleep 30) > in.fifo &
	writer=$!
	fsfeat --spec spec.json < in.fifo > out.$sig 2> err.$sig &
	pid=$!
	for _ in $(seq 100); do [ "$(wc -l < out.$sig)" -ge 20 ] && break; sleep 0.05; done
	kill -$sig $pid
	wait $pid
	status=$?
	kill $writer 2>/dev/null; wait $writer 2>/dev/null
	check "SIG$sig while waiting for input: exit 0 (got $status)" test "$status" -eq 0
	check "SIG$sig: all 20 events read were written, nothing on stderr" \
		test "$(wc -l < out.$sig)" -eq 20 -a ! -s err.$sig
done

yes '{"user_id":"a","ts":1}' | head -n 100000 > many.ndjson
fsfeat --spec spec.json many.ndjson 2> pipe.err | head -n 1 > /dev/null
status=${PIPESTATUS[0]}
check "closed downstream pipe: exit 0 (got $status)" test "$status" -eq 0
check "closed downstream pipe: nothing on stderr" test ! -s pipe.err
exit 0
