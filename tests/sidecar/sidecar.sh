#!/bin/sh
# tests/sidecar/sidecar.sh: fsscore --endpoint against fsscore --serve.
#
# The issue's rule: scores through a sidecar equal embedded scores for the
# same model, byte for byte (here the whole line: the answers carry the
# model id), whatever the protocol, form, batch and requests in flight; and
# a reload during a load of concurrent requests fails none.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
plan 12
cd "$TMP"
data=$top_srcdir/tests/cli/fsscore/data
cp "$data/fraud.json" "$data/classes.json" .

# serve LOG ARGS...: starts fsscore --serve on a free port; sets $server and $port
serve() {
	log=$1
	shift
	fsscore --serve 127.0.0.1:0 "$@" 2> "$log" &
	server=$!
	pids="$pids $server"
	port=$(listening_port "$log" $server)
}

# 3000 events, some with missing and null features
awk 'BEGIN { srand(7); for (i = 1; i <= 3000; i++) {
	a = (i % 17 == 0) ? "null" : sprintf("%.2f", rand() * 300)
	c = (i % 23 == 0) ? "" : sprintf(",\"count\":%d", int(rand() * 9))
	printf "{\"id\":%d,\"features\":{\"amount\":%s%s}}\n", i, a, c } }' > events.ndjson
fsscore --model fraud.json events.ndjson > embedded.ndjson
fsscore --model classes.json events.ndjson > embedded-classes.ndjson

serve serve.log --model fraud.json --model classes.json
v2=http://127.0.0.1:$port/v2/models/fraud/infer
tf=http://127.0.0.1:$port/v1/models/fraud:predict

same() {  # same DESCRIPTION WANT ARGS...: fsscore ARGS... equals WANT byte for byte
	d=$1 want=$2
	shift 2
	fsscore "$@" events.ndjson > got.ndjson 2> got.err
	if cmp -s "$want" got.ndjson; then ok "$d"; else
		not_ok "$d"; diff "$want" got.ndjson | head -n 4 | diag; head -n 3 got.err | diag; fi
}
same "V2 by name (inputs from the metadata): every line equals embedded scoring" embedded.ndjson \
	--endpoint "$v2"
same "V2 by position (--features), 8 requests in flight" embedded.ndjson \
	--endpoint "$v2" --features amount,count --inflight 8
same "V2 in batches of 100, and a last partial batch" embedded.ndjson --endpoint "$v2" --batch 100
same "multiclass: scores and class as embedded" embedded-classes.ndjson \
	--endpoint "http://127.0.0.1:$port/v2/models/classes/infer" --batch 7

# TF Serving's answer has no model version: "model" is the URL's NAME
sed 's/"model":"fraud.json@[0-9a-f]*"/"model":"fraud"/' embedded.ndjson > embedded-tf.ndjson
same "TF Serving, rows as objects: the scores equal embedded ones" embedded-tf.ndjson \
	--endpoint "$tf" --batch 13 --inflight 3
same "TF Serving, rows as lists (--features)" embedded-tf.ndjson --endpoint "$tf" --features amount,count

# a live stream through a FIFO: each line comes out while input waits
mkfifo live
fsscore --endpoint "$v2" --batch 50 --batch-wait 20ms < live > live.out 2> live.err &
client=$!
exec 3> live
head -n 5 events.ndjson >&3
n=0
for _ in $(seq 200); do n=$(wc -l < live.out); [ "$n" -ge 5 ] && break; sleep 0.02; done
check "live: a partial batch goes after --batch-wait, its lines come out at once ($n of 5)" \
	[ "$n" -eq 5 ]
tail -n +6 events.ndjson >&3
exec 3>&-
wait $client
check "live: the whole stream equals embedded scoring" cmp -s live.out embedded.ndjson

# a reload during a load of concurrent requests fails none
mkdir A B
cp fraud.json A/m.json
sed 's/-0.5/-0.9/; s/0.8/1.7/' fraud.json > B/m.json
cp A/m.json m.json
idA=$(fsscore --model A/m.json --check | sed 's/.*"model":"m.json@\([^"]*\)".*/\1/')
idB=$(fsscore --model B/m.json --check | sed 's/.*"model":"m.json@\([^"]*\)".*/\1/')
serve reload.log --model m.json --watch
url=http://127.0.0.1:$port/v2/models/m/infer
for i in $(seq 8); do cat events.ndjson; done > load.ndjson
(
	for i in 1 2 3 4 5 6; do
		sleep 0.25
		if [ $((i % 2)) = 1 ]; then cp B/m.json m.tmp; else cp A/m.json m.tmp; fi
		mv m.tmp m.json
	done
	kill -HUP $server
) &
swapper=$!
fsscore --endpoint "$url" --inflight 8 --on-error null load.ndjson > load.out 2> load.err
wait $swapper
sleep 0.3
reloads=$(grep -c 'now serving' reload.log)
failed=$(grep -c endpoint_error load.out)
check "reload under load: $(wc -l < load.out) of $(wc -l < load.ndjson) lines, none failed ($failed), $reloads reloads" \
	[ "$(wc -l < load.out)" -eq "$(wc -l < load.ndjson)" ] && [ "$failed" -eq 0 ] && [ "$reloads" -ge 4 ]
both=$(grep -c "\"model\":\"m.json@$idA\"" load.out)-$(grep -c "\"model\":\"m.json@$idB\"" load.out)
check "both versions answered ($both lines)" [ "${both%-*}" -gt 0 ] && [ "${both#*-}" -gt 0 ]
# each line's score is what the version its "model" names gives offline
fsscore --model A/m.json events.ndjson | sed 's/,"model":.*//' > offA
fsscore --model B/m.json events.ndjson | sed 's/,"model":.*//' > offB
awk -v a="m.json@$idA" -v b="m.json@$idB" '
	FILENAME == "offA" { A[FNR] = $0; next }
	FILENAME == "offB" { B[FNR] = $0; next }
	{ i = (FNR - 1) % 3000 + 1; line = $0; sub(/,"model":.*/, "", line)
	  if (index($0, a)) want = A[i]; else if (index($0, b)) want = B[i]; else want = "?"
	  if (line != want) { bad++; if (bad < 3) print "line " FNR ": " $0 > "/dev/stderr" } }
	END { exit bad > 0 }' offA offB load.out 2> bad.txt
check "every line scored by one whole version: the score its model gives offline" [ ! -s bad.txt ]
[ -s bad.txt ] && diag < bad.txt

kill -TERM $server
wait $server
rc=$?
check "the server ends on SIGTERM with status 0 (got $rc)" [ "$rc" -eq 0 ]
