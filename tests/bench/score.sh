#!/bin/bash
# fsscore throughput and latency benchmark; see tests/bench/README.md.
#
#   tests/bench/score.sh [N_EVENTS]      (default 1000000 events)
#
# Scores N synthetic NDJSON events (25 features, some null) with a 100-tree,
# depth-6 binary:logistic XGBoost model, with fsscore and with python3-xgboost
# (a) one event at a time, as an embedded stream job, and (b) as one
# whole-file batch including the JSON parsing; one core each.
#
# Environment: FSSCORE (binary, default ./fsscore at the top of the tree),
# BENCH_SEED (42), BENCH_RUNS (3), BENCH_ONE_N (50000: events the slow
# one-at-a-time Python path is timed on, a prefix of the input),
# BENCH_LATENCY (1; 0 skips the trickle-latency measurement), BENCH_CHECK (1;
# 0 skips the score cross-check against python3-xgboost).
#
# Exits 0 whether or not the targets are met; 1 only if a tool fails (non-zero
# exit status, wrong line count) or the set-up does; 2 on a usage error.
set -u

N=${1:-1000000}
case $N in '' | *[!0-9]* | 0) echo "usage: $0 [N_EVENTS]" >&2; exit 2 ;; esac
SEED=${BENCH_SEED:-42}
RUNS=${BENCH_RUNS:-3}
ONE_N=${BENCH_ONE_N:-50000}
case $ONE_N in '' | *[!0-9]* | 0) echo "score.sh: BENCH_ONE_N must be a positive number" >&2; exit 2 ;; esac
[ "$ONE_N" -gt "$N" ] && ONE_N=$N
CHECK_N=20000
[ "$CHECK_N" -gt "$N" ] && CHECK_N=$N
LAT_N=20000
PY=/usr/bin/python3

# here, top, out; die, have; bench_binary, bench_need_time, bench_pin, bench_machine
. "$(dirname "$0")/lib.sh" || exit 1
FSSCORE=${FSSCORE:-$top/fsscore}

# Time a private copy (FSSCORE_ORIG, FSSCORE_MD5, FSSCORE_MTIME: the original).
bench_binary FSSCORE fsscore
bench_need_time
$PY -c 'import xgboost, numpy' 2>/dev/null \
	|| die "$PY has no xgboost or numpy (apt-get install python3-xgboost python3-numpy)"

# One core each: pin to CPU 0 when taskset works; pin the latency harness to CPU 1.
bench_pin

# ---- input and model, generated once and cached (the names change with score_gen.py) ----
bench_score_input
PREFIX=$out/score-prefix.ndjson
head -n "$ONE_N" "$INPUT" > "$PREFIX" || die "cannot write $PREFIX"

# ---- parse-only baseline (optional: needs libjansson-dev) ----
HAVE_PARSE=""
if have pkg-config && pkg-config --exists jansson; then
	# shellcheck disable=SC2046
	cc -O2 -o "$out/parse_only" "$here/parse_only.c" $(pkg-config --cflags --libs jansson) \
		&& HAVE_PARSE=1
fi

# ---- checks (untimed) ----
"$FSSCORE" --model "$MODEL" --check > "$out/score-check-model.json" 2> "$out/score-sanity.stderr" \
	|| die "fsscore --check failed on $MODEL; see $out/score-sanity.stderr"
KIND=$(sed -n 's/.*"kind":"\([^"]*\)".*/\1/p' "$out/score-check-model.json")
"$FSSCORE" --model "$MODEL" < "$INPUT" 2> "$out/score-sanity.stderr" | wc -l > "$out/score-sanity.count"
rc=${PIPESTATUS[0]}
got=$(cat "$out/score-sanity.count")
[ "$rc" -eq 0 ] && [ "$got" -eq "$N" ] \
	|| die "fsscore run failed: status $rc, $got of $N lines; see $out/score-sanity.stderr"
CHECK_MSG="cross-check skipped (BENCH_CHECK=0)"
if [ "${BENCH_CHECK:-1}" != 0 ]; then
	CHECK_MSG=""
	head -n "$CHECK_N" "$INPUT" > "$out/score-check.ndjson"
	"$FSSCORE" --model "$MODEL" < "$out/score-check.ndjson" > "$out/score-check.fsscore.ndjson" 2> "$out/score-check.stderr" \
		&& CHECK_MSG=$($PY "$here/score_python.py" check "$MODEL" "$out/score-check.ndjson" \
			"$out/score-check.fsscore.ndjson" 2>> "$out/score-check.stderr") \
		|| CHECK_MSG="cross-check FAILED: ${CHECK_MSG:-} (see $out/score-check.stderr)"
fi

# ---- timing ----
# measure NAME STDIN CMD...: best wall time of $RUNS runs, peak RSS (max over runs).
# Sets BEST_<NAME>, RSS_<NAME>; records failures in FAILED.
FAILED=""
measure() {
	local name=$1 stdin=$2
	shift 2
	local best="" rss=0 r t0 t1 secs kb rc loop
	for ((r = 1; r <= RUNS; r++)); do
		t0=$(date +%s%N)
		/usr/bin/time -f '%e %M' -o "$out/$name.time" "${PIN[@]}" "$@" < "$stdin" > /dev/null 2> "$out/$name.stderr"
		rc=$?
		t1=$(date +%s%N)
		if [ $rc -ne 0 ]; then
			echo "score.sh: $name exited with status $rc; stderr in $out/$name.stderr" >&2
			FAILED="$FAILED $name"
			return
		fi
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		kb=$(awk 'END { print $NF }' "$out/$name.time")
		# A tool that reports its own loop time (the one-at-a-time path) is timed by it.
		loop=$(sed -n 's/.*loop_s=\([0-9.]*\).*/\1/p' "$out/$name.stderr")
		[ -n "$loop" ] && secs=$loop
		if [ -z "$best" ] || awk -v a="$best" -v b="$secs" 'BEGIN { exit !(b < a) }'; then
			best=$secs
			cp "$out/$name.stderr" "$out/$name.best.stderr"
		fi
		[ "$kb" -gt "$rss" ] && rss=$kb
		echo "  $name run $r: ${secs}s, ${kb} KB" >&2
	done
	printf -v "BEST_$name" '%s' "$best"
	printf -v "RSS_$name" '%s' "$rss"
}

echo "input: $INPUT ($N events, $BYTES bytes, $(awk -v b="$BYTES" -v n="$N" 'BEGIN{printf "%.1f", b/n}') bytes/line)" >&2
echo "model: $MODEL ($KIND)" >&2
echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
TOOLS="fsscore parse_only py_one py_batch"
declare -A LABEL=(
	[fsscore]="fsscore"
	[parse_only]="jansson parse-only loop"
	[py_one]="xgboost one at a time (a)*"
	[py_batch]="xgboost whole-file batch (b)*"
)
declare -A COUNT=([fsscore]=$N [parse_only]=$N [py_one]=$ONE_N [py_batch]=$N)
declare -A MISSING=()
measure fsscore "$INPUT" "$FSSCORE" --model "$MODEL"
if [ -n "$HAVE_PARSE" ]; then measure parse_only "$INPUT" "$out/parse_only"; else MISSING[parse_only]=1; fi
measure py_one /dev/null $PY "$here/score_python.py" one "$MODEL" "$PREFIX" /dev/null
measure py_batch /dev/null $PY "$here/score_python.py" batch "$MODEL" "$INPUT" /dev/null
ONE_STATS=$(cat "$out/py_one.best.stderr" 2>/dev/null)
ONE_DONE=$(sed -n 's/.*events=\([0-9]*\) .*/\1/p' <<< "$ONE_STATS")
if [ -n "${BEST_py_one:-}" ] && [ "${ONE_DONE:-0}" -ne "$ONE_N" ]; then
	echo "score.sh: the one-at-a-time path scored ${ONE_DONE:-?} of $ONE_N events" >&2
	FAILED="$FAILED py_one"
	unset BEST_py_one
fi
ONE_P50=$(sed -n 's/.*p50_us=\([0-9.]*\).*/\1/p' <<< "$ONE_STATS")
ONE_P99=$(sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p' <<< "$ONE_STATS")
PHASES=$(grep -o 'read=.*' "$out/py_batch.stderr" 2>/dev/null)

# ---- trickle latency (one event at a time through a pipe) ----
declare -A P50=() P99=()
LAT_FLOOR=""
if [ "${BENCH_LATENCY:-1}" != 0 ]; then
	lat() {  # lat NAME CMD...
		local name=$1 v
		shift
		if v=$("${HPIN[@]}" $PY "$here/latency.py" "$INPUT" "$LAT_N" "${PIN[@]}" "$@" 2> "$out/$name.latency.stderr"); then
			P50[$name]=${v% *} P99[$name]=${v#* }
		else
			echo "score.sh: latency run of $name failed; see $out/$name.latency.stderr" >&2
		fi
	}
	echo "  trickle latency ($LAT_N events) ..." >&2
	lat fsscore "$FSSCORE" --model "$MODEL"
	lat py_one $PY "$here/score_python.py" one "$MODEL" - --flush
	lat cat cat
	[ -n "${P50[cat]:-}" ] && LAT_FLOOR="${P50[cat]} us p50 / ${P99[cat]} us p99"
fi

# ---- table ----
# rate NAME: events/s of a tool, empty if it did not run
rate() {
	local b
	b=$(eval echo "\${BEST_$1:-}")
	[ -n "$b" ] && awk -v n="${COUNT[$1]}" -v b="$b" 'BEGIN { printf "%.0f", n / b }'
}
F=$(rate fsscore)
{
	printf '%-31s %8s %8s %10s %7s %11s %12s %7s %7s\n' tool events "best s" "events/s" "MB/s" "peak RSS MB" "fsscore/tool" "p50 us" "p99 us"
	for t in $TOOLS; do
		b=$(eval echo "\${BEST_$t:-}")
		m=$(eval echo "\${RSS_$t:-}")
		p50=${P50[$t]:-n/a} p99=${P99[$t]:-n/a}
		if [ -n "${MISSING[$t]:-}" ]; then
			printf '%-31s %8s\n' "${LABEL[$t]}" "not available (needs libjansson-dev, pkg-config)"
		elif [ -z "$b" ]; then
			printf '%-31s %8s\n' "${LABEL[$t]}" "FAILED"
		else
			awk -v l="${LABEL[$t]}" -v b="$b" -v m="$m" -v n="${COUNT[$t]}" -v by="$BYTES" -v N="$N" -v f="$F" \
				-v p50="$p50" -v p99="$p99" 'BEGIN {
				r = (f == "") ? "n/a" : sprintf("%.2fx", f / (n / b))
				printf "%-31s %8d %8.2f %10.0f %7.1f %11.1f %12s %7s %7s\n", l, n, b, n / b, by / N * n / b / 1e6, m / 1024, r, p50, p99
			}'
		fi
	done
} > "$out/score-table.txt"

vers="$("$FSSCORE" -V 2>&1 | head -n 1)"
[ -n "$HAVE_PARSE" ] && vers="$vers; jansson $(pkg-config --modversion jansson)"
vers="$vers; $($PY -c 'import xgboost, numpy, platform; print("xgboost %s, numpy %s (Python %s)" % (xgboost.__version__, numpy.__version__, platform.python_version()))')"
echo
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(bench_machine)"
echo "tools:   $vers"
echo "fsscore: $FSSCORE_ORIG (md5 $FSSCORE_MD5..., built $FSSCORE_MTIME)"
echo "input:   $(basename "$INPUT"), $(awk -v b="$BYTES" -v n="$N" 'BEGIN{printf "%.1f", b/n}') bytes/line, 25 features"
echo "model:   $(basename "$MODEL"), ${KIND:-?}, max_depth 6"
echo
echo "fsscore benchmark: $N events, $(awk -v b="$BYTES" 'BEGIN{printf "%.1f MB", b/1e6}') NDJSON; best of $RUNS runs, one core each (${PIN[*]:-not pinned})"
echo
cat "$out/score-table.txt"
echo
echo "* (a) json.loads, a one-row numpy array, Booster.inplace_predict, json.dumps per event, nthread=1;"
echo "      timed on the first $ONE_N events, its loop only (no interpreter start or model load);"
echo "      in-process time per event p50 ${ONE_P50:-n/a} us, p99 ${ONE_P99:-n/a} us"
echo "  (b) whole process: read, json.loads every line, one float64 matrix, one inplace_predict"
echo "      (nthread=1), json.dumps every scored line; phases of its last run: ${PHASES:-n/a}"
echo "  p50/p99: trickle round trip, one event at a time through a pipe${LAT_FLOOR:+; floor of the method (cat): $LAT_FLOOR}; n/a = not measured (batch tools)"
echo "  fsscore wrote $N lines for $N events; $CHECK_MSG"

target() {  # target TEXT VALUE THRESHOLD
	if [ -z "$2" ]; then
		printf '%-40s %s\n' "$1" "n/a"
	else
		awk -v t="$1" -v v="$2" -v th="$3" 'BEGIN {
			printf "%-40s %s (%s)\n", t, (v >= th ? "met" : "missed"), v }'
	fi
}
ratio() {  # ratio NAME: fsscore's events/s over the tool's
	local r
	r=$(rate "$1")
	[ -n "$F" ] && [ -n "$r" ] && awk -v f="$F" -v r="$r" 'BEGIN { printf "%.2f", f / r }'
}
echo
echo "targets (informational):"
target "fsscore >= 300k events/s" "$F" 300000
target "fsscore >= 15x xgboost one at a time" "$(ratio py_one)" 15
target "fsscore >= 2x xgboost whole-file batch" "$(ratio py_batch)" 2

# Anything fsscore said on stderr while timed (it should say nothing on this input).
if [ -s "$out/fsscore.stderr" ]; then
	echo
	echo "note: fsscore wrote $(wc -l < "$out/fsscore.stderr") line(s) to stderr, first: $(head -n 1 "$out/fsscore.stderr")"
fi

if [ -n "$FAILED" ]; then
	echo
	echo "FAILED:$FAILED"
	exit 1
fi
exit 0
