#!/bin/sh
# tests/cli/learn.sh: a live learner and a serving fsscore side by side.
#
# fsscore --learn reads labelled events from a FIFO and saves its model every
# 500 examples; a second fsscore --model --watch serves the same file to its
# own stream. Each version saved must be picked up by the server without it
# stopping, and a probe event the server scores must get the score the saved
# version gives offline. SIGHUP saves at once, --save-every DURATION saves
# while input waits, SIGTERM saves everything learned, and a restart from the
# file goes on where it stopped.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
plan 11
cd "$TMP"

awk 'BEGIN { srand(5); for (i = 1; i <= 3000; i++) { a = rand() * 4 - 2; m = (i % 3 == 0) ? "red" : "blue"
	z = 2 * a + (m == "red" ? 1 : -1); y = (rand() < 1 / (1 + exp(-z))) ? 1 : 0
	printf "{\"id\":%d,\"features\":{\"a\":%.4f},\"colour\":\"%s\",\"y\":%d}\n", i, a, m, y } }' > train.ndjson
probe='{"id":"probe","features":{"a":0.5},"colour":"red"}'

wait_for() {
	for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
examples() { sed -n 's/.*"learning":{[^}]*"examples":\([0-9]*\).*/\1/p' "$1"; }
wait_examples() {
	for _ in $(seq 200); do [ "$(examples "$1")" = "$2" ] && return 0; sleep 0.05; done
	return 1
}
wait_lines() {
	for _ in $(seq 200); do [ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return 0; sleep 0.05; done
	return 1
}
id_of() { fsscore --model "$1" --check | sed 's/.*"model":"\([^"]*\)".*/\1/'; }

# a first version, then the learner goes on from it on a live stream
head -n 100 train.ndjson | fsscore --learn --label y --features a --hash colour -q --save model.json > /dev/null
mkfifo learn.fifo serve.fifo
fsscore --learn --label y --model model.json --save model.json --save-every 500 -q \
	< learn.fifo > learned.ndjson 2> learn.err &
lpid=$!
fsscore --model model.json --watch < serve.fifo > served.ndjson 2> serve.err &
spid=$!
exec 3> learn.fifo 4> serve.fifo
# The server starts only once its FIFO has a writer: a first probe served
# proves it has loaded the first version before the learner saves the next
# (else, under load, it could start on v600 and never announce it).
echo "$probe" >&4
wait_lines served.ndjson 1

picked=0 exact=0 rounds=1
for k in 600 1100 1600 2100; do
	rounds=$((rounds + 1))
	sed -n "$((k - 499)),${k}p" train.ndjson >&3
	wait_examples model.json "$k"
	cp model.json "v$k.json"
	id=model.json@$(id_of "v$k.json" | sed "s/.*@//")
	wait_for serve.err "now serving $id" && picked=$((picked + 1))
	echo "$probe" >&4
	wait_lines served.ndjson "$rounds"
	tail -n 1 served.ndjson > got.ndjson
	echo "$probe" | fsscore --model "v$k.json" | sed "s/v$k.json@/model.json@/" > want.ndjson
	cmp -s got.ndjson want.ndjson && exact=$((exact + 1))
done
check "the server picked up each of 4 versions saved every 500 examples ($picked)" test "$picked" -eq 4
check "the server scored the probe with each version exactly as the file scores it offline ($exact)" \
	test "$exact" -eq 4

sed -n '2101,2300p' train.ndjson >&3
wait_lines learned.ndjson 2200
kill -HUP $lpid
check "SIGHUP saves at once" wait_for learn.err "saved after 2300 examples (SIGHUP)"
check "... with every example learned so far" test "$(examples model.json)" = 2300

sed -n '2301,2400p' train.ndjson >&3
wait_lines learned.ndjson 2300
kill -TERM $lpid
wait $lpid
status=$?
check "SIGTERM: the learner ends with status 0 (got $status)" test "$status" -eq 0
check "... and saves everything learned (2400)" test "$(examples model.json)" = 2400
exec 3>&- 4>&-
wait $spid
check "the server never stopped: exit 0, one line per probe" test "$(wc -l < served.ndjson)" -eq 5

# a restart from the file goes on: its scores continue one uninterrupted run's
fsscore --learn --label y --model model.json -q < <(tail -n +2401 train.ndjson) > rest.ndjson
head -n 100 train.ndjson | fsscore --learn --label y --features a --hash colour -q --save one.json > /dev/null
tail -n +101 train.ndjson | fsscore --learn --label y --model one.json -q > once.ndjson
strip() { sed 's/,"model":"[^"]*"}$/}/' "$@"; }
check "learned + restart = one run, score for score" \
	cmp -s <(strip learned.ndjson rest.ndjson) <(strip once.ndjson)

# --save-every DURATION saves while input waits
mkfifo timed.fifo
fsscore --learn --label y --features a --hash colour -q --save timed.json --save-every 200ms \
	< timed.fifo > /dev/null 2> timed.err &
tpid=$!
exec 5> timed.fifo
head -n 50 train.ndjson >&5
check "--save-every 200ms saves the first 50 examples while input waits" wait_examples timed.json 50
sed -n '51,80p' train.ndjson >&5
check "... and the next 30 at the next tick" wait_examples timed.json 80
exec 5>&-
wait $tpid
check "a learner whose input ends saves and exits 0 ($?)" test "$(examples timed.json)" = 80
exit 0
