#!/bin/sh
# tests/sidecar/endpoint.sh: fsscore --endpoint, the client, end to end
# against an independent model server (endpoint_server.py, Python's standard
# library alone) that serves a linear model computed in Python.
#
# - each protocol and form (V2 named and positional, TF Serving instances as
#   objects and as lists) gives the scores the server computed, exactly, and
#   lines equal to embedded `fsscore --model` on the same events (rejected
#   lines, numbers at the edges, --from, --threshold, --suffix included);
# - output in input order whatever order the answers come in; batches;
#   --batch-wait on a live FIFO; keep-alive connections, and new ones when
#   the server closes them; at most --inflight requests at once;
# - faults: timeouts, 5xx and 429 retried with doubling waits, 400 and
#   unreadable answers not, then --on-error fail (which stops reading: the
#   events read from the failed one on go to the error output) / null /
#   fallback:FILE; the
#   server killed mid-stream, and restarted on its port within the retry
#   window;
# - usage errors.
# The truth comes from the Python side (the server's own arithmetic, its
# log of what it was sent) or from embedded fsscore on the same events.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
cd "$TMP"
PY=/usr/bin/python3
SRV="$top_srcdir/tests/sidecar/endpoint_server.py"

if ! fsscore --help 2>/dev/null | grep -q -- --endpoint; then
	plan 1
	not_ok "fsscore --help lists --endpoint"
	exit 0
fi
plan 56


# serve TAG ARGS...: endpoint_server.py on lin.json in the background, its
# log in TAG.log; sets $port and $spid
serve() {
	tag=$1
	shift
	rm -f "$tag.port"
	"$PY" "$SRV" --model lin.json --port-file "$tag.port" --log "$tag.log" "$@" 2> "$tag.srv.err" &
	spid=$!
	pids="$pids $spid"
	for _ in $(seq 200); do [ -s "$tag.port" ] && break; sleep 0.05; done
	port=$(cat "$tag.port" 2>/dev/null)
	[ -n "$port" ] || { echo "# server $tag did not start:"; diag < "$tag.srv.err"; }
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# wait_exit PID SECONDS: until PID ends; its status in $rc (124: killed, it did not end)
wait_exit() {
	for _ in $(seq $(($2 * 20))); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			rc=$?
			return 0
		fi
		sleep 0.05
	done
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	rc=124
	return 1
}
# wait_lines FILE N SECONDS: until FILE has N lines
wait_lines() {
	for _ in $(seq $(($3 * 20))); do
		[ "$(wc -l < "$1" 2>/dev/null)" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
# the client, never left hanging
ep() { timeout 60 fsscore "$@"; }
v2() { echo "http://127.0.0.1:$port/v2/models/${1:-lin}/infer"; }
tf() { echo "http://127.0.0.1:$port/v1/models/${1:-lin}:predict"; }
ids() { sed 's/^{"id":\([0-9]*\),.*/\1/' "$1" | tr '\n' ' '; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
seq_ids() { seq "$1" "$2" | tr '\n' ' '; }
# as_emb FILE NAME: FILE with "model":"NAME" made the embedded model's id
as_emb() { sed "s/\"model\":\"$2\"}\$/\"model\":\"$emb_id\"}/" "$1"; }
# all COND...: every COND (shell text, evaluated now) holds
all() { for c; do eval "$c" || return 1; done; }

cat > lin.json <<'EOF'
{"format": "fstools-linear", "version": 1, "link": "logistic", "intercept": -0.7312,
 "weights": {"amount": 0.0041, "count": 0.237, "age": -0.0183, "ratio": 1.9},
 "center": {"amount": 180.25, "age": 41.5, "ratio": 0.5},
 "scale": {"amount": 97.3, "age": 13.1, "ratio": 0.2887},
 "impute": {"amount": 150}}
EOF
FEATS=amount,count,age,ratio
emb_id=$(fsscore --model lin.json --check | sed 's/.*"model":"\([^"]*\)".*/\1/')

# 400 events: numbers, numeric strings, true/false, null and absent values;
# mixed.ndjson has three lines fsscore rejects and numbers at the edges;
# top.ndjson the features at the top
"$PY" - <<'EOF'
import json, random
r = random.Random(12)
def feats():
    f = {}
    k = r.random()
    f["amount"] = round(r.uniform(0, 600), 2) if k < .8 else (f"{r.uniform(0, 600):.3f}" if k < .95 else None)
    c = r.randrange(12)
    f["count"] = c if c < 10 else c == 11
    a = r.random()
    if a < .7:
        f["age"] = r.randrange(18, 90)
    elif a < .85:
        f["age"] = None
    f["ratio"] = r.random() if r.random() < .9 else float(f"{r.random():.3g}e-7")
    return f
dump = lambda o: json.dumps(o, separators=(",", ":")) + "\n"
with open("ev.ndjson", "w") as ev, open("mixed.ndjson", "w") as mixed, open("top.ndjson", "w") as top:
    for i in range(1, 401):
        f = feats()
        ev.write(dump({"id": i, "features": f}))
        top.write(dump(dict({"id": i}, **f)))
        if i == 57:
            f["count"] = "x"
        if i == 233:
            f["amount"] = [1]
        if i == 120:
            f["ratio"] = "1e400"    # not finite: rejected
        # numbers at the edges: scores of exactly 1 and 0, -0, subnormals, a big integer
        edge = {101: 1e300, 102: -1e300, 103: -0.0, 104: 5e-324, 105: 1.7976931348623157e308,
                106: 12345678901234567890, 107: "-0", 108: "1E5", 109: 0.1 + 0.2}
        if i in edge:
            f["amount"] = edge[i]
        mixed.write(dump({"id": i, "src": "m", "features": f}))
EOF
head -n 100 ev.ndjson > ev100.ndjson
head -n 50 ev.ndjson > ev50.ndjson

# the checks' arithmetic, in Python
cat > check.py <<'EOF'
import json, re, sys
cmd, args = sys.argv[1], sys.argv[2:]
lines = lambda p: open(p).read().splitlines()
if cmd == "scores":
    # scores OUT TRUTH: the output's events are TRUTH's scored lines, in order,
    # each with the score the server computed, exactly
    got = [(o.get("id"), o.get("score")) for o in map(json.loads, lines(args[0]))]
    want = [(t["line"], t["score"]) for t in map(json.loads, lines(args[1])) if "score" in t]
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            sys.exit(f"output line {i + 1}: got id {g[0]} score {g[1]!r}, want id {w[0]} score {w[1]!r}")
    if len(got) != len(want):
        sys.exit(f"{len(got)} lines out, {len(want)} wanted")
elif cmd == "embedded":
    # embedded OUT WANT: each line is the embedded line, the scores equal within
    # 1e-12 relative (says how many are bit for bit the same)
    num = re.compile(r'("score[^"]*":)(-?[0-9][0-9.eE+-]*)')
    got, want = lines(args[0]), lines(args[1])
    same = worst = 0
    for i, (g, w) in enumerate(zip(got, want)):
        gs, ws = num.findall(g), num.findall(w)
        if num.sub(r"\1S", g) != num.sub(r"\1S", w) or len(gs) != len(ws):
            sys.exit(f"line {i + 1} differs:\n  got  {g}\n  want {w}")
        for (_, a), (_, b) in zip(gs, ws):
            a, b = float(a), float(b)
            same += a == b
            worst = max(worst, abs(a - b) / max(abs(b), 1e-300))
    print(f"{len(got)} lines, {same} scores bit-identical to embedded, "
          f"largest relative difference {worst:.3g}", file=sys.stderr)
    if len(got) != len(want):
        sys.exit(f"{len(got)} lines out, embedded {len(want)}")
    if worst > 1e-12:
        sys.exit("scores differ by more than 1e-12")
elif cmd == "log":
    # log FILE: what the server saw: requests (arrivals), rows per request in
    # arrival order, codes, distinct client ports, most requests in progress
    # at once, answers written out of arrival order (1) or not (0), the
    # milliseconds between arrivals
    req, done, order, ev = {}, {}, [], []
    for l in lines(args[0]):
        f = l.split()
        kv = dict(x.split("=", 1) for x in f[2:] if "=" in x)
        if f[0] == "req":
            req[int(f[1])] = kv
        elif f[0] == "done":
            done[int(f[1])] = kv
            order.append(int(f[1]))
    for s, d in done.items():
        ev += [(float(req[s]["t"]), 1), (float(d["t"]), -1)]
    cur = most = 0
    for _, d in sorted(ev, key=lambda e: (e[0], e[1])):
        cur += d
        most = max(most, cur)
    rows = [req[s]["rows"] for s in sorted(req)]
    t = [float(req[s]["t"]) for s in sorted(req)]
    gaps = [str(round((b - a) * 1000)) for a, b in zip(t, t[1:])]
    print(f"requests={len(req)} answered={len(done)} rows={','.join(rows) or '-'} "
          f"sum={sum(map(int, rows))} forms={','.join(sorted({r['form'] for r in req.values()})) or '-'} "
          f"codes={','.join(d['code'] for _, d in sorted(done.items())) or '-'} "
          f"ports={len({r['port'] for r in req.values()})} inflight={most} "
          f"reordered={int(order != sorted(order))} gaps={','.join(gaps) or '-'}")
EOF
pyc() { "$PY" check.py "$@"; }
# logstat TAG FIELD: a field of `check.py log TAG.log`
logstat() { pyc log "$1.log" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# err_lines ERRFILE: the input line numbers of its error records, in order
err_lines() {
	"$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    print(json.loads(l)["line"], end=" ")' "$1"
}
# endpoint_summary STDERR N: the run's summary counts N rejected, all "endpoint"
endpoint_summary() { grep -q "records read, $2 rejected ($2 endpoint)" "$1"; }
# stopped_at OUT ERR STDERR: --on-error fail stops reading: the events read
# after the lines out (all of them, from the failed one on, in order) are in
# the error output, counted as endpoint, and nothing read is missing
stopped_at() {
	k=$(wc -l < "$1")
	r=$(sed -n 's/.*: \([0-9]*\) records read.*/\1/p' "$3")
	[ -n "$r" ] && [ "$r" -gt "$k" ] && [ "$(err_lines "$2")" = "$(seq_ids $((k + 1)) "$r")" ] &&
		endpoint_summary "$3" $((r - k))
}
# show FILE...: the first lines of a failing case's files
show() { for f in "$@"; do echo "--- $f"; head -n 5 "$f"; done 2>&1 | diag; }

# truth FILE [--from NAME]: the server's arithmetic on FILE's events
truth() { f=$1; shift; "$PY" "$SRV" --model lin.json --score "$f" "$@"; }
truth mixed.ndjson > mixed.truth
truth top.ndjson --from . > top.truth
fsscore --model lin.json --errors mixed.emb.err mixed.ndjson > mixed.emb 2>/dev/null
fsscore --model lin.json ev.ndjson > ev.emb 2>/dev/null
fsscore --model lin.json ev100.ndjson > ev100.emb 2>/dev/null
fsscore --model lin.json ev50.ndjson > ev50.emb 2>/dev/null

# =================================================== scores, each protocol and form
# case FORM DESC: the client's run (mixed.ndjson, its output in FORM.out) must
# give the server's scores exactly and embedded lines, the server seeing FORM
serve eq --version-id "$emb_id"
eq_case() {
	name=$1 want_form=$2 proto=$3
	shift 3
	: > eq.log
	ep "$@" --errors "$name.err" mixed.ndjson > "$name.out" 2> "$name.stderr"
	rc=$?
	forms=$(logstat eq forms)
	if [ $rc -eq 0 ] && pyc scores "$name.out" mixed.truth 2> "$name.why" && [ "$forms" = "$want_form" ]; then
		ok "$proto $want_form: the scores are the Python server's, exactly, in order"
	else
		not_ok "$proto $want_form: the scores are the Python server's, exactly, in order (status $rc, server saw forms $forms)"
		cat "$name.why" "$name.stderr" | head -n 10 | diag
	fi
	# TF Serving answers carry no version: "model" is then NAME from the URL
	as_emb "$name.out" lin > "$name.cmp"
	if pyc embedded "$name.cmp" mixed.emb 2> "$name.why"; then
		ok "$proto $want_form: lines equal embedded fsscore --model ($(cat "$name.why"))"
	else
		not_ok "$proto $want_form: lines equal embedded fsscore --model"
		diag < "$name.why"
	fi
}
eq_case v2n named v2 --endpoint "$(v2)"
check "rejected lines: the same error records as embedded" cmp -s v2n.err mixed.emb.err
check "V2 answers' model_version is the output's \"model\" (the whole line as embedded)" \
	cmp -s v2n.out mixed.emb
eq_case v2p positional v2 --endpoint "$(v2)" --features "$FEATS"
eq_case tfn named tfserving --endpoint "$(tf)"
eq_case tfp positional tfserving --endpoint "$(tf)" --features "$FEATS"
check "TF Serving (no version): \"model\" is NAME from the URL" \
	test "$(grep -c '"model":"lin"}$' tfn.out)" -eq 397
# --from . (features at the top), --threshold, --suffix, .gz and several FILEs
: > eq.log
ep --endpoint "$(v2)" --from . top.ndjson > top.out 2> top.stderr
fsscore --model lin.json --from . top.ndjson > top.emb 2>/dev/null
check "--from .: the server's scores, and the embedded lines" \
	all 'pyc scores top.out top.truth' 'cmp -s top.out top.emb'
gzip -c ev50.ndjson > ev50.ndjson.gz
ep --endpoint "$(v2)" --threshold 0.3 --suffix _ep ev50.ndjson.gz ev100.ndjson > th.out 2> th.stderr
fsscore --model lin.json --threshold 0.3 --suffix _ep ev50.ndjson.gz ev100.ndjson > th.emb 2>/dev/null
if cmp -s th.out th.emb && grep -q '"flag_ep":true' th.out; then
	ok "--threshold, --suffix, a .gz and a plain FILE: as embedded"
else
	not_ok "--threshold, --suffix, a .gz and a plain FILE: as embedded"
	diff th.emb th.out | head -n 6 | diag
fi
stop "$spid"

# --no-version: "model" is NAME from the URL, here "fraud"
serve nv --no-version --name fraud
ep --endpoint "$(v2 fraud)" ev50.ndjson > nv.out 2> nv.stderr
n=$(grep -c '"model":"fraud"}$' nv.out)
check "a V2 answer without model_version: \"model\" is NAME from the URL ($n of 50)" \
	all '[ $n -eq 50 ]' 'cmp -s <(as_emb nv.out fraud) ev50.emb'
stop "$spid"

# =================================================== order, in flight, keep-alive
# answers delayed 0-40 ms at random, so that they come back out of order
serve ord --version-id "$emb_id" --delay-ms 0:40
ep --endpoint "$(v2)" --inflight 8 ev.ndjson > ord.out 2> ord.stderr
rc=$?
check "--inflight 8, answers out of order: every event once, in input order (status $rc; server: $(pyc log ord.log | cut -d' ' -f1,2,7-))" \
	all '[ $rc -eq 0 ]' '[ "$(ids ord.out)" = "$(seq_ids 1 400)" ]'
check "the answers did come back out of order, and the lines equal embedded" \
	all '[ $(logstat ord reordered) -eq 1 ]' 'cmp -s ord.out ev.emb'
inflight=$(logstat ord inflight)
check "at most 8 requests at once, and more than one ($inflight)" \
	all '[ $inflight -gt 1 ]' '[ $inflight -le 8 ]'
check "keep-alive: 400 requests over at most 8 connections ($(logstat ord ports))" \
	all '[ $(logstat ord requests) -eq 400 ]' '[ $(logstat ord ports) -le 8 ]'
stop "$spid"

serve ka --version-id "$emb_id"
ep --endpoint "$(v2)" --inflight 2 ev.ndjson > ka.out 2> ka.stderr
check "keep-alive, --inflight 2: 400 requests over at most 2 connections ($(logstat ka ports)), at most 2 at once ($(logstat ka inflight))" \
	all '[ $(logstat ka requests) -eq 400 ]' '[ $(logstat ka ports) -le 2 ]' \
	'[ $(logstat ka inflight) -le 2 ]' 'cmp -s ka.out ev.emb'
stop "$spid"

# the server closes the connection after every 3rd answer (Connection: close):
# the client opens another, and needs no retry for it
serve cl --version-id "$emb_id" --close-every 3
ep --endpoint "$(v2)" --retries 0 ev.ndjson > cl.out 2> cl.stderr
rc=$?
check "\"Connection: close\" every 3rd answer, --retries 0: all 400 as embedded, over new connections ($(logstat cl ports)) (status $rc)" \
	all '[ $rc -eq 0 ]' 'cmp -s cl.out ev.emb' '[ $(logstat cl requests) -eq 400 ]' '[ $(logstat cl ports) -ge 100 ]'
[ "$rc" -eq 0 ] || show cl.stderr
stop "$spid"

# =================================================== batches
serve b16 --version-id "$emb_id"
ep --endpoint "$(v2)" --batch 16 ev100.ndjson > b16.out 2> b16.stderr
rows=$(logstat b16 rows | tr ',' '\n' | sort -n | tr '\n' ' ')
check "--batch 16 replaying 100 events: 6 requests of 16 and one of 4 (got: $rows)" \
	test "$rows" = "4 16 16 16 16 16 16 "
check "--batch 16: the lines equal embedded" cmp -s b16.out ev100.emb
ep --endpoint "$(v2)" --batch 16 --inflight 3 --errors b16m.err mixed.ndjson > b16m.out 2> b16m.stderr
check "--batch 16 over rejected lines: the lines and the error records as embedded" \
	all 'cmp -s b16m.out mixed.emb' 'cmp -s b16m.err mixed.emb.err'
: > b16.log
ep --endpoint "$(tf)" --features "$FEATS" --batch 7 --inflight 3 ev.ndjson > b7.out 2> b7.stderr
check "TF Serving positional, --batch 7 --inflight 3: $(logstat b16 requests) requests (58), the lines as embedded" \
	all '[ $(logstat b16 requests) -eq 58 ]' 'cmp -s <(as_emb b7.out lin) ev.emb'
stop "$spid"

# a live stream with a pause shorter than --batch-wait
serve bw --version-id "$emb_id"
mkfifo bw.fifo
fsscore --endpoint "$(v2)" --batch 16 --batch-wait 2s < bw.fifo > bw.out 2> bw.stderr &
cpid=$!
exec 3> bw.fifo
sed -n 1,5p ev.ndjson >&3
sleep 0.5
sed -n 6,10p ev.ndjson >&3
t0=$(now_ms)
wait_lines bw.out 10 10
got=$?
t1=$(now_ms)
first=$(logstat bw rows)
check "--batch-wait 2s: the partial batch waited for the events after a 0.5 s pause (rows sent: $first)" \
	test "$first" = 10
check "and went after the wait, the input still open (10 lines out, $((t1 - t0)) ms after the last)" \
	all '[ $got -eq 0 ]' '[ $((t1 - t0)) -ge 1000 ]'
sed -n 11,13p ev.ndjson >&3
exec 3>&-
wait_exit $cpid 20
check "the FIFO run ends with 13 events in order (status $rc)" \
	all '[ $rc -eq 0 ]' 'cmp -s bw.out <(head -n 13 ev.emb)'
stop "$spid"

# the same without --batch-wait: a partial batch goes when the input pauses
serve bz --version-id "$emb_id"
rm -f bw.fifo && mkfifo bw.fifo
fsscore --endpoint "$(v2)" --batch 16 < bw.fifo > bz.out 2> bz.stderr &
cpid=$!
exec 3> bw.fifo
sed -n 1,5p ev.ndjson >&3
wait_lines bz.out 5 10
got=$?
check "--batch 16 without --batch-wait: a partial batch goes as soon as the input pauses (rows sent: $(logstat bz rows))" \
	all '[ $got -eq 0 ]' '[ $(logstat bz sum) -eq 5 ]'
sed -n 6,20p ev.ndjson >&3
exec 3>&-
wait_exit $cpid 20
check "and the run ends with 20 events in order (status $rc)" \
	all '[ $rc -eq 0 ]' 'cmp -s bz.out <(head -n 20 ev.emb)'
stop "$spid"

# =================================================== timeouts, retries, policies
serve slow --delay-ms 3000
head -n 3 ev.ndjson > ev3.ndjson
t0=$(now_ms)
ep --endpoint "$(v2)" --timeout 200ms --retries 1 --retry-wait 50ms --on-error null ev3.ndjson \
	> slow.out 2> slow.stderr
rc=$?
t1=$(now_ms)
n=$(grep -ci '"score":null,"model":null,"endpoint_error":"[^"]*time' slow.out)
check "--timeout 200ms against 3 s answers: 3 events null, endpoint_error names the timeout (status $rc)" \
	all '[ $rc -eq 0 ]' '[ $n -eq 3 ]' '[ "$(ids slow.out)" = "1 2 3 " ]'
[ "$n" -eq 3 ] || show slow.out slow.stderr
check "each tried twice (1 + --retries 1: $(logstat slow requests) requests), in $((t1 - t0)) ms, not 6 s" \
	all '[ $(logstat slow requests) -eq 6 ]' '[ $((t1 - t0)) -lt 2500 ]'
stop "$spid"

serve ff --version-id "$emb_id" --fail-first 2
ep --endpoint "$(v2)" ev50.ndjson > ff.out 2> ff.stderr
rc=$?
check "--fail-first 2 (503), default --retries 3: all 50 scored by the endpoint, as embedded (status $rc)" \
	all '[ $rc -eq 0 ]' 'cmp -s ff.out ev50.emb'
check "the two 503s were retried: 52 requests ($(logstat ff requests))" test "$(logstat ff requests)" -eq 52
stop "$spid"

# --retry-wait 100ms doubling: one event, three 503s, then an answer
serve rw --version-id "$emb_id" --fail-first 3
ep --endpoint "$(v2)" --inflight 1 --retry-wait 100ms ev3.ndjson > rw.out 2> rw.stderr
rc=$?
gaps=$(logstat rw gaps)
IFS=, read -r g1 g2 g3 _ <<< "$gaps"
check "retries wait --retry-wait doubling: 100, 200, 400 ms (between the first 4 arrivals: $gaps ms)" \
	all '[ $rc -eq 0 ]' 'cmp -s rw.out <(head -n 3 ev.emb)' '[ $(logstat rw requests) -eq 6 ]' \
	'[ $g1 -ge 90 ] && [ $g1 -le 350 ]' '[ $g2 -ge 190 ] && [ $g2 -le 450 ]' '[ $g3 -ge 390 ] && [ $g3 -le 650 ]'
stop "$spid"

# every 5th answer 429: 50 events take 62 requests one at a time (62 = 50 + 62/5)
serve se --version-id "$emb_id" --status-every 5:429
ep --endpoint "$(v2)" --inflight 1 --retry-wait 10ms ev50.ndjson > se.out 2> se.stderr
rc=$?
check "every 5th answer 429: retried, all 50 scored as embedded, $(logstat se requests) requests (62) (status $rc)" \
	all '[ $rc -eq 0 ]' 'cmp -s se.out ev50.emb' '[ $(logstat se requests) -eq 62 ]'
stop "$spid"

serve f1 --version-id "$emb_id" --fail-first 1
ep --endpoint "$(v2)" --inflight 1 --retries 0 --on-error null ev50.ndjson > f1.out 2> f1.stderr
rc=$?
check "--retries 0 --on-error null, a 503 first: event 1 \"score\":null with endpoint_error naming 503 (status $rc)" \
	all '[ $rc -eq 0 ]' \
	'head -n 1 f1.out | grep -q "^{\"id\":1,.*,\"score\":null,\"model\":null,\"endpoint_error\":\"[^\"]*503"'
check "and events 2..50 are scored by the endpoint, as embedded, in 49 more requests" \
	all 'cmp -s <(tail -n +2 f1.out) <(tail -n +2 ev50.emb)' '[ $(logstat f1 requests) -eq 50 ]'
[ "$rc" -eq 0 ] || show f1.out f1.stderr
stop "$spid"

serve f4 --version-id "$emb_id" --fail-first 1 --fail-status 400
ep --endpoint "$(v2)" --inflight 1 --on-error null ev50.ndjson > f4.out 2> f4.stderr
check "a 400 is not retried: event 1 null naming 400, 50 requests in all ($(logstat f4 requests)), the rest as embedded" \
	all 'head -n 1 f4.out | grep -q "\"score\":null,\"model\":null,\"endpoint_error\":\"[^\"]*400"' \
	'[ $(logstat f4 requests) -eq 50 ]' 'cmp -s <(tail -n +2 f4.out) <(tail -n +2 ev50.emb)'
stop "$spid"

# =================================================== unreadable answers
serve gb --garbage
ep --endpoint "$(v2)" --on-error null ev50.ndjson > gb.out 2> gb.stderr
rc=$?
n=$(grep -ci '"score":null,"model":null,"endpoint_error":"[^"]*json' gb.out)
check "an answer that is not JSON: all 50 null, endpoint_error says JSON ($n) (status $rc)" \
	all '[ $rc -eq 0 ]' '[ $n -eq 50 ]' '[ "$(ids gb.out)" = "$(seq_ids 1 50)" ]'
[ "$n" -eq 50 ] || show gb.out
check "unreadable answers are not retried: 50 requests ($(logstat gb requests))" test "$(logstat gb requests)" -eq 50
ep --endpoint "$(v2)" --on-error fail --errors gbf.err ev50.ndjson > gbf.out 2> gbf.stderr
rc=$?
check "the same with --on-error fail: status 69 ($rc), no line out, every event read in the error output from line 1, counted as endpoint" \
	all '[ $rc -eq 69 ]' '[ ! -s gbf.out ]' 'stopped_at gbf.out gbf.err gbf.stderr'
stop "$spid"

# answers one score short: every request's events get the policy, none a
# neighbour's score (100 requests: an error path taken often)
serve sh --short
ep --endpoint "$(v2)" --batch 4 --on-error null ev.ndjson > sh.out 2> sh.stderr
rc=$?
n=$(grep -c '"score":null,"model":null,"endpoint_error":"..*"}$' sh.out)
check "V2 answers one score short of their batch: the 400 events null with endpoint_error ($n), in order (status $rc)" \
	all '[ $rc -eq 0 ]' '[ $n -eq 400 ]' '[ "$(ids sh.out)" = "$(seq_ids 1 400)" ]'
[ "$rc" -eq 0 ] || show sh.out sh.stderr
ep --endpoint "$(tf)" --batch 4 --on-error null ev.ndjson > sht.out 2> sht.stderr
rc=$?
n=$(grep -c '"score":null,"model":null,"endpoint_error":"..*"}$' sht.out)
check "TF Serving answers one score short: the 400 events null with endpoint_error ($n), in order (status $rc)" \
	all '[ $rc -eq 0 ]' '[ $n -eq 400 ]' '[ "$(ids sht.out)" = "$(seq_ids 1 400)" ]'
[ "$rc" -eq 0 ] || show sht.out sht.stderr
stop "$spid"

# =================================================== the server killed mid-stream
# one request at a time: requests 1..30 answered, the 31st kills the server
serve die1 --version-id "$emb_id" --die-after 30
ep --endpoint "$(v2)" --inflight 1 --retries 2 --retry-wait 20ms --errors die1.err ev100.ndjson \
	> die1.out 2> die1.stderr
rc=$?
check "killed after 30 answers, --on-error fail: status 69 ($rc)" test "$rc" -eq 69
check "the output is the first 30 events, as embedded" cmp -s die1.out <(head -n 30 ev100.emb)
check "the run stops: the events read from 31 on are in the error output, in order, counted as endpoint" \
	stopped_at die1.out die1.err die1.stderr
stopped_at die1.out die1.err die1.stderr || { echo "# error output: lines $(err_lines die1.err)"; show die1.stderr; }
wait_exit "$spid" 5

# the same with 4 in flight: a prefix out, all the rest in the error output
serve die4 --version-id "$emb_id" --die-after 30
ep --endpoint "$(v2)" --retries 2 --retry-wait 20ms --errors die4.err ev100.ndjson > die4.out 2> die4.stderr
rc=$?
k=$(wc -l < die4.out)
check "--inflight 4, killed after 30: status 69 ($rc), events 1..$k out (<= 30) as embedded, the ones read after them in the error output" \
	all '[ $rc -eq 69 ]' '[ $k -le 30 ]' 'cmp -s die4.out <(head -n $k ev100.emb)' \
	'stopped_at die4.out die4.err die4.stderr'
wait_exit "$spid" 5

# --on-error fallback: the embedded model scores what the endpoint cannot
serve fb --version-id py@1 --die-after 30
ep --endpoint "$(v2)" --retries 1 --retry-wait 10ms --on-error fallback:lin.json ev100.ndjson \
	> fb.out 2> fb.stderr
rc=$?
nfb=$(grep -c "\"model\":\"$emb_id\",\"endpoint_error\":\"..*\"}\$" fb.out)
nep=$(grep -c '"model":"py@1"}$' fb.out)
check "--on-error fallback:lin.json: status 0 ($rc), every event out once in order: 30 by the endpoint ($nep), 70 by the fallback ($nfb)" \
	all '[ $rc -eq 0 ]' '[ "$(ids fb.out)" = "$(seq_ids 1 100)" ]' '[ $nep -eq 30 ]' '[ $nfb -eq 70 ]'
check "the fallback's lines are embedded lines with endpoint_error; the endpoint's carry its version" \
	cmp -s <(sed 's/,"endpoint_error":"[^"]*"}$/}/' fb.out | as_emb /dev/stdin py@1) ev100.emb
wait_exit "$spid" 5

# restarted on its port within the retry window: nothing lost
serve ra --version-id "$emb_id" --die-after 40
apid=$spid P=$port
ep --endpoint "$(v2)" --retries 8 --retry-wait 50ms ev.ndjson > rs.out 2> rs.stderr &
cpid=$!
wait_exit "$apid" 20
"$PY" "$SRV" --model lin.json --port "$P" --port-file rb.port --log rb.log --version-id "$emb_id" 2> rb.srv.err &
bpid=$!
pids="$pids $bpid"
wait_exit $cpid 40
check "server killed after 40 answers, restarted on port $P: status $rc, all 400 events scored as embedded, in order" \
	all '[ $rc -eq 0 ]' 'cmp -s rs.out ev.emb'
[ "$rc" -eq 0 ] || show rs.stderr rb.srv.err
check "the restarted server answered the rest ($(logstat ra answered) + $(logstat rb answered) = 40 + 360)" \
	all '[ $(logstat ra answered) -eq 40 ]' '[ $(logstat rb answered) -eq 360 ]'
stop $bpid

# =================================================== usage errors
# a command line that is not refused would send requests: the log shows none
serve us
usage() {
	timeout 20 fsscore "$@" ev3.ndjson > /dev/null 2> us.err
	echo $?
}
s=$(usage --endpoint "$(v2)" --model lin.json)
check "--endpoint with --model: status 64 ($s)" test "$s" -eq 64
bad=""
for u in nonsense "ftp://127.0.0.1:$port/v2/models/lin/infer" "http://127.0.0.1:99999/v2/models/lin/infer" \
	"http:///v2/models/lin/infer" ""; do
	s=$(usage --endpoint "$u")
	[ "$s" -eq 64 ] || bad="$bad [$u]: $s"
done
check "bad URLs: status 64${bad:+ (not for$bad)}" test -z "$bad"
bad=""
for e in nonsense fallback: fallback failx; do
	s=$(usage --endpoint "$(v2)" --on-error "$e")
	[ "$s" -eq 64 ] || bad="$bad [$e]: $s"
done
check "--on-error nonsense, fallback: without a file, ...: status 64${bad:+ (not for$bad)}" test -z "$bad"
s=$(usage --endpoint "$(v2)" --protocol grpc)
check "--protocol grpc: status 64 ($s)" test "$s" -eq 64
check "no request was sent by a refused command line ($(logstat us requests))" test "$(logstat us requests)" -eq 0
stop "$spid"
exit 0
