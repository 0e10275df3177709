#!/bin/bash
# fsscore --learn throughput benchmark; see tests/bench/README.md.
#
#   tests/bench/learn.sh [N_EXAMPLES]      (default 1000000)
#
# Learns a logistic model from N synthetic labelled events (learn_gen.py,
# seeded: 20 numeric features and 5 string fields with 10 to 100,000 values
# under "features", the label in "y", drawn from a known logistic truth):
#
#   fsscore --learn --label y --features f0,...,f19 --hash s0,...,s4 -q
#
# (--hash features.s0,... when the fsscore being timed reads hashed fields
# as paths into the event rather than from the features object: a probe on
# the first 1000 events tells which),
# with FTRL (the default), AdaGrad and SGD, FTRL on the same events with
# s0..s4 at the top level of the event (--hash s0,...; where --hash names
# paths), and FTRL with --save FILE
# --save-every 100000; then serves the saved model with plain fsscore --model
# on the same input (the serving cost, for the ratio of learning to serving).
# Beside it, on the same file, Python peers (learn_python.py), each scoring
# an example before learning from it and parsing the JSON itself:
#   - scikit-learn SGDClassifier(loss="log_loss").partial_fit one example at
#     a time (FeatureHasher), on the first BENCH_ONE_N examples (it is slow);
#   - the same in mini-batches of BENCH_BATCH, over the whole file;
#   - both again with a constant rate (BENCH_SGD_TUNED), for their log loss;
#   - a pure-Python FTRL loop over json.loads, one example at a time, the
#     same algorithm and hashing as fsscore's (its scores must equal
#     fsscore's: checked on the first 20,000).
# One core each (taskset -c 0), best of BENCH_RUNS runs; examples/s, peak RSS,
# the speed ratio to fsscore --learn (FTRL), the final progressive log loss
# of each (fsscore's from --progress FILE) beside fsscore FTRL's over the same
# examples and the truth's, and the trickle round-trip latency p50/p99.
#
# Environment: FSSCORE (binary, default ./fsscore at the top of the tree),
# BENCH_SEED (42), BENCH_RUNS (3), BENCH_ONE_N (20000: the examples
# SGDClassifier learns one at a time from), BENCH_PY_N (N: the examples of the
# pure-Python FTRL loop), BENCH_BATCH (1000), BENCH_SGD_TUNED (constant:0.01:
# scikit-learn's learning_rate:eta0 for the extra rows, each run once; empty:
# no extra rows), BENCH_LATENCY (1; 0 skips the trickle latency), BENCH_CHECK
# (1; 0 skips the cross-check with the pure-Python FTRL), BENCH_PERF (0; 1: a
# perf profile of fsscore --learn, its top symbols printed).
#
# Exits 0 whether or not the target is met; 1 if a tool fails, a check finds
# a difference or the set-up fails; 2 on a usage error.

# The script needs bash; `sh tests/bench/learn.sh` lands here too.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u

N=${1:-1000000}
case $N in '' | *[!0-9]* | 0) echo "usage: $0 [N_EXAMPLES]" >&2; exit 2 ;; esac
SEED=${BENCH_SEED:-42}
RUNS=${BENCH_RUNS:-3}
ONE_N=${BENCH_ONE_N:-20000}
PY_N=${BENCH_PY_N:-$N}
BATCH=${BENCH_BATCH:-1000}
TUNED=${BENCH_SGD_TUNED-constant:0.01}
for v in RUNS ONE_N PY_N BATCH; do
	case ${!v} in '' | *[!0-9]* | 0) echo "learn.sh: BENCH_$v must be a positive number" >&2; exit 2 ;; esac
done
case $TUNED in '' | *:*) ;; *) echo "learn.sh: BENCH_SGD_TUNED is LEARNING_RATE:ETA0, e.g. constant:0.01" >&2; exit 2 ;; esac
[ "$ONE_N" -gt "$N" ] && ONE_N=$N
[ "$PY_N" -gt "$N" ] && PY_N=$N
CHECK_N=20000
[ "$CHECK_N" -gt "$N" ] && CHECK_N=$N
LAT_N=20000
SAVE_EVERY=100000
PY=/usr/bin/python3

# here, top, out; die, have; bench_binary, bench_need_time, bench_pin, bench_machine
. "$(dirname "$0")/lib.sh" || exit 1
FSSCORE=${FSSCORE:-$top/fsscore}

# Time a private copy (FSSCORE_ORIG, FSSCORE_MD5, FSSCORE_MTIME: the original).
bench_binary FSSCORE fsscore
bench_need_time
$PY -c 'import numpy, sklearn' 2>/dev/null \
	|| die "$PY has no numpy or scikit-learn (apt-get install python3-numpy python3-sklearn)"

# One core each: the tools on CPU 0; the latency harness on CPU 1.
bench_pin

FEATURES=f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,f12,f13,f14,f15,f16,f17,f18,f19

# ---- input, generated once and cached (the names change with learn_gen.py) ----
gen_id=$(md5sum < "$here/learn_gen.py" | cut -c1-8)
INPUT=$out/learn-events-$N-$SEED-$gen_id.ndjson
TOP=$out/learn-events-top-$N-$SEED-$gen_id.ndjson   # the same, s0..s4 at the top level
TRUTH=$out/learn-truth-$N-$SEED-$gen_id.npy
GENSTATS=$out/learn-gen-$N-$SEED-$gen_id.txt
if [ ! -s "$INPUT" ] || [ ! -s "$TOP" ] || [ ! -s "$TRUTH" ] || [ ! -s "$GENSTATS" ]; then
	echo "generating $INPUT and $(basename "$TOP") ..." >&2
	$PY "$here/learn_gen.py" "$N" "$SEED" "$INPUT.tmp" "$TRUTH.tmp.npy" "$TOP.tmp" 2> "$GENSTATS.tmp" \
		&& mv "$INPUT.tmp" "$INPUT" && mv "$TOP.tmp" "$TOP" && mv "$TRUTH.tmp.npy" "$TRUTH" \
		&& mv "$GENSTATS.tmp" "$GENSTATS" \
		|| die "learn_gen.py failed: $(tail -n 3 "$GENSTATS.tmp" 2>/dev/null)"
fi
BYTES=$(stat -c %s "$INPUT")
LINES=$(wc -l < "$INPUT")
[ "$LINES" -eq "$N" ] || die "$INPUT has $LINES lines, expected $N"

# --hash: fields of the --from object (s0; fsscore up to commit ad11098) or
# paths into the event (features.s0)? The first kind warns that a field
# named "features.s0" is absent from the features object.
head -n 1000 "$INPUT" > "$out/learn-probe.ndjson" || die "cannot write the probe input"
"$FSSCORE" --learn --label y --hash features.s0 -q "$out/learn-probe.ndjson" > /dev/null 2> "$out/learn-probe.stderr" \
	|| die "fsscore --learn --hash features.s0 failed; see $out/learn-probe.stderr"
if grep -q absent "$out/learn-probe.stderr"; then
	HASHED=s0,s1,s2,s3,s4
	PATHS=""
else
	HASHED=features.s0,features.s1,features.s2,features.s3,features.s4
	PATHS=1
fi
export LEARN_HASH_NAMES=$HASHED   # for the pure-Python FTRL (learn_python.py)
LEARN=(--learn --label y --features "$FEATURES" --hash "$HASHED" -q)

MODEL=$out/learn-model.json       # what the --save runs write
SERVED=$out/learn-served.json     # a copy of it, served

# ---- untimed: the saved model, the output's line count, the prefix's scores ----
echo "input: $INPUT ($N events, $BYTES bytes)" >&2
rm -f "$MODEL"
"$FSSCORE" "${LEARN[@]}" --save "$MODEL" --save-every "$SAVE_EVERY" "$INPUT" 2> "$out/learn-sanity.stderr" \
	| wc -l > "$out/learn-sanity.count"
rc=${PIPESTATUS[0]}
got=$(cat "$out/learn-sanity.count")
[ "$rc" -eq 0 ] && [ "$got" -eq "$N" ] && [ -s "$MODEL" ] \
	|| die "fsscore --learn failed: status $rc, $got of $N lines; see $out/learn-sanity.stderr"
cp "$MODEL" "$SERVED" || die "cannot copy $MODEL"
MODEL_BYTES=$(stat -c %s "$SERVED")
BUCKETS=$($PY -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["hashed"]["weights"]))' "$SERVED")

# fsscore FTRL's progressive log loss over the prefixes the slow peers learn from
PRE=$ONE_N
[ "$CHECK_N" -gt "$PRE" ] && PRE=$CHECK_N
[ "$PY_N" -lt "$N" ] && [ "$PY_N" -gt "$PRE" ] && PRE=$PY_N
head -n "$PRE" "$INPUT" > "$out/learn-prefix.ndjson" || die "cannot write the prefix"
"$FSSCORE" "${LEARN[@]}" "$out/learn-prefix.ndjson" > "$out/learn-prefix.out" 2> "$out/learn-prefix.stderr" \
	|| die "fsscore --learn failed on the prefix; see $out/learn-prefix.stderr"
declare -A FTRL_AT=()
for kv in $($PY "$here/learn_python.py" loss "$out/learn-prefix.out" "$ONE_N" "$PY_N" "$CHECK_N"); do
	FTRL_AT[${kv%%=*}]=${kv#*=}
done
CHECK_MSG="cross-check skipped (BENCH_CHECK=0)"
if [ "${BENCH_CHECK:-1}" != 0 ]; then
	echo "  checking against the pure-Python FTRL ($CHECK_N examples) ..." >&2
	CHECK_MSG=$($PY "$here/learn_python.py" check "$INPUT" "$out/learn-prefix.out" "$CHECK_N" 2>&1)
	case $CHECK_MSG in "check OK"*) ;; *) FAILED_CHECK=1 ;; esac
fi
TRUTH_AT=$($PY "$here/learn_python.py" truth "$INPUT" "$TRUTH" "$ONE_N" "$PY_N" "$N") \
	|| die "learn_python.py truth failed"
truth_at() {  # truth_at N: the truth's log loss over the first N examples
	local kv
	for kv in $TRUTH_AT; do [ "${kv%%=*}" = "$1" ] && { kv=${kv#*=}; echo "${kv%/*}"; return; }; done
}
base_at() {  # base_at N: the base rate's
	local kv
	for kv in $TRUTH_AT; do [ "${kv%%=*}" = "$1" ] && { echo "${kv#*/}"; return; }; done
}

# ---- timing ----
# measure NAME RUNS CMD...: best wall time of RUNS runs (or the loop time the
# tool reports as loop_s=), peak RSS (max over runs). Sets BEST_<NAME>,
# RSS_<NAME>, STATS_<NAME> (the best run's last stderr line); records
# failures in FAILED.
FAILED=""
[ -n "${FAILED_CHECK:-}" ] && FAILED=" check"
cpu0_busy() {  # CPU 0's busy jiffies so far (user nice system irq softirq steal), or 0
	awk '$1 == "cpu0" { print $2 + $3 + $4 + $7 + $8 + $9; found = 1 } END { if (!found) print 0 }' /proc/stat
}
measure() {
	local name=$1 runs=$2
	shift 2
	local best="" rss=0 r t0 t1 secs kb rc loop b0 b1 other
	for ((r = 1; r <= runs; r++)); do
		b0=$(cpu0_busy)
		t0=$(date +%s%N)
		/usr/bin/time -f '%e %U %S %M' -o "$out/learn-$name.time" "${PIN[@]}" "$@" < /dev/null > /dev/null 2> "$out/learn-$name.stderr"
		rc=$?
		t1=$(date +%s%N)
		b1=$(cpu0_busy)
		if [ $rc -ne 0 ]; then
			echo "learn.sh: $name exited with status $rc; stderr in $out/learn-$name.stderr" >&2
			FAILED="$FAILED $name"
			return
		fi
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		kb=$(awk 'END { print $NF }' "$out/learn-$name.time")
		loop=$(sed -n 's/.*loop_s=\([0-9.]*\).*/\1/p' "$out/learn-$name.stderr")
		[ -n "$loop" ] && secs=$loop
		# CPU 0's busy time during the run that was not the tool's: others' work
		other=$(awk -v a="$b0" -v b="$b1" 'END { o = (b - a) / 100 - $2 - $3; printf "%.2f", o < 0 ? 0 : o }' "$out/learn-$name.time")
		if [ -z "$best" ] || awk -v a="$best" -v b="$secs" 'BEGIN { exit !(b < a) }'; then
			best=$secs
			printf -v "OTHER_$name" '%s' "$other"
			cp "$out/learn-$name.stderr" "$out/learn-$name.best.stderr"
		fi
		[ "$kb" -gt "$rss" ] && rss=$kb
		echo "  $name run $r: ${secs}s, ${kb} KB, other work on CPU 0 ${other}s" >&2
	done
	printf -v "BEST_$name" '%s' "$best"
	printf -v "RSS_$name" '%s' "$rss"
	printf -v "NRUNS_$name" '%s' "$runs"
	printf -v "STATS_$name" '%s' "$(tail -n 1 "$out/learn-$name.best.stderr")"
}

echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
ROWS="ftrl top adagrad sgd save serve sgd_one sgd_batch py_ftrl"
declare -A LABEL=(
	[ftrl]="fsscore --learn (ftrl)"
	[top]="  the same, s0..s4 at top level"
	[adagrad]="fsscore --learn adagrad"
	[sgd]="fsscore --learn sgd"
	[save]="fsscore --learn, --save-every 100k"
	[serve]="fsscore --model (serving)"
	[sgd_one]="sklearn SGD one at a time*"
	[sgd_batch]="sklearn SGD batches of $BATCH*"
	[sgd_one_t]="  the same, ${TUNED/:/ }*"
	[sgd_batch_t]="  the same, ${TUNED/:/ }*"
	[py_ftrl]="pure-Python FTRL*"
)
declare -A COUNT=([ftrl]=$N [top]=$N [adagrad]=$N [sgd]=$N [save]=$N [serve]=$N [sgd_one]=$ONE_N
	[sgd_one_t]=$ONE_N [sgd_batch]=$N [sgd_batch_t]=$N [py_ftrl]=$PY_N)
for a in ftrl adagrad sgd; do
	measure "$a" "$RUNS" "$FSSCORE" "${LEARN[@]}" --algorithm "$a" --progress "$out/learn-$a.progress" "$INPUT"
done
# the strings at the event's top level, --hash s0,...: only where --hash names paths
if [ -n "$PATHS" ]; then
	measure top "$RUNS" "$FSSCORE" --learn --label y --features "$FEATURES" --hash s0,s1,s2,s3,s4 -q \
		--progress "$out/learn-top.progress" "$TOP"
fi
measure save "$RUNS" "$FSSCORE" "${LEARN[@]}" --save "$MODEL" --save-every "$SAVE_EVERY" \
	--progress "$out/learn-save.progress" "$INPUT"
measure serve "$RUNS" "$FSSCORE" --model "$SERVED" "$INPUT"
measure sgd_one "$RUNS" $PY "$here/learn_python.py" sgd-one "$INPUT" "$ONE_N"
measure sgd_batch "$RUNS" $PY "$here/learn_python.py" sgd-batch "$INPUT" "$BATCH"
if [ -n "$TUNED" ]; then
	ROWS="ftrl top adagrad sgd save serve sgd_one sgd_one_t sgd_batch sgd_batch_t py_ftrl"
	measure sgd_one_t 1 $PY "$here/learn_python.py" sgd-one "$INPUT" "$ONE_N" "$TUNED"
	measure sgd_batch_t 1 $PY "$here/learn_python.py" sgd-batch "$INPUT" "$BATCH" "$TUNED"
fi
measure py_ftrl "$RUNS" $PY "$here/learn_python.py" ftrl "$INPUT" "$PY_N"

# the final progressive log loss of each
declare -A LOSS=()
for t in ftrl top adagrad sgd save; do
	LOSS[$t]=$(tail -n 1 "$out/learn-$t.progress" 2>/dev/null | sed -n 's/.*"log_loss":\([-0-9.e+]*\).*/\1/p')
done
for t in sgd_one sgd_one_t sgd_batch sgd_batch_t py_ftrl; do
	LOSS[$t]=$(sed -n 's/.*log_loss=\([-0-9.e+]*\).*/\1/p' <<< "$(eval echo "\${STATS_$t:-}")")
done
FTRL_AT[$N]=${LOSS[ftrl]:-}
SAVES=$((N / SAVE_EVERY + 1))  # every SAVE_EVERY examples and at the end

# ---- trickle latency (one event at a time through a pipe) ----
declare -A P50=() P99=()
LAT_FLOOR=""
if [ "${BENCH_LATENCY:-1}" != 0 ]; then
	lat() {  # lat NAME CMD...
		local name=$1 v
		shift
		if v=$("${HPIN[@]}" $PY "$here/latency.py" "$INPUT" "$LAT_N" "${PIN[@]}" "$@" 2> "$out/learn-$name.latency.stderr"); then
			P50[$name]=${v% *} P99[$name]=${v#* }
		else
			echo "learn.sh: latency run of $name failed; see $out/learn-$name.latency.stderr" >&2
		fi
	}
	echo "  trickle latency ($LAT_N events) ..." >&2
	lat ftrl "$FSSCORE" "${LEARN[@]}"
	lat serve "$FSSCORE" --model "$SERVED"
	lat cat cat
	[ -n "${P50[cat]:-}" ] && LAT_FLOOR="${P50[cat]} us p50 / ${P99[cat]} us p99"
fi

PERF_TOP=""
if [ "${BENCH_PERF:-0}" != 0 ] && have perf; then
	echo "  perf record of fsscore --learn ..." >&2
	if "${PIN[@]}" perf record -q -e cpu-clock -o "$out/learn-perf.data" -- "$FSSCORE" "${LEARN[@]}" "$INPUT" \
		> /dev/null 2> "$out/learn-perf.stderr"; then
		PERF_TOP="by library: $(perf report -i "$out/learn-perf.data" --stdio --no-children --sort dso 2> /dev/null \
			| awk '!/^#/ && NF >= 2 && $1 + 0 >= 1 { printf "%s%s %s", sep, $2, $1; sep = ", " }')"
		PERF_TOP="$PERF_TOP
$(perf report -i "$out/learn-perf.data" --stdio --no-children --sort dso,symbol 2> /dev/null \
			| grep -v '^#' | grep -v '^$' | head -n 12 | sed 's/[[:space:]-]*$//')"
		rm -f "$out/learn-perf.data.old"
	fi
fi

# ---- table ----
rate() {  # rate NAME: examples/s, empty if it did not run
	local b
	b=$(eval echo "\${BEST_$1:-}")
	[ -n "$b" ] && awk -v n="${COUNT[$1]}" -v b="$b" 'BEGIN { printf "%.0f", n / b }'
}
F=$(rate ftrl)
{
	printf '%-34s %8s %4s %7s %11s %7s %8s %8s %9s %9s %7s %7s\n' tool examples runs "best s" "examples/s" "other s" \
		"RSS MB" "ftrl/x" "log loss" "ftrl same" "p50 us" "p99 us"
	for t in $ROWS; do
		b=$(eval echo "\${BEST_$t:-}")
		if [ "$t" = top ] && [ -z "$PATHS" ]; then
			printf '%-34s %8s %4s %s\n' "${LABEL[$t]}" "$N" - "n/a: this fsscore reads --hash fields from the features object"
			continue
		fi
		if [ -z "$b" ]; then
			printf '%-34s %8s %4s %s\n' "${LABEL[$t]}" "${COUNT[$t]}" - FAILED
			continue
		fi
		awk -v l="${LABEL[$t]}" -v n="${COUNT[$t]}" -v runs="$(eval echo "\${NRUNS_$t}")" -v b="$b" \
			-v m="$(eval echo "\${RSS_$t}")" -v f="$F" -v ll="${LOSS[$t]:--}" -v same="${FTRL_AT[${COUNT[$t]}]:-}" \
			-v p50="${P50[$t]:-n/a}" -v p99="${P99[$t]:-n/a}" -v o="$(eval echo "\${OTHER_$t}")" 'BEGIN {
			r = (f == "") ? "n/a" : sprintf("%.2fx", f / (n / b))
			if (ll != "-") ll = sprintf("%.4f", ll)
			same = (same == "" || ll == "-") ? "-" : sprintf("%.4f", same)
			printf "%-34s %8d %4d %7.2f %11.0f %7.2f %8.1f %8s %9s %9s %7s %7s\n", l, n, runs, b, n / b, o, m / 1024, r, ll, same, p50, p99
		}'
	done
} > "$out/learn-table.txt"

vers="$("$FSSCORE" -V 2>&1 | head -n 1)"
vers="$vers; $($PY -c 'import sklearn, numpy, platform; print("scikit-learn %s, numpy %s (Python %s)" % (sklearn.__version__, numpy.__version__, platform.python_version()))')"
echo
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(bench_machine)"
echo "tools:   $vers"
echo "fsscore: $FSSCORE_ORIG (md5 $FSSCORE_MD5..., built $FSSCORE_MTIME)"
echo "input:   $(basename "$INPUT"), $(awk -v b="$BYTES" -v n="$N" 'BEGIN { printf "%.1f MB, %.1f bytes/line", b / 1e6, b / n }'), 20 numeric + 5 hashed string features"
echo "drawn:   $(cat "$GENSTATS")"
echo
echo "fsscore --learn benchmark: $N examples; ${LEARN[*]} [FILE]; one core each (${PIN[*]:-not pinned}), best of the runs shown"
echo
cat "$out/learn-table.txt"
echo
echo "  examples/s: over the whole process's wall time for fsscore and the batches; the one-at-a-time Python loops (*):"
echo "  their loop only (no interpreter start, imports or set-up). other s: CPU 0's busy time during the best run that was"
echo "  not the tool's (other work on the shared core; well above 0.05 s means the run was disturbed)."
echo "  RSS MB: peak (GNU time %M), the largest of the runs."
echo "  ftrl/x: fsscore --learn (ftrl)'s examples/s over the row's. log loss: the final progressive log loss (each example"
echo "  scored before it is learned from) over the row's examples; fsscore's from its --progress FILE (the last record)."
echo "  ftrl same: fsscore --learn (ftrl)'s over the same examples (the first ${ONE_N}: $(awk -v v="${FTRL_AT[$ONE_N]:-nan}" 'BEGIN{printf "%.4f", v}'))."
echo "  the truth's log loss (learn_gen.py's true p): $(truth_at "$ONE_N") over the first $ONE_N, $(truth_at "$N") over all $N;"
echo "  always the base rate: $(base_at "$ONE_N") / $(base_at "$N")"
echo "  --save-every $SAVE_EVERY: saved $SAVES times a run (each atomically: temp file, fsync, rename), the last $MODEL_BYTES bytes with $BUCKETS non-zero buckets;"
echo "  serving scores the saved model (its \"learning\" member is read and ignored)."
echo "  * sklearn: SGDClassifier(loss=\"log_loss\", random_state=0), otherwise its defaults (\"optimal\" rate, L2 1e-4), or"
echo "    learning_rate/eta0 = ${TUNED:-n/a} (the tuned rows, one run each); FeatureHasher(2^18, input_type=\"dict\","
echo "    alternate_sign=False) over the features object (numbers by name, strings as name=value); predict_proba"
echo "    before partial_fit. One at a time: in-process time per example p50/p99 $(sed -n 's/.*p50_us=\([0-9.]*\) p99_us=\([0-9.]*\).*/\1 \/ \2 us/p' <<< "${STATS_sgd_one:-}")."
echo "    Batches: whole process; phases of the best run: $(grep -o 'read=.*' <<< "${STATS_sgd_batch:-}")"
echo "    (each batch scored with the model of the batches before it)."
echo "  * pure-Python FTRL: json.loads, lists of floats, sklearn's murmurhash3_32 for the buckets; loop only; in-process"
echo "    time per example p50/p99 $(sed -n 's/.*p50_us=\([0-9.]*\) p99_us=\([0-9.]*\).*/\1 \/ \2 us/p' <<< "${STATS_py_ftrl:-}")."
if [ -n "$PATHS" ]; then
	echo "  the same, s0..s4 at top level: $(basename "$TOP"), the same events with s0..s4 beside \"features\";"
	echo "    fsscore --learn --hash s0,...,s4 (the layout hashed fields as paths into the event are meant for)."
fi
echo "  None of the Python peers writes the scored events; fsscore writes each (to /dev/null here)."
echo "  p50/p99: trickle round trip, one event at a time through a pipe${LAT_FLOOR:+; floor of the method (cat): $LAT_FLOOR}; n/a: not measured"
echo "  $CHECK_MSG"
S=$(rate serve)
if [ -n "$F" ] && [ -n "$S" ]; then
	awk -v f="$F" -v s="$S" 'BEGIN { printf "  learning vs serving: %.2f us an example learning (ftrl), %.2f us serving: learning costs %.2fx serving\n", 1e6 / f, 1e6 / s, s / f }'
fi
if [ -n "$PERF_TOP" ]; then
	echo
	echo "perf record -e cpu-clock, fsscore --learn (ftrl) on the same input, self time; top symbols:"
	echo "$PERF_TOP"
fi

echo
echo "target (informational):"
if [ -z "$F" ]; then
	printf '%-46s %s\n' "fsscore --learn (ftrl) >= 200k examples/s" "n/a"
else
	awk -v v="$F" 'BEGIN { printf "%-46s %s (%s)\n", "fsscore --learn (ftrl) >= 200k examples/s", (v >= 200000 ? "met" : "missed"), v }'
fi

if [ -n "$FAILED" ]; then
	echo
	echo "FAILED:$FAILED"
	exit 1
fi
exit 0
