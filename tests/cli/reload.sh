#!/bin/sh
# tests/cli/reload.sh: fsscore swaps models while the stream flows.
#
# Events trickle through a FIFO while the model file is replaced: by rename,
# by a rewrite in place, by a broken file, and (without --watch) by SIGHUP.
# Every event must come out exactly once, in order, scored by one whole
# model: the one its "model" field names, which the same event scored
# offline by that model's file must confirm byte for byte. The broken file
# must change nothing.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
plan 13
cd "$TMP"
# Four models, each as X/model.json so that its id (file name and content
# hash) is the one the run shows: the same trees with other leaves.
mkdir A B C D
cp "$top_srcdir/tests/cli/fsscore/data/fraud.json" A/model.json
sed 's/-0.5/-0.9/; s/0.8/1.7/' A/model.json > B/model.json
sed 's/-0.5/0.25/; s/0.8/-1.1/' A/model.json > C/model.json
sed 's/-0.5/2.5/' A/model.json > D/model.json
id() { fsscore --model "$1/model.json" --check | sed 's/.*"model":"\([^"]*\)".*/\1/'; }
idA=$(id A) idB=$(id B) idC=$(id C) idD=$(id D)

# wait_for FILE PATTERN: until PATTERN appears in FILE (at most 10 s)
wait_for() {
	for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
# send FROM TO: events FROM..TO into the FIFO (fd 3), a few milliseconds apart
send() {
	for i in $(seq "$1" "$2"); do
		echo "{\"id\":$i,\"features\":{\"amount\":$((i * 7 % 200)),\"count\":$((i % 6))}}" >&3
		[ $((i % 10)) -eq 0 ] && sleep 0.01
	done
}
# wait until the first N events are out
wait_lines() {
	for _ in $(seq 200); do [ "$(wc -l < "$1")" -ge "$2" ] && return 0; sleep 0.05; done
	return 1
}

# --- with --watch: rename, broken rewrite, good rewrite ------------------
cp A/model.json model.json
mkfifo in.fifo
fsscore --watch --model model.json < in.fifo > out.ndjson 2> err.txt &
pid=$!
exec 3> in.fifo
send 1 200
wait_lines out.ndjson 200
cp B/model.json tmp.json && mv tmp.json model.json           # replaced by rename
wait_for err.txt "now serving $idB"
send 201 400
wait_lines out.ndjson 400
printf '{"learner": {"attributes": {}, "feature_na' > model.json   # broken, in place
wait_for err.txt "cannot reload"
send 401 600
wait_lines out.ndjson 600
cat C/model.json > model.json                                # rewritten in place
wait_for err.txt "now serving $idC"
send 601 800
exec 3>&-
wait $pid
status=$?

check "--watch run: exit 0 (got $status)" test "$status" -eq 0
check "every event came out exactly once, in order" \
	test "$(sed 's/^{"id":\([0-9]*\),.*/\1/' out.ndjson | tr '\n' ' ')" = "$(seq 1 800 | tr '\n' ' ')"
models=$(sed 's/.*"model":"\([^"]*\)".*/\1/' out.ndjson | uniq | tr '\n' ' ')
check "models in turn: A, B (kept through the broken file), C" test "$models" = "$idA $idB $idC "
check "the broken file was reported, naming the file and the cause" \
	grep -q "model.json (changed): cannot reload, still serving $idB: model.json: invalid JSON" err.txt
check "events sent after the broken file are scored by B" \
	test "$(sed -n '401,600p' out.ndjson | grep -c "\"model\":\"$idB\"")" -eq 200

# each event scored offline by the model its line names must give the same line
offline_ok=1
for m in A B C; do
	eval "mid=\$id$m"
	grep "\"model\":\"$mid\"" out.ndjson > by$m.ndjson
	sed 's/,"score":.*}$/}/' by$m.ndjson | fsscore --model $m/model.json > re$m.ndjson
	cmp -s by$m.ndjson re$m.ndjson || offline_ok=0
done
check "each event's score is exactly what its named model gives offline" test $offline_ok -eq 1

# --- without --watch: a replaced file waits for SIGHUP -------------------
cp A/model.json model.json
rm -f in.fifo && mkfifo in.fifo
fsscore --model model.json < in.fifo > hup.ndjson 2> hup.err &
pid=$!
exec 3> in.fifo
send 1 100
wait_lines hup.ndjson 100
cp D/model.json tmp.json && mv tmp.json model.json
sleep 0.3
send 101 200
wait_lines hup.ndjson 200
kill -HUP $pid
wait_for hup.err "now serving $idD"
send 201 300
wait_lines hup.ndjson 300
printf 'not a model' > model.json
kill -HUP $pid
wait_for hup.err "cannot reload"
send 301 400
exec 3>&-
wait $pid
status=$?
check "SIGHUP run: exit 0 (got $status), the stream went on" test "$status" -eq 0
check "SIGHUP run: 400 events out" test "$(wc -l < hup.ndjson)" -eq 400
check "without --watch a replaced file is not read" \
	test "$(sed -n '1,200p' hup.ndjson | grep -c "\"model\":\"$idA\"")" -eq 200
check "SIGHUP loads the new file, between two events" \
	test "$(sed -n '201,300p' hup.ndjson | grep -c "\"model\":\"$idD\"")" -eq 100
check "a bad file on SIGHUP leaves the model serving" \
	test "$(sed -n '301,400p' hup.ndjson | grep -c "\"model\":\"$idD\"")" -eq 100
check "SIGHUP reload messages name the signal" grep -q "model.json (SIGHUP): now serving $idD" hup.err

# --- the model file disappears: still serving ---------------------------
cp A/model.json model.json
rm -f in.fifo && mkfifo in.fifo
fsscore --watch --model model.json < in.fifo > gone.ndjson 2> gone.err &
pid=$!
exec 3> in.fifo
send 1 10
wait_lines gone.ndjson 10  # the model is loaded (fsscore starts when the FIFO gets a writer)
rm model.json
wait_for gone.err "is gone"
send 11 20
exec 3>&-
wait $pid
check "a deleted model file is reported and the model keeps serving" \
	test "$(grep -c "\"model\":\"$idA\"" gone.ndjson)" -eq 20
exit 0
