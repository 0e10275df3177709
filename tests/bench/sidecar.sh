#!/bin/bash
# Embedded scoring against a model sidecar (issue 12); see tests/bench/README.md.
#
#   tests/bench/sidecar.sh [N_EVENTS]    (default 200000; or N=50000 tests/bench/sidecar.sh)
#
# On the model and events of score.sh (score_gen.py: 100 trees of depth 6,
# binary:logistic, 25 features under "features"), in one run:
#
#   embedded   fsscore --model M
#   fsscore    fsscore --endpoint URL --features F  ->  fsscore --serve 127.0.0.1:0 --model M
#   xgboost    fsscore --endpoint URL --features F  ->  sidecar_xgboost.py M 127.0.0.1:0
#              (python3-xgboost behind http.server's ThreadingHTTPServer, nthread 1)
#
# each sidecar through the V2 infer protocol (one [N,F] tensor a request) with
# --batch 1 and --batch BENCH_BATCH, through TF Serving's :predict, and through
# V2's named form (the client without --features: one tensor a feature, after
# a GET of the model's metadata). The same client is in front of both
# servers, so only the server differs. For each:
#
#   throughput  the whole input as fast as it goes (the client reading the
#               file, writing to /dev/null), best of BENCH_RUNS; the CPU time
#               of client and server per event
#   latency     latency.py --rate: one event line at a time written to the
#               client's (or embedded fsscore's) stdin at BENCH_RATE events/s,
#               each timed to its output line; p50, p99, max; cat = the floor.
#               Both servers stay up and every row takes its turn, in
#               BENCH_LAT_ROUNDS rounds whose samples are pooled, so that a
#               busy or quiet minute of the machine falls on all rows alike
#
# and the ratios embedded/sidecar, against the common claim that embedded
# inference gives 2-5x lower latency. Before timing it checks, on the first
# 20,000 events, that each sidecar's output equals the embedded output.
#
# Pinning (2 cores): the scorer under test runs on CPU 0 (taskset -c 0): the
# embedded fsscore, or a sidecar's client AND its server together, so each
# setup has one core; the latency harness runs on CPU 1. With BENCH_2CORES=1
# (the default) the sidecars' throughput is measured again with the server
# alone on CPU 1 (a core of its own; the client stays on CPU 0).
#
# Environment: N (the size when no argument is given), FSSCORE (binary,
# default ./fsscore at the top of the tree), BENCH_SEED (42), BENCH_RUNS (3),
# BENCH_RATE (1000 events/s), BENCH_LAT_N (10000 timed events a row),
# BENCH_LAT_ROUNDS (4; each run of a round has 1000 more events of warm-up),
# BENCH_SLOW_N (20000: the events the Python sidecar's rows of one event a
# request are timed on, a prefix of the input), BENCH_MID_N (50000: the same
# for fsscore --serve's TF Serving and named-form rows), BENCH_BATCH (64),
# BENCH_2CORES (1), BENCH_CHECK (1; 0 skips the output checks).
#
# About 5.5 minutes on 2 cores with the defaults (+5 s the first time, to
# generate the input). Exits 0 whether the sidecars are fast or slow; 1 if a
# run fails (a non-zero exit, a server that does not start, a check that
# fails); 2 on a usage error.
set -u

N=${1:-${N:-200000}}
case $N in '' | *[!0-9]* | 0) echo "usage: $0 [N_EVENTS]" >&2; exit 2 ;; esac
SEED=${BENCH_SEED:-42}
RUNS=${BENCH_RUNS:-3}
RATE=${BENCH_RATE:-1000}
LAT_N=${BENCH_LAT_N:-10000}
LAT_ROUNDS=${BENCH_LAT_ROUNDS:-4}
SLOW_N=${BENCH_SLOW_N:-20000}
MID_N=${BENCH_MID_N:-50000}
BATCH=${BENCH_BATCH:-64}
TWO=${BENCH_2CORES:-1}
for v in RUNS RATE LAT_N LAT_ROUNDS SLOW_N MID_N BATCH; do
	case ${!v} in '' | *[!0-9]* | 0) echo "sidecar.sh: BENCH_$v must be a positive number" >&2; exit 2 ;; esac
done
[ "$SLOW_N" -gt "$N" ] && SLOW_N=$N
[ "$MID_N" -gt "$N" ] && MID_N=$N
CHECK_N=20000
[ "$CHECK_N" -gt "$N" ] && CHECK_N=$N
PY=/usr/bin/python3

# here, top, out; die, have; bench_binary, bench_need_time, bench_pin, bench_machine
. "$(dirname "$0")/lib.sh" || exit 1
FSSCORE=${FSSCORE:-$top/fsscore}

bench_binary FSSCORE fsscore
bench_need_time
"$FSSCORE" --help 2>&1 | grep -q -- --serve && "$FSSCORE" --help 2>&1 | grep -q -- --endpoint \
	|| die "$FSSCORE_ORIG has no --serve or --endpoint (build the tree of issue 12)"
$PY -c 'import xgboost, numpy' 2>/dev/null \
	|| die "$PY has no xgboost or numpy (apt-get install python3-xgboost python3-numpy)"

# The scorer under test on CPU 0 (client and server together); the latency harness on CPU 1.
bench_pin
CLK_TCK=$(getconf CLK_TCK)

# ---- input and model: score.sh's, generated once and cached ----
bench_score_input
# each latency run takes LAT_N / LAT_ROUNDS + 1000 events from the input
[ "$LINES" -ge $((LAT_N / LAT_ROUNDS + 1001)) ] || die "BENCH_LAT_N=$LAT_N needs at least $((LAT_N / LAT_ROUNDS + 1001)) events"
SLOW=$out/sidecar-slow.ndjson
MID=$out/sidecar-mid.ndjson
CHECK=$out/sidecar-check.ndjson
head -n "$SLOW_N" "$INPUT" > "$SLOW" && head -n "$MID_N" "$INPUT" > "$MID" && head -n "$CHECK_N" "$INPUT" > "$CHECK" || die "cannot write to $out"

"$FSSCORE" --model "$MODEL" --check > "$out/sidecar-model.json" 2> "$out/sidecar-model.stderr" \
	|| die "fsscore --check failed on $MODEL; see $out/sidecar-model.stderr"
read -r MODEL_ID KIND FEATURES < <($PY -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(m["model"], m["kind"].replace(" ", "_"), ",".join(m["features"]))' "$out/sidecar-model.json") \
	|| die "cannot read $out/sidecar-model.json"
KIND=${KIND//_/ }
NAME=$(basename "$MODEL" .json)

# ---- servers ----
SERVERS="" SRV_PID="" SRV_PORT=""
cleanup() { local p; for p in $SERVERS; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
start_server() {  # start_server LOG CMD...: start it in the background, wait for its port
	local log=$1 i
	shift
	"$@" 2> "$log" &
	SRV_PID=$!
	SERVERS="$SERVERS $SRV_PID"
	SRV_PORT=""
	for ((i = 0; i < 300; i++)); do
		SRV_PORT=$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
		[ -n "$SRV_PORT" ] && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	die "the server did not start ($*): $(tail -n 3 "$log")"
}
stop_server() {  # stop_server NAME PID: SIGTERM; it must end with status 0
	local rc
	kill "$2" 2>/dev/null
	wait "$2" 2>/dev/null
	rc=$?
	SERVERS=${SERVERS/ $2/}
	[ $rc -eq 0 ] || fail "$1" "the server $1 ended with status $rc on SIGTERM"
}
busy_cpu() { awk -v hz="$CLK_TCK" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }  # all CPUs, s
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }  # utime + stime of PID
http_get() { $PY -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }

# ---- checks, timing ----
FAILED=""
declare -A BEST=() COUNT=() CCPU=() SCPU=() OCPU=() P50=() P99=() PMAX=() CHECKED=() LATBAD=()
fail() { echo "sidecar.sh: $*" >&2; FAILED="$FAILED $1"; }

# check NAME CMD...: the output of CMD on the first CHECK_N events against the embedded output
check() {
	local name=$1
	shift
	[ "${BENCH_CHECK:-1}" = 0 ] && return
	if ! "${PIN[@]}" "$@" < "$CHECK" > "$out/sidecar-check.$name.ndjson" 2> "$out/sidecar-check.$name.stderr"; then
		fail "$name" "check run failed (status $?): $(tail -n 2 "$out/sidecar-check.$name.stderr")"
		return
	fi
	[ "$name" = embedded ] && return
	if ! CHECKED[$name]=$($PY "$here/sidecar_check.py" "$out/sidecar-check.embedded.ndjson" "$out/sidecar-check.$name.ndjson"); then
		fail "$name" "check: ${CHECKED[$name]}"
	fi
}

# measure NAME COUNT INPUT SERVER_PID CMD...: best wall time of RUNS runs of CMD < INPUT
# (client on CPU 0); the client's and the server's CPU time in that run
measure() {
	local name=$1 count=$2 input=$3 spid=$4
	shift 4
	local best="" r t0 t1 c0=0 c1=0 b0 b1 secs rc cpu scpu other
	for ((r = 1; r <= RUNS; r++)); do
		[ -n "$spid" ] && c0=$(cpu_ticks "$spid")
		b0=$(busy_cpu)
		t0=$(date +%s%N)
		/usr/bin/time -f '%e %U %S %M' -o "$out/sidecar-$name.time" "${PIN[@]}" "$@" < "$input" > /dev/null 2> "$out/sidecar-$name.stderr"
		rc=$?
		t1=$(date +%s%N)
		b1=$(busy_cpu)
		[ -n "$spid" ] && c1=$(cpu_ticks "$spid")
		if [ $rc -ne 0 ]; then
			fail "$name" "$name exited with status $rc: $(tail -n 2 "$out/sidecar-$name.stderr")"
			return
		fi
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		cpu=$(awk '{ print $2 + $3 }' "$out/sidecar-$name.time")
		scpu=$(awk -v t="$((c1 - c0))" -v h="$CLK_TCK" 'BEGIN { print t / h }')
		other=$(awk -v a="$b0" -v b="$b1" -v c="$cpu" -v s="$scpu" 'BEGIN { o = b - a - c - s; printf "%.2f", o < 0 ? 0 : o }')
		echo "  $name run $r: ${secs}s, client CPU ${cpu}s, server CPU ${scpu}s, other CPU ${other}s" >&2
		if [ -z "$best" ] || awk -v a="$best" -v b="$secs" 'BEGIN { exit !(b < a) }'; then
			best=$secs
			CCPU[$name]=$cpu
			OCPU[$name]=$other
			if [ -n "$spid" ]; then SCPU[$name]=$scpu; fi
			cp "$out/sidecar-$name.stderr" "$out/sidecar-$name.best.stderr"
		fi
	done
	BEST[$name]=$best
	COUNT[$name]=$count
}

# The sidecar rows: NAME = SERVER_FORM (fs or py; v2_b1, v2_bb, tf_b1, named_b1); the
# client of each, on the server at URL[SERVER] (the client's other options: its defaults)
V2PATH=/v2/models/$NAME/infer
TFPATH=/v1/models/$NAME:predict
declare -A URL=() PID=()
client() {  # client NAME: CMD=(the client of row NAME)
	local u=${URL[${1%%_*}]}
	case ${1#*_} in
	v2_b1*) CMD=("$FSSCORE" --endpoint "$u$V2PATH" --features "$FEATURES") ;;
	v2_bb*) CMD=("$FSSCORE" --endpoint "$u$V2PATH" --features "$FEATURES" --batch "$BATCH") ;;
	tf_b1) CMD=("$FSSCORE" --endpoint "$u$TFPATH" --features "$FEATURES") ;;
	named_b1) CMD=("$FSSCORE" --endpoint "$u$V2PATH") ;;
	*) die "no row $1" ;;
	esac
}
FORMS="v2_b1 v2_bb tf_b1 named_b1"
FS_SERVER=("$FSSCORE" --serve 127.0.0.1:0 --model "$MODEL")
PY_SERVER=("$PY" "$here/sidecar_xgboost.py" "$MODEL" 127.0.0.1:0 --id "$MODEL_ID" --nthread 1)

# rows SERVER SLOW: check and time the rows of a server (SLOW=1: the batch-1 rows on SLOW_N events)
rows() {
	local s=$1 slow=$2 f
	for f in $FORMS; do
		client "${s}_$f"
		check "${s}_$f" "${CMD[@]}"
	done
	for f in $FORMS; do
		client "${s}_$f"
		if [ "$f" = v2_bb ]; then
			measure "${s}_$f" "$N" "$INPUT" "${PID[$s]}" "${CMD[@]}"
		elif [ "$slow" = 1 ]; then
			measure "${s}_$f" "$SLOW_N" "$SLOW" "${PID[$s]}" "${CMD[@]}"
		elif [ "$f" = v2_b1 ]; then
			measure "${s}_$f" "$N" "$INPUT" "${PID[$s]}" "${CMD[@]}"
		else
			measure "${s}_$f" "$MID_N" "$MID" "${PID[$s]}" "${CMD[@]}"
		fi
	done
}

echo "input: $INPUT ($N events, $BYTES bytes)" >&2
echo "model: $MODEL ($KIND)" >&2
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average before timing: $LOAD0" >&2

# 1. embedded
echo "embedded ..." >&2
check embedded "$FSSCORE" --model "$MODEL"
measure embedded "$N" "$INPUT" "" "$FSSCORE" --model "$MODEL"

# 2. the two servers on CPU 0, with the clients; each stays up (idle) while the other is timed
echo "fsscore --serve ..." >&2
start_server "$out/sidecar-fs.server.stderr" "${PIN[@]}" "${FS_SERVER[@]}"
PID[fs]=$SRV_PID URL[fs]=http://127.0.0.1:$SRV_PORT
rows fs 0
echo "python3-xgboost sidecar ..." >&2
start_server "$out/sidecar-py.server.stderr" "${PIN[@]}" "${PY_SERVER[@]}"
PID[py]=$SRV_PID URL[py]=http://127.0.0.1:$SRV_PORT
rows py 1

# 3. latency: every row in turn, LAT_ROUNDS rounds of LAT_N / LAT_ROUNDS events each,
# pooled; so a quiet or busy minute of the machine falls on all rows alike
LAT_ROWS="embedded cat"
for s in fs py; do for f in $FORMS; do LAT_ROWS="$LAT_ROWS ${s}_$f"; done; done
PER=$(((LAT_N + LAT_ROUNDS - 1) / LAT_ROUNDS))
for r in $LAT_ROWS; do rm -f "$out/sidecar-$r.samples"; done
for ((k = 1; k <= LAT_ROUNDS; k++)); do
	echo "latency, round $k of $LAT_ROUNDS: $PER events a row at $RATE/s ..." >&2
	for r in $LAT_ROWS; do
		[ -n "${LATBAD[$r]:-}" ] && continue
		case $r in
		embedded) CMD=("$FSSCORE" --model "$MODEL") ;;
		cat) CMD=(cat) ;;
		*) client "$r" ;;
		esac
		if v=$("${HPIN[@]}" $PY "$here/latency.py" --rate "$RATE" --samples "$out/sidecar-$r.samples" "$INPUT" "$PER" \
			"${PIN[@]}" "${CMD[@]}" 2> "$out/sidecar-$r.latency.stderr"); then
			echo "  $r: $v" >&2
		else
			fail "$r" "latency run failed: $(tail -n 2 "$out/sidecar-$r.latency.stderr")"
			LATBAD[$r]=1
		fi
	done
done
for r in $LAT_ROWS; do
	[ -z "${LATBAD[$r]:-}" ] && [ -s "$out/sidecar-$r.samples" ] || continue
	read -r P50[$r] P99[$r] PMAX[$r] < <(sort -n "$out/sidecar-$r.samples" | awk '{ a[NR] = $1 }
		function q(f,  i) { i = int(f * NR) + 1; return a[i > NR ? NR : i] }
		END { printf "%.0f %.0f %.0f\n", q(0.5), q(0.99), a[NR] }')
done

http_get "${URL[fs]}/metrics" > "$out/sidecar-fs.metrics" 2>&1 || fail fs_metrics "GET /metrics failed"
stop_server fs_server "${PID[fs]}"
stop_server py_server "${PID[py]}"

# 4. throughput with the server alone on CPU 1 (the client on CPU 0)
if [ "$TWO" != 0 ] && [ ${#HPIN[@]} -gt 0 ]; then
	for s in fs py; do
		echo "$s server on CPU 1 ..." >&2
		if [ $s = fs ]; then
			start_server "$out/sidecar-fs.server2.stderr" "${HPIN[@]}" "${FS_SERVER[@]}"
		else
			start_server "$out/sidecar-py.server2.stderr" "${HPIN[@]}" "${PY_SERVER[@]}"
		fi
		PID[$s]=$SRV_PID URL[$s]=http://127.0.0.1:$SRV_PORT
		client "${s}_v2_b1"
		if [ $s = py ]; then
			measure "${s}_v2_b1_2c" "$SLOW_N" "$SLOW" "$SRV_PID" "${CMD[@]}"
		else
			measure "${s}_v2_b1_2c" "$N" "$INPUT" "$SRV_PID" "${CMD[@]}"
		fi
		client "${s}_v2_bb"
		measure "${s}_v2_bb_2c" "$N" "$INPUT" "$SRV_PID" "${CMD[@]}"
		stop_server "${s}_server2" "$SRV_PID"
	done
fi

# ---- table ----
ROWS="embedded fs_v2_b1 fs_v2_bb fs_tf_b1 fs_named_b1 py_v2_b1 py_v2_bb py_tf_b1 py_named_b1 fs_v2_b1_2c fs_v2_bb_2c py_v2_b1_2c py_v2_bb_2c cat"
declare -A LABEL=(
	[embedded]="embedded: fsscore --model"
	[fs_v2_b1]="fsscore --serve, V2"
	[fs_v2_bb]="fsscore --serve, V2, --batch $BATCH"
	[fs_tf_b1]="fsscore --serve, TF Serving"
	[fs_named_b1]="fsscore --serve, V2 named"
	[py_v2_b1]="xgboost sidecar, V2"
	[py_v2_bb]="xgboost sidecar, V2, --batch $BATCH"
	[py_tf_b1]="xgboost sidecar, TF Serving"
	[py_named_b1]="xgboost sidecar, V2 named"
	[fs_v2_b1_2c]="fsscore --serve, V2 (2 cores)"
	[fs_v2_bb_2c]="fsscore --serve, V2, --batch $BATCH (2 cores)"
	[py_v2_b1_2c]="xgboost sidecar, V2 (2 cores)"
	[py_v2_bb_2c]="xgboost sidecar, V2, --batch $BATCH (2 cores)"
	[cat]="cat (the latency floor)"
)
EMB_RATE=""
[ -n "${BEST[embedded]:-}" ] && EMB_RATE=$(awk -v n="$N" -v b="${BEST[embedded]}" 'BEGIN { printf "%.0f", n / b }')
{
	printf '%-42s %7s %7s %9s %6s %7s %7s %7s %7s %7s %8s %6s %6s\n' run events "best s" events/s "emb/x" "cli us" "srv us" "other s" "p50 us" "p99 us" "max us" "p50 x" "p99 x"
	for r in $ROWS; do
		[ -n "${BEST[$r]:-}${P50[$r]:-}" ] || continue
		awk -v l="${LABEL[$r]}" -v n="${COUNT[$r]:-}" -v b="${BEST[$r]:-}" -v e="$EMB_RATE" \
			-v cc="${CCPU[$r]:-}" -v sc="${SCPU[$r]:-}" -v oc="${OCPU[$r]:-}" -v p50="${P50[$r]:-}" -v p99="${P99[$r]:-}" \
			-v mx="${PMAX[$r]:-}" -v e50="${P50[embedded]:-}" -v e99="${P99[embedded]:-}" -v row="$r" 'BEGIN {
			if (b != "") { ev = n / b; s_n = sprintf("%d", n); s_b = sprintf("%.2f", b); s_r = sprintf("%.0f", ev)
				s_x = (e != "") ? sprintf("%.1fx", e / ev) : "n/a"
				s_c = (cc != "") ? sprintf("%.1f", cc / n * 1e6) : "-"
				s_s = (sc != "") ? sprintf("%.1f", sc / n * 1e6) : "-"
				s_o = (oc != "") ? oc : "-"
			} else { s_n = s_b = s_r = s_x = s_c = s_s = s_o = "-" }
			if (p50 != "") { s_50 = p50; s_99 = p99; s_m = mx
				s_x50 = (e50 != "" && row != "cat") ? sprintf("%.1fx", p50 / e50) : "-"
				s_x99 = (e99 != "" && row != "cat") ? sprintf("%.1fx", p99 / e99) : "-"
			} else { s_50 = s_99 = s_m = s_x50 = s_x99 = "-" }
			printf "%-42s %7s %7s %9s %6s %7s %7s %7s %7s %7s %8s %6s %6s\n", l, s_n, s_b, s_r, s_x, s_c, s_s, s_o, s_50, s_99, s_m, s_x50, s_x99
		}'
	done
} > "$out/sidecar-table.txt"

claim() {  # claim ROW: "p50 A.Ax (+D us), p99 B.Bx (+E us): VERDICT"
	local r=$1
	[ -n "${P50[$r]:-}" ] && [ -n "${P50[embedded]:-}" ] || { echo "n/a"; return; }
	awk -v a="${P50[$r]}" -v b="${P50[embedded]}" -v c="${P99[$r]}" -v d="${P99[embedded]}" 'BEGIN {
		x = a / b; y = c / d
		v = (x < 2) ? "below the claim" : (x <= 5) ? "within the claim" : "above the claim"
		printf "p50 %.1fx (%+d us), p99 %.1fx (%+d us): %s at p50", x, a - b, y, c - d, v }'
}
thr() {  # thr ROW: embedded events/s over ROW's
	[ -n "${BEST[$1]:-}" ] && [ -n "$EMB_RATE" ] || { echo "n/a"; return; }
	awk -v e="$EMB_RATE" -v n="${COUNT[$1]}" -v b="${BEST[$1]}" 'BEGIN { printf "%.1fx", e / (n / b) }'
}

vers="$("$FSSCORE" -V 2>&1 | head -n 1); $($PY -c 'import xgboost, numpy, platform; print("xgboost %s, numpy %s (Python %s)" % (xgboost.__version__, numpy.__version__, platform.python_version()))')"
echo
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(bench_machine)"
echo "tools:   $vers"
echo "fsscore: $FSSCORE_ORIG (md5 $FSSCORE_MD5..., built $FSSCORE_MTIME)"
echo "input:   $(basename "$INPUT"), $N events, $(awk -v b="$BYTES" -v n="$N" 'BEGIN{printf "%.1f", b/n}') bytes/line, 25 features"
echo "model:   $(basename "$MODEL"), $KIND, max_depth 6"
echo "load:    average $LOAD0 before the runs, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo
echo "embedded vs sidecar: best of $RUNS runs; latency at $RATE events/s, $LAT_N events a row in $LAT_ROUNDS rounds (1000 of warm-up each)"
echo "pinning: ${PIN[*]:-none} for the embedded fsscore and for each sidecar's client and server together (one core a setup);"
echo "         ${HPIN[*]:-none} for the latency harness; the (2 cores) rows: the server alone on ${HPIN[*]:-CPU 1}, the client on ${PIN[*]:-CPU 0}"
echo
cat "$out/sidecar-table.txt"
echo
echo "  events/s: the input (all $N events, or the first $MID_N for fsscore --serve's TF Serving and named rows, $SLOW_N"
echo "  for the xgboost sidecar's rows of one event a request) through the client as fast as it goes, the server started"
echo "  and warm before; emb/x: embedded events/s over the row's;"
echo "  cli us, srv us: CPU time (user + sys) of the client and of the server per event in the best run; other s: CPU"
echo "  seconds the machine spent on anything else during that run (/proc/stat; above 0.1 s the run was disturbed);"
echo "  p50/p99/max: latency.py --rate $RATE: one event line at a time into the client's stdin at a fixed rate, timed to"
echo "  its output line (harness on ${HPIN[*]:-any CPU}); the rows take turns, $LAT_ROUNDS rounds pooled; p50 x, p99 x: the row's"
echo "  over embedded's."
echo "  the client: fsscore --endpoint URL --features <the 25> (V2: one [N,25] FP64 tensor a request; TF Serving:"
echo "  {\"instances\":[[...]]}), its defaults otherwise (--inflight 4, --batch 1, --batch-wait 0); V2 named: without"
echo "  --features, one [N] tensor per feature. TF Serving answers carry no model version, so through them the"
echo "  client writes the model's name (from the URL) as \"model\": the lines differ from embedded ones in that only."
echo "  The xgboost sidecar: sidecar_xgboost.py, python3-xgboost Booster.inplace_predict with nthread=1 behind"
echo "  http.server.ThreadingHTTPServer (HTTP/1.1 keep-alive, a thread a connection, TCP_NODELAY)."
if [ "${BENCH_CHECK:-1}" != 0 ]; then
	echo "  check, the first $CHECK_N events against the embedded output:"
	for r in fs_v2_b1 fs_v2_bb fs_tf_b1 fs_named_b1 py_v2_b1 py_v2_bb py_tf_b1 py_named_b1; do
		printf '    %-38s %s\n' "${LABEL[$r]}:" "${CHECKED[$r]:-FAILED or not run}"
	done
fi
if [ -s "$out/sidecar-fs.metrics" ]; then
	echo "  fsscore --serve's /metrics at the end: $(awk '/^fsscore_events_total/ { e += $2 } /^fsscore_requests_total/ { q += $2 } /^fsscore_request_errors_total/ { x += $2 }
		END { printf "%d events in %d requests, %d errors", e, q, x }' "$out/sidecar-fs.metrics")"
fi
echo
echo "the claim: embedded inference gives 2-5x lower latency than a sidecar. Here, sidecar latency over embedded at $RATE events/s:"
for r in fs_v2_b1 fs_v2_bb py_v2_b1 py_v2_bb; do
	printf '  %-36s latency %s\n  %-36s throughput: embedded %s faster (one core), %s (the server on a core of its own)\n' \
		"${LABEL[$r]}:" "$(claim $r)" "" "$(thr $r)" "$(thr ${r}_2c)"
done

# Anything the tools said on stderr while timed.
for f in "$out"/sidecar-*.best.stderr "$out"/sidecar-fs.server.stderr "$out"/sidecar-py.server.stderr; do
	[ -f "$f" ] || continue
	n=$(grep -cv -e 'listening on' -e ': serving ' "$f")
	[ "$n" -gt 0 ] && echo "note: $(basename "$f"): $n line(s), first: $(grep -v -e 'listening on' -e ': serving ' "$f" | head -n 1)"
done

if [ -n "$FAILED" ]; then
	echo
	echo "FAILED:$FAILED"
	exit 1
fi
exit 0
