#!/bin/sh
# tests/sidecar/serve.sh: fsscore --serve, the model server, end to end
# against plain curl and Python requests (serve_check.py).
#
# - health, server and model metadata (V2 and TF Serving), names from the
#   file and from --name, 404 for unknown models and paths, 405;
# - every request form (V2 positional flat and nested, named [N] and [N,1],
#   missing, null, true/false, "id", "outputs"; TF instances as lists and
#   objects, inputs as rows and columns; multiclass; linear): the number
#   text in the answer is embedded `fsscore --model`'s on the same rows,
#   byte for byte, and within 1e-6 of Python xgboost's Booster.predict;
#   hashed string fields as BYTES tensors and TF strings;
# - keep-alive sessions and concurrent threads (requests);
# - the model file replaced (--watch) and SIGHUP while 8 threads post: no
#   request fails, each answer is scored by the version serving then, whose
#   embedded scores it equals; a broken file changes nothing;
# - /metrics parsed as Prometheus text and checked against what was sent;
# - garbage bodies get a 400 naming the problem, garbage on the socket
#   changes nothing; bodies past --max-body get a 413 (Content-Length and
#   chunked); the server never dies;
# - SIGTERM and SIGINT exit 0 at once; exit codes 64, 66, 69.
# No expected number comes from the server: the truth is embedded fsscore
# on the same rows, or xgboost.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
cd "$TMP"
PY=/usr/bin/python3
CHK="$top_srcdir/tests/sidecar/serve_check.py"
DATA="$top_srcdir/tests/cli/fsscore/data"

if ! "$PY" -c 'import requests' 2>/dev/null; then
	echo "1..0 # SKIP python module requests missing: apt-get install -y python3-requests"
	exit 0
fi
if ! command -v curl > /dev/null; then
	echo "1..0 # SKIP curl missing: apt-get install -y curl"
	exit 0
fi
ngarbage=$("$PY" "$CHK" garbage --count)
plan $((105 + ngarbage))

# serve TAG ARGS...: fsscore --serve ${LISTEN:-0} ARGS in the background,
# its stderr in TAG.err; sets $spid, and $port from the "listening" line
serve() {
	tag=$1
	shift
	: > "$tag.err"
	fsscore --serve "${LISTEN:-0}" "$@" 2> "$tag.err" &
	spid=$!
	pids="$pids $spid"
	port=$(listening_port "$tag.err" $spid) && return 0
	echo "# fsscore --serve $* did not start:"
	diag < "$tag.err"
	return 1
}
# wait_exit PID SECONDS: until PID ends; its status in $rc (124: it did not end)
wait_exit() {
	for _ in $(seq $(($2 * 20))); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			rc=$?
			pids=$(echo " $pids " | sed "s/ $1 / /")   # no kill later: the id may be reused
			return 0
		fi
		sleep 0.05
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	pids=$(echo " $pids " | sed "s/ $1 / /")
	rc=124
	return 1
}
stop() { kill "$1" 2>/dev/null; wait_exit "$1" 10; }
# wait_for FILE PATTERN: until PATTERN appears in FILE (at most 10 s)
wait_for() {
	for _ in $(seq 200); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	echo "# waited in vain for \"$2\" in $1"
	return 1
}
# req METHOD PATH [CURL ARGS...]: plain curl; the body in body.json, the
# status in $code, the Content-Type in $ctype
req() {
	method=$1 path=$2
	shift 2
	out=$(curl -s -S --max-time 10 -X "$method" -o body.json -w '%{http_code} %{content_type}' "$@" \
		"http://${HOST:-127.0.0.1}:$port$path" 2> curl.err)
	code=${out%% *} ctype=${out#* }
}
# js EXPR: the Python expression EXPR holds, with d the JSON in body.json
# and e the environment
js() {
	"$PY" -c 'import json, os, sys
d = json.load(open("body.json")); e = os.environ
sys.exit(0 if eval("(" + sys.argv[1] + "\n)") else 1)' "$1" 2>/dev/null
}
# answered CODE [EXPR]: the last answer had status CODE, was JSON, and EXPR holds
answered() {
	if [ "$code" = "$1" ] && [ "$ctype" = application/json ] && js "${2:-True}"; then
		return 0
	fi
	echo "# HTTP $code ($ctype), want $1: $(head -c 300 body.json)"
	return 1
}
# tap_from FILE N RC: serve_check.py's results in FILE as cases here; N of them
tap_from() {
	got=0
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }"; got=$((got + 1)) ;;
		"not ok - "*) not_ok "${line#not ok - }"; got=$((got + 1)) ;;
		"skip - "*) skip "${line#skip - }"; got=$((got + 1)) ;;
		"#"*) echo "$line" ;;
		esac
	done < "$1"
	while [ "$got" -lt "$2" ]; do
		not_ok "serve_check.py ended early (status $3)"
		got=$((got + 1))
	done
	[ "$3" -eq 0 ] || diag < "$1.err" | tail -n 20
}
# pyt N SUBCOMMAND ARGS...: runs serve_check.py SUBCOMMAND, N cases
pyt() {
	n=$1
	shift
	timeout 120 "$PY" "$CHK" "$@" > py.out 2> py.out.err
	tap_from py.out "$n" $?
}
mid() { fsscore --model "$1" --check | sed 's/.*"model":"\([^"]*\)".*/\1/'; }

cp "$DATA/fraud.json" "$DATA/classes.json" "$DATA/linear.json" "$DATA/unnamed.json" .
idF=$(mid fraud.json) idC=$(mid classes.json) idL=$(mid linear.json)
export idF idC idL
MODELS="--fraud fraud.json --classes classes.json --linear linear.json"

# ------------------------------------------------------------------ metadata (curl)
serve s1 --threads 4 --model fraud.json --model classes.json --model linear.json --name lin
all_lines() {
	grep -q "^fsscore: serving fraud: $idF (xgboost 1.7 gbtree, 2 trees, binary:logistic, 2 features)\$" s1.err &&
		grep -q "^fsscore: serving classes: $idC (xgboost" s1.err &&
		grep -q "^fsscore: serving lin: $idL (fstools-linear" s1.err &&
		grep -q "^fsscore: listening on http://127.0.0.1:$port\( \|\$\)" s1.err &&
		[ "$(grep -c '' s1.err)" -eq 4 ]
}
check "--serve 0: each model's name, id and kind, then the address with the port" all_lines
req GET /v2/health/live
check "GET /v2/health/live: 200 {\"live\":true}" answered 200 'd == {"live": True}'
req GET /v2/health/ready
check "GET /v2/health/ready: 200 {\"ready\":true}" answered 200 'd == {"ready": True}'
version=$(fsscore --version | sed 's/.* //')
export version
req GET /v2
check "GET /v2: name fsscore, version $version, no extensions" \
	answered 200 'd == {"name": "fsscore", "version": e["version"], "extensions": []}'
req GET /v2/models/fraud
check "GET /v2/models/fraud: name, versions [id], platform xgboost, inputs = the features, output score" \
	answered 200 'd == {"name": "fraud", "versions": [e["idF"]], "platform": "xgboost",
	"inputs": [{"name": "amount", "datatype": "FP64", "shape": [-1]},
	           {"name": "count", "datatype": "FP64", "shape": [-1]}],
	"outputs": [{"name": "score", "datatype": "FP64", "shape": [-1]}]}'
req GET /v2/models/classes
check "GET /v2/models/classes (multiclass): outputs scores FP64 [-1,3] and class INT64 [-1]" \
	answered 200 'd["versions"] == [e["idC"]] and d["outputs"] == [
	{"name": "scores", "datatype": "FP64", "shape": [-1, 3]},
	{"name": "class", "datatype": "INT64", "shape": [-1]}]'
req GET /v2/models/lin
lin_ok=$code
req GET /v2/models/linear
check "--name lin: served as lin (platform fstools-linear, its file's id), not as linear (404)" \
	sh -c "[ $lin_ok = 200 ] && [ $code = 404 ]"
req GET /v2/models/lin
check "... GET /v2/models/lin" answered 200 'd["name"] == "lin" and d["versions"] == [e["idL"]] and
	d["platform"] == "fstools-linear" and [i["name"] for i in d["inputs"]] == ["amount", "count"]'
req GET /v2/models/fraud/ready
check "GET /v2/models/fraud/ready: 200 {\"name\":\"fraud\",\"ready\":true}" \
	answered 200 'd == {"name": "fraud", "ready": True}'
req GET /v1/models/fraud
check "GET /v1/models/fraud: TF Serving status AVAILABLE" \
	answered 200 'd == {"model_version_status": [{"version": "1", "state": "AVAILABLE",
	"status": {"error_code": "OK", "error_message": ""}}]}'
req GET /v1/models/fraud/metadata
check "GET /v1/models/fraud/metadata: model_spec, DT_DOUBLE inputs by feature, output score" \
	answered 200 'd["model_spec"] == {"name": "fraud", "signature_name": "", "version": "1"} and
	(lambda s: list(s["inputs"]) == ["amount", "count"] and
	 all(v["dtype"] == "DT_DOUBLE" and v["name"] == k and v["tensor_shape"]["dim"][0]["size"] == "-1"
	     for k, v in s["inputs"].items()) and list(s["outputs"]) == ["score"] and
	 s["method_name"] == "tensorflow/serving/predict")(
	 d["metadata"]["signature_def"]["signature_def"]["serving_default"])'
req POST /v2/models/nope/infer -d '{}'
check "POST /v2/models/nope/infer: 404 naming the served models" \
	answered 404 'd == {"error": "model \"nope\" is not served here; served: fraud, classes, lin"}'
req POST /v1/models/nope:predict -d '{}'
check "POST /v1/models/nope:predict: 404 naming the served models" \
	answered 404 '"served: fraud, classes, lin" in d["error"]'
unknown_paths() {
	for p in /nope /v2/models /v2/models/fraud/explain /v1/models/fraud:classify /v2/health /v3/models/fraud/infer; do
		req GET "$p"
		answered 404 'type(d["error"]) is str and d["error"]' || { echo "# GET $p"; return 1; }
	done
}
check "unknown paths: 404 with a JSON error" unknown_paths
req POST "/v2/models/fraud/versions/fraud.json@0000000000000000/infer" -d '{}'
v2v=$code
req POST "/v1/models/fraud/versions/2:predict" -d '{}'
check "a version other than the served one: 404 (V2 /versions/ID, TF /versions/2)" \
	sh -c "[ $v2v = 404 ] && [ $code = 404 ]"
wrong_methods() {
	for mp in "DELETE /v2/health/live" "POST /v2/health/ready" "GET /v2/models/fraud/infer" \
		"PUT /v1/models/fraud:predict" "POST /v2/models/fraud" "POST /metrics" "PATCH /v1/models/fraud/metadata"; do
		req ${mp% *} ${mp#* } -d '{}'
		answered 405 'type(d["error"]) is str and d["error"]' || { echo "# $mp"; return 1; }
	done
}
check "wrong methods: 405 with a JSON error" wrong_methods

# ------------------------------------------------------------------ every form (curl) and sessions (requests)
pyt 22 forms --port "$port" $MODELS
pyt 3 session --port "$port" $MODELS
kill -0 "$spid" 2>/dev/null
check "the server ran through all of it" test $? -eq 0
stop "$spid"
check "SIGTERM: exit 0 (status $rc)" test "$rc" -eq 0

serve u1 --model unnamed.json --features amount,count
pyt 3 unnamed --port "$port" --model unnamed.json --name unnamed --features amount,count
stop "$spid"
serve u2 --model unnamed.json
pyt 3 unnamed --port "$port" --model unnamed.json --name unnamed
stop "$spid"
mkdir sub && cp classes.json sub/risk.v3.json
serve two --model fraud.json --name a --model ./fraud.json --name b.v2 --model sub/risk.v3.json
req GET /v2/models/a
a_ok=$(js 'd["versions"] == [e["idF"]]' && echo "$code")
req GET /v2/models/b.v2
b_ok=$(js 'd["versions"] == [e["idF"]]' && echo "$code")
req GET /v2/models/fraud
check "one file as two models, --name a and --name b.v2 (fraud: 404)" \
	test "$a_ok $b_ok $code" = "200 200 404"
req GET /v2/models/risk.v3
check "sub/risk.v3.json is served as risk.v3 (the file name without its last extension)" \
	answered 200 'd["name"] == "risk.v3" and d["versions"][0].startswith("risk.v3.json@")'
stop "$spid"

# a linear model with hashed string fields, learned here
"$PY" -c 'import json, random
r = random.Random(3)
for i in range(300):
    u, a = r.choice(["u1", "u2", "u3", "u4", "u5"]), round(r.uniform(0, 300), 2)
    print(json.dumps({"user": u, "country": r.choice(["de", "fr", 7]),
                      "features": {"amount": a, "count": r.randint(0, 5)}, "y": int(a > 150 or u == "u2")}))' > learn.ndjson
fsscore --learn --label y --features amount,count --hash user,country --save hashed.json -q learn.ndjson > /dev/null
serve hs --model hashed.json
pyt 3 hashed --port "$port" --model hashed.json --name hashed
stop "$spid"

if "$PY" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	LISTEN='[::1]:0' serve v6 --model fraud.json
	HOST='[::1]' req GET /v2/health/live -g
	check "--serve [::1]:0: listening on http://[::1]:PORT, answers there" \
		sh -c "grep -q 'listening on http://\[::1\]:$port ' v6.err && [ $code = 200 ]"
	stop "$spid"
else
	skip "no IPv6 loopback here"
fi

# ------------------------------------------------------------------ /metrics (requests)
LISTEN=127.0.0.1:0 serve m --model fraud.json --model classes.json
check "--serve 127.0.0.1:0: listening on http://127.0.0.1:PORT" grep -q "listening on http://127.0.0.1:$port" m.err
pyt 7 metrics --port "$port" $MODELS
stop "$spid"

# ------------------------------------------------------------------ garbage
serve g --threads 1 --model fraud.json --model classes.json
pyt "$ngarbage" garbage --port "$port"
pyt 5 raw --port "$port"
good='{"inputs":[{"name":"amount","shape":[1],"datatype":"FP64","data":[150]},{"name":"count","shape":[1],"datatype":"FP64","data":[1]}]}'
want=$(echo '{"features":{"amount":150,"count":1}}' | fsscore --model fraud.json | sed 's/.*"score":\([^,]*\),.*/\1/')
export want
req POST /v2/models/fraud/infer -d "$good"
good_after() {
	kill -0 "$spid" 2>/dev/null && answered 200 'd["outputs"][0]["data"] == [float(e["want"])]' &&
		grep -q "\"data\":\[$want\]" body.json
}
check "after all the garbage: alive, and a good request scores as embedded fsscore ($want)" good_after
stop "$spid"
check "... then SIGTERM: exit 0 (status $rc)" test "$rc" -eq 0

# ------------------------------------------------------------------ --max-body
# pad BYTES: the good request padded with spaces to BYTES bytes
pad() { "$PY" -c 'import sys; b = sys.argv[1]; sys.stdout.write(b + " " * (int(sys.argv[2]) - len(b)))' "$good" "$1"; }
pad 1024 > b1024.json
pad 1025 > b1025.json
pad 2048 > b2048.json
pad 1000 > b1000.json
serve o --max-body 1k --model fraud.json
req POST /v2/models/fraud/infer --data-binary @b1024.json
check "--max-body 1k: a body of 1024 bytes is scored" answered 200 'd["outputs"][0]["data"] == [float(e["want"])]'
req POST /v2/models/fraud/infer --data-binary @b1025.json
check "--max-body 1k: 1025 bytes with Content-Length: 413 with a JSON error" \
	answered 413 '"--max-body" in d["error"] and "1024" in d["error"]'
req POST /v2/models/fraud/infer --data-binary @b2048.json
check "--max-body 1k: 2 KiB with Content-Length: 413" answered 413 '"--max-body" in d["error"]'
req POST /v1/models/fraud:predict --data-binary @b2048.json
check "--max-body 1k: 2 KiB to TF :predict: 413" answered 413 '"--max-body" in d["error"]'
req POST /v2/models/fraud/infer -H 'Transfer-Encoding: chunked' --data-binary @b2048.json
check "--max-body 1k: 2 KiB chunked (no Content-Length): 413" answered 413 '"--max-body" in d["error"]'
req POST /v2/models/fraud/infer -H 'Transfer-Encoding: chunked' --data-binary @b1000.json
check "--max-body 1k: 1000 bytes chunked: scored" answered 200 'd["outputs"][0]["data"] == [float(e["want"])]'
"$PY" -c 'print("{\"inputs\":" + "[" * 5000000 + "]" * 5000000 + "}")' > huge.json
req POST /v2/models/fraud/infer --data-binary @huge.json
check "--max-body 1k: 10 MB of nested brackets: 413" answered 413
req GET /v2/health/live
check "after the 413s: alive" answered 200
stop "$spid"
serve d --model fraud.json
req POST /v2/models/fraud/infer --data-binary @huge.json
check "default --max-body (16M): 10 MB of nested brackets: 400, not JSON (too deep)" \
	answered 400 '"not JSON" in d["error"]'
head -c 17000000 /dev/zero | tr '\0' ' ' > over.json
req POST /v2/models/fraud/infer --data-binary @over.json
check "default --max-body: 17 MB: 413" answered 413
stop "$spid"

# ------------------------------------------------------------------ reload under load
# Four models, each as X/model.json so that its id (file name and content
# hash) is the one the server shows: the same trees with other leaves.
mkdir A B C D
cp fraud.json A/model.json
sed 's/-0.5/-0.9/; s/0.8/1.7/' A/model.json > B/model.json
sed 's/-0.5/0.25/; s/0.8/-1.1/' A/model.json > C/model.json
sed 's/-0.5/2.5/' A/model.json > D/model.json
idA=$(mid A/model.json) idB=$(mid B/model.json) idC=$(mid C/model.json) idD=$(mid D/model.json)

# the phase file tells the load which version must answer now: set once
# the server said so, and "-" before anything changes
phase() { echo "$1" > phase.tmp && mv phase.tmp phase; }
changing() { phase -; }
progress() { cat progress 2>/dev/null || echo 0; }
# more N: until the load has made N more requests (at most 20 s)
more() {
	target=$(($(progress) + $1))
	for _ in $(seq 400); do
		[ "$(progress)" -ge "$target" ] && return 0
		kill -0 "$lpid" 2>/dev/null || break
		sleep 0.05
	done
	echo "# the load did not reach $target requests (at $(progress))"
	return 1
}
# load LABEL: 8 threads posting until the stop file appears
load() {
	rm -f stop progress
	"$PY" "$CHK" load --port "$port" --variants A/model.json B/model.json C/model.json D/model.json \
		--phase phase --stop stop --progress progress --threads 8 --label="$1" > load.out 2> load.out.err &
	lpid=$!
	pids="$pids $lpid"
}
# finish OK FAILED FINAL: stops the load; the reloads /metrics must show
finish() {
	echo "ok=$1 failed=$2 final=$3" > stop.tmp && mv stop.tmp stop
	wait_exit "$lpid" 60
	tap_from load.out 5 "$rc"
}

cp A/model.json model.json
serve r --watch --threads 4 --model model.json
phase "$idA"
load "--watch"
more 300
changing
cp B/model.json tmp.json && mv tmp.json model.json
wait_for r.err "model.json (changed): now serving $idB (xgboost .*), was $idA" && phase "$idB"
more 300
changing
cp C/model.json tmp.json && mv tmp.json model.json
wait_for r.err "now serving $idC" && phase "$idC"
more 300
changing
printf '{"learner": {"attributes": {}, "feature_na' > tmp.json && mv tmp.json model.json
wait_for r.err "model.json (changed): cannot reload, still serving $idC: model.json: invalid JSON" && phase "$idC"
more 300
changing
cp D/model.json tmp.json && mv tmp.json model.json
wait_for r.err "now serving $idD" && phase "$idD"
more 300
changing
kill -HUP "$spid"
wait_for r.err "model.json (SIGHUP): now serving $idD (xgboost .*), was $idD" && phase "$idD"
more 300
finish 4 1 "$idD"
said=$(sed -n 's/^fsscore: model.json (\([^)]*\)): \(now serving\|cannot reload, still serving\) \([^ :]*\).*/\1 \3/p' r.err | tr '\n' ' ')
check "--watch: the reloads were said in turn: B, C, the broken file refused, D, SIGHUP" \
	test "$said" = "changed $idB changed $idC changed $idC changed $idD SIGHUP $idD " ||
	echo "# said: $said"
kill -0 "$spid" 2>/dev/null
check "--watch: the server is up after it all" test $? -eq 0
stop "$spid"

# without --watch: a replaced file waits for SIGHUP
cp A/model.json model.json
serve h --threads 2 --model model.json
phase "$idA"
load "SIGHUP"
more 300
cp B/model.json tmp.json && mv tmp.json model.json    # not read yet: still A
more 300
changing
kill -HUP "$spid"
wait_for h.err "model.json (SIGHUP): now serving $idB" && phase "$idB"
more 300
changing
printf 'not a model' > tmp.json && mv tmp.json model.json
kill -HUP "$spid"
wait_for h.err "model.json (SIGHUP): cannot reload, still serving $idB" && phase "$idB"
more 300
finish 1 1 "$idB"
stop "$spid"
check "SIGHUP: exit 0 after SIGTERM (status $rc)" test "$rc" -eq 0

# ------------------------------------------------------------------ signals and exit codes
serve t --model fraud.json
exec 5<> "/dev/tcp/127.0.0.1/$port"            # an idle keep-alive connection
printf 'GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n' >&5
exec 6<> "/dev/tcp/127.0.0.1/$port"            # a request half sent
printf 'POST /v2/models/fraud/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"in' >&6
sleep 0.2
start=$(date +%s%N)
kill -TERM "$spid"
wait_exit "$spid" 10
ms=$((($(date +%s%N) - start) / 1000000))
exec 5>&- 6>&-
check "SIGTERM with an idle connection and a half-sent request open: exit 0 in $ms ms (status $rc)" \
	sh -c "[ $rc -eq 0 ] && [ $ms -lt 3000 ]"
serve t2 --model fraud.json
kill -INT "$spid"
wait_exit "$spid" 10
check "SIGINT: exit 0 (status $rc)" test "$rc" -eq 0

# usage ERRTEXT ARGS...: fsscore ARGS exits 64 and says ERRTEXT
usage() {
	msg=$1
	shift
	timeout 10 fsscore "$@" > /dev/null 2> usage.err
	rc=$?
	if [ $rc -eq 64 ] && grep -q -- "$msg" usage.err; then return 0; fi
	echo "# fsscore $*: status $rc"
	diag < usage.err | head -n 3
	return 1
}
check "exit 64: two models with one name" usage "two models are named fraud" \
	--serve 0 --model fraud.json --model ./fraud.json
check "exit 64: --name before its --model" usage "--name" --serve 0 --name x --model fraud.json
check "exit 64: --serve with an input file" usage "reads no input" --serve 0 --model fraud.json "$DATA/events.ndjson"
check "exit 64: --serve with --learn" usage "--learn" --serve 0 --model fraud.json --learn --label y
check "exit 64: --features with two models" usage "--features" \
	--serve 0 --model fraud.json --model classes.json --features a,b
check "exit 64: a port past 65535" usage "port" --serve 65536 --model fraud.json
check "exit 64: a name that cannot be in a URL" usage "cannot be a model's name" \
	--serve 0 --model fraud.json --name 'a/b'
serve p --model fraud.json
timeout 10 fsscore --serve "$port" --model fraud.json 2> busy.err
rc=$?
check "exit 69: the port is in use (status $rc)" \
	sh -c "[ $rc -eq 69 ] && grep -q 'cannot listen' busy.err"
stop "$spid"
timeout 10 fsscore --serve 0 --model fraud.json --model missing.json 2> missing.err
rc=$?
check "exit 66: a model file that is not there (status $rc)" \
	sh -c "[ $rc -eq 66 ] && grep -q 'missing.json' missing.err"

# ------------------------------------------------------------------ sanitizers (in an ASan build)
check "no server wrote a sanitizer report" \
	sh -c "! grep -l 'Sanitizer\|runtime error:' *.err"
exit 0
