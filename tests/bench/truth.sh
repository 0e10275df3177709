#!/bin/bash
# fsgroundtruth throughput and memory benchmark.
#
#   tests/bench/truth.sh [N_PREDICTIONS]     (default 1000000; or N=200000 sh tests/bench/truth.sh)
#
# Joins delayed labels to N binary predictions and computes the quality per
# 1-day window once the labels are in, with a 30-day maturity:
#
#   fsgroundtruth --id tx --labels LABELS --maturity 30d --window 1d PREDICTIONS
#
# The inputs come from truth_gen.py (seeded, cached in tests/bench/out/):
# predictions over 60 days, sorted by time, ~120 bytes a line; labels sorted
# by label time for ~60 % of them, delays up to 30 days and 3 % later than
# that (late), 2 % of the labeled transactions labeled twice, 0.5 % labels
# for ids never predicted (unmatched), 0.2 % labels before their prediction.
# Three fsgroundtruth runs: metrics only; with --emit joined (every
# prediction written again with its label: about 1.6 lines out per line in);
# and metrics with the labels through a pipe (--labels <(cat LABELS), cat on
# another core). The peer is truth_pandas.py batch: pandas read_json of both
# files, merge, the last label per tx with t_l <= t_p + 30 d, then per window
# sklearn's roc_auc_score, average_precision_score, log_loss,
# brier_score_loss, precision/recall/f1 at 0.5 (whole process, interpreter
# start included). Each tool on one core (taskset -c 0), best of BENCH_RUNS
# runs, peak RSS from GNU time (%M, the largest over the runs).
#
# Before timing, each fsgroundtruth variant runs once (untimed) with its
# output kept; its metrics records are compared window by window with
# pandas': "agree" in the table when the windows are the same and roc_auc,
# precision and recall agree within 1e-9 in every one (other fields are
# reported below the table). With --emit joined the "joined" records are
# also checked against pandas' join (truth_pandas.py joined).
#
# Environment: N (the size, when no argument is given), FSGROUNDTRUTH (the
# binary, default ./fsgroundtruth at the top of the tree), BENCH_SEED (42),
# BENCH_RUNS (3), BENCH_CHECK (1; 0 skips the joined-records check, the
# slowest part of the checks), BENCH_PANDAS (1; 0 skips the peer, and with
# it the metrics comparison).
#
# Exits 0 when everything ran, whatever the speed; 1 if a tool fails, a
# check finds a difference or the set-up fails; 2 on a usage error.

# The script needs bash; `sh tests/bench/truth.sh` lands here too.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u

N=${1:-${N:-1000000}}
case $N in '' | *[!0-9]* | 0) echo "usage: $0 [N_PREDICTIONS]" >&2; exit 2 ;; esac
SEED=${BENCH_SEED:-42}
RUNS=${BENCH_RUNS:-3}
case $RUNS in '' | *[!0-9]* | 0) echo "truth.sh: BENCH_RUNS must be a positive number" >&2; exit 2 ;; esac
PY=/usr/bin/python3
ARGS=(--id tx --maturity 30d --window 1d)

# here, top, out; die, have; bench_binary, bench_need_time, bench_pin, bench_machine
. "$(dirname "$0")/lib.sh" || exit 1
FSGT=${FSGROUNDTRUTH:-$top/fsgroundtruth}

# Time a private copy (FSGT_ORIG, FSGT_MD5, FSGT_MTIME: the original).
bench_binary FSGT fsgroundtruth "make fsgroundtruth, or set FSGROUNDTRUTH"
bench_need_time
$PY -c 'import numpy' 2>/dev/null || die "$PY has no numpy (apt-get install python3-numpy)"
HAVE_PANDAS=""
if [ "${BENCH_PANDAS:-1}" != 0 ]; then
	$PY -c 'import pandas, sklearn' 2>/dev/null && HAVE_PANDAS=1
fi

# One core each: the tools on CPU 0; cat feeding the pipe on CPU 1.
bench_pin

# ---- inputs, generated once and cached (the names change with truth_gen.py) ----
gen_id=$(md5sum < "$here/truth_gen.py" | cut -c1-8)
PRED=$out/truth-pred-$N-$SEED-$gen_id.ndjson
LAB=$out/truth-labels-$N-$SEED-$gen_id.ndjson
GENSTATS=$out/truth-gen-$N-$SEED-$gen_id.txt
if [ ! -s "$PRED" ] || [ ! -s "$LAB" ] || [ ! -s "$GENSTATS" ]; then
	echo "generating $PRED and $(basename "$LAB") ..." >&2
	$PY "$here/truth_gen.py" "$N" "$SEED" "$PRED.tmp" "$LAB.tmp" 2> "$GENSTATS.tmp" \
		&& mv "$PRED.tmp" "$PRED" && mv "$LAB.tmp" "$LAB" && mv "$GENSTATS.tmp" "$GENSTATS" \
		|| die "truth_gen.py failed: $(tail -n 3 "$GENSTATS.tmp" 2>/dev/null)"
fi
[ "$(wc -l < "$PRED")" -eq "$N" ] || die "$PRED does not have $N lines"
NLAB=$(wc -l < "$LAB")
PBYTES=$(stat -c %s "$PRED")
LBYTES=$(stat -c %s "$LAB")

# ---- the runs ----
# Each variant is a command line; "pipe" feeds the labels through a process
# substitution (a pipe fsgroundtruth reads as /dev/fd/N), cat on CPU 1; bash
# execs fsgroundtruth, so GNU time measures fsgroundtruth itself.
set_cmd() {  # set_cmd NAME: CMD=(fsgroundtruth's command line for NAME), pinned
	case $1 in
	metrics) CMD=("${PIN[@]}" "$FSGT" "${ARGS[@]}" --labels "$LAB" "$PRED") ;;
	joined) CMD=("${PIN[@]}" "$FSGT" "${ARGS[@]}" --labels "$LAB" --emit joined "$PRED") ;;
	pipe) CMD=("${PIN[@]}" bash -c 'lab=$1 pred=$2; shift 2; exec "$@" --labels <(exec '"${HPIN[*]}"' cat "$lab") "$pred"' \
		_ "$LAB" "$PRED" "$FSGT" "${ARGS[@]}") ;;
	esac
}
VARIANTS="metrics joined pipe"
declare -A LABEL=(
	[metrics]="fsgroundtruth"
	[joined]="fsgroundtruth --emit joined"
	[pipe]="fsgroundtruth, labels via a pipe"
	[pandas]="pandas + sklearn (batch)*"
)

# measure NAME CMD...: best wall time of $RUNS runs, peak RSS (max over runs).
# Sets BEST_<NAME>, RSS_<NAME>; records failures in FAILED.
FAILED=""
measure() {
	local name=$1
	shift
	local best="" rss=0 r t0 t1 secs kb rc
	for ((r = 1; r <= RUNS; r++)); do
		t0=$(date +%s%N)
		/usr/bin/time -f '%e %M' -o "$out/truth-$name.time" "$@" < /dev/null > /dev/null 2> "$out/truth-$name.stderr"
		rc=$?
		t1=$(date +%s%N)
		if [ $rc -ne 0 ]; then
			echo "truth.sh: $name exited with status $rc; stderr in $out/truth-$name.stderr" >&2
			FAILED="$FAILED $name"
			return
		fi
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		kb=$(awk 'END { print $NF }' "$out/truth-$name.time")
		if [ -z "$best" ] || awk -v a="$best" -v b="$secs" 'BEGIN { exit !(b < a) }'; then
			best=$secs
			cp "$out/truth-$name.stderr" "$out/truth-$name.best.stderr"
		fi
		[ "$kb" -gt "$rss" ] && rss=$kb
		echo "  $name run $r: ${secs}s, ${kb} KB" >&2
	done
	printf -v "BEST_$name" '%s' "$best"
	printf -v "RSS_$name" '%s' "$rss"
}

echo "predictions: $PRED ($N lines, $PBYTES bytes)" >&2
echo "labels:      $LAB ($NLAB lines, $LBYTES bytes)" >&2

# ---- untimed runs with their output kept, for the checks ----
declare -A CHECK=() SUMMARY=()
for v in $VARIANTS; do
	f=$out/truth-$v.ndjson
	set_cmd "$v"
	"${CMD[@]}" < /dev/null > "$f" 2> "$out/truth-$v.check.stderr"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "truth.sh: fsgroundtruth ($v) exited with status $rc; stderr in $out/truth-$v.check.stderr" >&2
		FAILED="$FAILED $v"
		CHECK[$v]="FAILED"
		continue
	fi
	# the end-of-run summary line (rejected lines by reason), rejected lines excluded
	SUMMARY[$v]=$(grep '^fsgroundtruth: ' "$out/truth-$v.check.stderr" | tail -n 1)
done

PANDAS_OUT=$out/truth-pandas-$N-$SEED.ndjson
if [ -n "$HAVE_PANDAS" ]; then
	rm -f "$PANDAS_OUT"
	measure pandas "${PIN[@]}" $PY "$here/truth_pandas.py" batch "$PRED" "$LAB" "$PANDAS_OUT"
	PHASES=$(tail -n 1 "$out/truth-pandas.best.stderr" 2>/dev/null)
fi
declare -A CMP_DETAIL=()
for v in $VARIANTS; do
	[ -n "${CHECK[$v]:-}" ] && continue
	if [ -z "$HAVE_PANDAS" ]; then
		CHECK[$v]="n/a"
	elif [ ! -s "$PANDAS_OUT" ]; then
		CHECK[$v]="n/a"
	else
		$PY "$here/truth_pandas.py" compare "$PANDAS_OUT" "$out/truth-$v.ndjson" > "$out/truth-$v.compare" 2>&1
		CHECK[$v]=$(head -n 1 "$out/truth-$v.compare")
		case ${CHECK[$v]} in agree) ;; *) CHECK[$v]="DIFFER"; FAILED="$FAILED check-$v" ;; esac
		CMP_DETAIL[$v]=$(tail -n +2 "$out/truth-$v.compare")
	fi
done
JOINED_MSG="joined check skipped (BENCH_CHECK=0)"
if [ "${BENCH_CHECK:-1}" != 0 ] && [ "${CHECK[joined]:-}" != FAILED ]; then
	if [ -z "$HAVE_PANDAS" ]; then
		JOINED_MSG="joined check skipped: no pandas"
	else
		echo "  checking the joined records ..." >&2
		JOINED_MSG=$($PY "$here/truth_pandas.py" joined "$PRED" "$LAB" "$out/truth-joined.ndjson" 2>&1) \
			|| FAILED="$FAILED joined-check"
	fi
fi
JOINED_LINES=$(wc -l < "$out/truth-joined.ndjson" 2>/dev/null)
METRIC_LINES=$(grep -c '"kind":"metrics"' "$out/truth-metrics.ndjson" 2>/dev/null)
MATURE_LINES=$(grep -c '"mature":true' "$out/truth-metrics.ndjson" 2>/dev/null)

# ---- timing ----
echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for v in $VARIANTS; do
	[ "${CHECK[$v]:-}" = FAILED ] && continue
	set_cmd "$v"
	measure "$v" "${CMD[@]}"
done

# ---- table ----
rate() {  # rate NAME: predictions/s, empty if it did not run
	local b
	b=$(eval echo "\${BEST_$1:-}")
	[ -n "$b" ] && awk -v n="$N" -v b="$b" 'BEGIN { printf "%.0f", n / b }'
}
PR=$(rate pandas)
PK=${RSS_pandas:-}
{
	printf '%-34s %11s %4s %8s %14s %12s %9s %10s  %s\n' run predictions runs "best s" "predictions/s" "peak RSS MB" \
		"x pandas" "RSS/pandas" "windows vs pandas"
	for t in $VARIANTS pandas; do
		[ "$t" = pandas ] && [ -z "$HAVE_PANDAS" ] && {
			printf '%-34s %11s %4s %s\n' "${LABEL[$t]}" "$N" - "not run (BENCH_PANDAS=0, or no pandas/sklearn for $PY)"
			continue
		}
		b=$(eval echo "\${BEST_$t:-}")
		k=$(eval echo "\${RSS_$t:-}")
		if [ -z "$b" ]; then
			printf '%-34s %11s %4s %s\n' "${LABEL[$t]}" "$N" "$RUNS" FAILED
			continue
		fi
		c=${CHECK[$t]:--}
		[ "$t" = pandas ] && c="(reference)"
		awk -v l="${LABEL[$t]}" -v n="$N" -v runs="$RUNS" -v b="$b" -v k="$k" -v pr="$PR" -v pk="$PK" -v c="$c" 'BEGIN {
			x = (pr == "") ? "n/a" : sprintf("%.2fx", n / b / pr)
			m = (pk == "") ? "n/a" : sprintf("%.3f", k / pk)
			printf "%-34s %11d %4d %8.2f %14.0f %12.1f %9s %10s  %s\n", l, n, runs, b, n / b, k / 1024, x, m, c
		}'
	done
} > "$out/truth-table.txt"

vers="$("$FSGT" -V 2>&1 | head -n 1)"
[ -n "$HAVE_PANDAS" ] && vers="$vers; $($PY -c 'import pandas, numpy, sklearn, platform; print("pandas %s, scikit-learn %s, numpy %s (Python %s)" % (pandas.__version__, sklearn.__version__, numpy.__version__, platform.python_version()))')"
echo
echo "date:        $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:     $(bench_machine)"
echo "tools:       $vers"
echo "binary:      $FSGT_ORIG (md5 $FSGT_MD5..., built $FSGT_MTIME)"
echo "predictions: $(basename "$PRED"), $N lines, $(awk -v b="$PBYTES" -v n="$N" 'BEGIN { printf "%.1f MB, %.1f bytes/line", b / 1e6, b / n }'), 60 days, sorted by ts"
echo "labels:      $(basename "$LAB"), $NLAB lines, $(awk -v b="$LBYTES" -v n="$NLAB" 'BEGIN { printf "%.1f MB, %.1f bytes/line", b / 1e6, b / n }'), sorted by label ts"
echo "drawn:       $(cat "$GENSTATS")"
echo
echo "fsgroundtruth benchmark: $N predictions, ${ARGS[*]}; one core each (${PIN[*]:-not pinned}), best of $RUNS runs"
echo
cat "$out/truth-table.txt"
echo
echo "  predictions/s: $N predictions over the whole process's wall time (labels read too); peak RSS: GNU time %M, the largest of the runs"
echo "  x pandas: predictions/s over pandas'; RSS/pandas: peak RSS over pandas' peak RSS"
echo "  windows vs pandas: roc_auc, precision and recall of every window within 1e-9 of pandas' (and the same windows)"
echo "  * pandas: whole process (interpreter start, read_json of both files, merge, per-window sklearn metrics, write);"
echo "    ${PHASES:-n/a}"
echo "  fsgroundtruth wrote $METRIC_LINES metrics records ($MATURE_LINES mature); with --emit joined $JOINED_LINES lines"
for v in $VARIANTS; do
	[ -n "${SUMMARY[$v]:-}" ] && echo "  ${LABEL[$v]}: ${SUMMARY[$v]#fsgroundtruth: }"
done
prev=""
for v in $VARIANTS; do
	[ -n "${CMP_DETAIL[$v]:-}" ] || continue
	if [ "${CMP_DETAIL[$v]}" = "$prev" ]; then
		echo "  ${LABEL[$v]} vs pandas: the same"
	else
		echo "  ${LABEL[$v]} vs pandas: ${CMP_DETAIL[$v]//$'\n'/$'\n'    }"
	fi
	prev=${CMP_DETAIL[$v]}
done
echo "  $JOINED_MSG"

if [ -n "$FAILED" ]; then
	echo
	echo "FAILED:$FAILED"
	exit 1
fi
exit 0
