#!/bin/sh
# tests/cli/fsgroundtruth-stream.sh: predictions and labels come through two
# pipes at their own pace, and neither waits for the other: each joined
# record and each window's metrics appear as soon as they are due, while
# both pipes are still open; SIGTERM then ends the run with everything
# read written out.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
plan 10
cd "$TMP"

mkfifo preds.fifo labels.fifo
fsgroundtruth --id tx --labels labels.fifo --maturity 1h --window 1h --emit joined \
	preds.fifo > out.ndjson 2> err.txt &
pid=$!
# The writers stay open all along: nothing may wait for an end of input.
exec 3> preds.fifo 4> labels.fifo

# until PATTERN appears in out.ndjson (up to 5 s); 0 when it did
appears() {
	for _ in $(seq 100); do
		grep -q -- "$1" out.ndjson && return 0
		sleep 0.05
	done
	return 1
}
pred() { printf '{"tx":"%s","ts":%s,"score":%s}\n' "$1" "$2" "$3" >&3; }
label() { printf '{"tx":"%s","ts":%s,"label":%s}\n' "$1" "$2" "$3" >&4; }

pred p1 0 0.9
label p1 60 1
check "a label after its prediction: joined at once" appears '"tx":"p1".*"label":1'

label p2 100 0
sleep 0.2
check "a label before its prediction waits: nothing joined yet" test "$(grep -c '"p2"' out.ndjson)" -eq 0
pred p2 90 0.2
check "its prediction comes: joined at once" appears '"tx":"p2".*"label":0'

# Predictions go on while the labels pipe stays silent (and open).
pred p3 120 0.7
pred p4 1800 0.4
pred p5 3800 0.6
check "labels silent: a prediction past p3's maturity makes it final, unlabeled" \
	appears '"tx":"p3".*"label":null'

# The labels go on while the predictions pipe stays silent (and open).
label p5 3900 1
check "predictions silent: a label still joins" appears '"tx":"p5".*"label":1'

pred p6 7300 0.1
check "the first hour's metrics appear once it is mature" \
	appears '"kind":"metrics","window_start":"1970-01-01T00:00:00Z".*"mature":true'
check "... with its two labeled and two unlabeled predictions" \
	appears '"predictions":4,"labeled":2,"absent":0,"unlabeled":2'

kill -TERM $pid
wait $pid
status=$?
exec 3>&- 4>&-
check "SIGTERM with both pipes open: exit 0 (got $status)" test "$status" -eq 0
check "the open windows are written at the end, not mature" \
	test "$(grep -c '"mature":false' out.ndjson)" -eq 2
check "nothing rejected" test ! -s err.txt
if [ -s err.txt ]; then diag < err.txt; fi
exit 0
