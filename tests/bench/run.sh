#!/bin/bash
# fsfeat throughput benchmark; see tests/bench/README.md.
#
#   tests/bench/run.sh [N_EVENTS]        (default 1000000 events, 20000 keys)
#
# Environment: FSFEAT (binary, default ./fsfeat at the top of the tree),
# BENCH_KEYS (20000), BENCH_SEED (42), BENCH_RUNS (3), BENCH_LATENCY (1; 0 skips
# the trickle-latency measurement), BENCH_CHECK (1; 0 skips the pandas cross-check).
#
# Exits 0 whether or not the targets are met; 1 only if a tool fails (non-zero
# exit status) or the set-up does; 2 on a usage error.
set -u

N=${1:-1000000}
case $N in '' | *[!0-9]* | 0) echo "usage: $0 [N_EVENTS]" >&2; exit 2 ;; esac
KEYS=${BENCH_KEYS:-20000}
SEED=${BENCH_SEED:-42}
RUNS=${BENCH_RUNS:-3}
PY=/usr/bin/python3

# here, top, out; die, have; bench_binary, bench_need_time, bench_pin, bench_machine
. "$(dirname "$0")/lib.sh" || exit 1
FSFEAT=${FSFEAT:-$top/fsfeat}
SPEC=$here/spec8.json

# Time a private copy (FSFEAT_ORIG, FSFEAT_MD5, FSFEAT_MTIME: the original).
bench_binary FSFEAT fsfeat
bench_need_time
$PY -c 'import pandas' 2>/dev/null || die "$PY has no pandas (apt-get install python3-pandas)"

# One core each: pin to CPU 0 when taskset works; pin the latency harness to CPU 1.
bench_pin

# ---- input, generated once and cached (the name changes with gen.py) ----
gen_id=$(md5sum < "$here/gen.py" | cut -c1-8)
gen() {  # gen N KEYS SEED -> prints the cached file's path
	local f=$out/events-$1-$2-$3-$gen_id.ndjson
	if [ ! -s "$f" ]; then
		echo "generating $f ..." >&2
		$PY "$here/gen.py" "$1" "$2" "$3" > "$f.tmp" && mv "$f.tmp" "$f" || die "gen.py failed"
	fi
	echo "$f"
}
INPUT=$(gen "$N" "$KEYS" "$SEED") || exit 1
BYTES=$(stat -c %s "$INPUT")
LINES=$(wc -l < "$INPUT")
[ "$LINES" -eq "$N" ] || die "$INPUT has $LINES lines, expected $N"

# ---- parse-only baseline ----
pkg-config --exists jansson || die "pkg-config cannot find jansson (apt-get install libjansson-dev)"
# shellcheck disable=SC2046
cc -O2 -o "$out/parse_only" "$here/parse_only.c" $(pkg-config --cflags --libs jansson) \
	|| die "cannot compile parse_only.c"

# ---- sanity checks (untimed) ----
head -n 1000 "$INPUT" | "$FSFEAT" --spec "$SPEC" > "$out/sanity.ndjson" 2> "$out/sanity.stderr"
rc=$?
nfeat=$(grep -c '"features":{' "$out/sanity.ndjson")
[ $rc -eq 0 ] && [ "$nfeat" -eq 1000 ] \
	|| die "fsfeat sanity run failed: status $rc, $nfeat of 1000 lines with features; see $out/sanity.stderr"
CHECK_MSG="cross-check skipped (BENCH_CHECK=0)"
if [ "${BENCH_CHECK:-1}" != 0 ]; then
	CHECK_MSG=""
	small=$(gen 20000 2000 7) || exit 1
	"$FSFEAT" --spec "$SPEC" --emit rows < "$small" > "$out/check.fsfeat.ndjson" 2> "$out/check.stderr" \
		&& $PY "$here/features_pandas.py" "$small" "$out/check.pandas.ndjson" 2>> "$out/check.stderr" \
		&& CHECK_MSG=$($PY "$here/compare.py" "$out/check.fsfeat.ndjson" "$out/check.pandas.ndjson") \
		|| CHECK_MSG="cross-check FAILED: ${CHECK_MSG:-} (see $out/check.stderr)"
fi

# ---- timing ----
# measure NAME STDIN(yes|no) CMD...: best wall time of $RUNS runs, peak RSS (max over runs).
# Sets BEST_<NAME>, RSS_<NAME>; records failures in FAILED.
FAILED=""
measure() {
	local name=$1 stdin=$2
	shift 2
	local best="" rss=0 r t0 t1 secs kb rc
	for ((r = 1; r <= RUNS; r++)); do
		t0=$(date +%s%N)
		if [ "$stdin" = yes ]; then
			/usr/bin/time -f '%e %M' -o "$out/$name.time" "${PIN[@]}" "$@" < "$INPUT" > /dev/null 2> "$out/$name.stderr"
		else
			/usr/bin/time -f '%e %M' -o "$out/$name.time" "${PIN[@]}" "$@" < /dev/null > /dev/null 2> "$out/$name.stderr"
		fi
		rc=$?
		t1=$(date +%s%N)
		if [ $rc -ne 0 ]; then
			echo "run.sh: $name exited with status $rc; stderr in $out/$name.stderr" >&2
			FAILED="$FAILED $name"
			return
		fi
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		kb=$(awk 'END { print $NF }' "$out/$name.time")
		[ -z "$best" ] && best=$secs
		best=$(awk -v a="$best" -v b="$secs" 'BEGIN { print (b < a ? b : a) }')
		[ "$kb" -gt "$rss" ] && rss=$kb
		echo "  $name run $r: ${secs}s, ${kb} KB" >&2
	done
	printf -v "BEST_$name" '%s' "$best"
	printf -v "RSS_$name" '%s' "$rss"
}

echo "input: $INPUT ($N events, $KEYS keys, $BYTES bytes, $(awk -v b="$BYTES" -v n="$N" 'BEGIN{printf "%.1f", b/n}') bytes/line)" >&2
echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
TOOLS="fsfeat parse_only jq mlr pandas"
declare -A LABEL=(
	[fsfeat]="fsfeat (8 features)"
	[parse_only]="jansson parse-only loop"
	[jq]="jq -c ."
	[mlr]="mlr step shift,delta,ewma"
	[pandas]="pandas 8 features (batch)*"
)
declare -A MISSING=()
measure fsfeat yes "$FSFEAT" --spec "$SPEC"
measure parse_only yes "$out/parse_only"
if have jq; then measure jq yes jq -c .; else MISSING[jq]=1; fi
if have mlr; then
	measure mlr yes mlr --ijsonl --ojsonl step -a shift,delta,ewma -d 0.1 -f amount -g user_id
else MISSING[mlr]=1; fi
measure pandas no $PY "$here/features_pandas.py" "$INPUT" /dev/null
PHASES=$(grep -o 'read=.*' "$out/pandas.stderr" 2>/dev/null)

# ---- trickle latency (one event at a time through a pipe) ----
declare -A P50=() P99=()
LAT_FLOOR=""
if [ "${BENCH_LATENCY:-1}" != 0 ]; then
	lat() {  # lat NAME CMD...
		local name=$1 v
		shift
		if v=$("${HPIN[@]}" $PY "$here/latency.py" "$INPUT" 20000 "${PIN[@]}" "$@" 2> "$out/$name.latency.stderr"); then
			P50[$name]=${v% *} P99[$name]=${v#* }
		else
			echo "run.sh: latency run of $name failed; see $out/$name.latency.stderr" >&2
		fi
	}
	echo "  trickle latency (20000 events) ..." >&2
	lat fsfeat "$FSFEAT" --spec "$SPEC"
	have jq && lat jq jq -c --unbuffered .
	lat cat cat
	[ -n "${P50[cat]:-}" ] && LAT_FLOOR="${P50[cat]} us p50 / ${P99[cat]} us p99"
fi

# ---- table ----
F=${BEST_fsfeat:-}
{
	printf '%-28s %8s %12s %8s %10s %12s %9s %9s\n' tool "best s" "events/s" "MB/s" "peak RSS MB" "fsfeat/tool" "p50 us" "p99 us"
	for t in $TOOLS; do
		b=$(eval echo "\${BEST_$t:-}")
		m=$(eval echo "\${RSS_$t:-}")
		p50=${P50[$t]:-n/a} p99=${P99[$t]:-n/a}
		if [ -n "${MISSING[$t]:-}" ]; then
			printf '%-28s %8s\n' "${LABEL[$t]}" "not installed"
		elif [ -z "$b" ]; then
			printf '%-28s %8s\n' "${LABEL[$t]}" "FAILED"
		else
			awk -v l="${LABEL[$t]}" -v b="$b" -v m="$m" -v n="$N" -v by="$BYTES" -v f="$F" \
				-v p50="$p50" -v p99="$p99" 'BEGIN {
				r = (f == "") ? "n/a" : sprintf("%.2fx", b / f)
				printf "%-28s %8.2f %12.0f %8.1f %10.1f %12s %9s %9s\n", l, b, n / b, by / b / 1e6, m / 1024, r, p50, p99
			}'
		fi
	done
} > "$out/table.txt"

vers="$("$FSFEAT" -V 2>&1 | head -n 1); jansson $(pkg-config --modversion jansson)"
have jq && vers="$vers; $(jq --version 2>&1)"
have mlr && vers="$vers; $(mlr --version 2>&1)"
vers="$vers; pandas $($PY -c 'import pandas; print(pandas.__version__)') (Python $($PY -c 'import platform; print(platform.python_version())'))"
echo
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(bench_machine)"
echo "tools:   $vers"
echo "fsfeat:  $FSFEAT_ORIG (md5 $FSFEAT_MD5..., built $FSFEAT_MTIME)"
echo "input:   $(basename "$INPUT"), $(awk -v b="$BYTES" -v n="$N" 'BEGIN{printf "%.1f", b/n}') bytes/line"
echo
echo "fsfeat benchmark: $N events, $KEYS keys, $(awk -v b="$BYTES" 'BEGIN{printf "%.1f MB", b/1e6}') NDJSON; best of $RUNS runs, one core each (${PIN[*]:-not pinned})"
echo
cat "$out/table.txt"
echo
echo "* pandas: whole process (interpreter start, read_json, compute, to_json to /dev/null); phases of its last run: ${PHASES:-n/a}"
echo "  p50/p99: trickle round trip, one event at a time through a pipe${LAT_FLOOR:+; floor of the method (cat): $LAT_FLOOR}; n/a = not measured (batch tools)"
echo "  $CHECK_MSG"

target() {  # target TEXT VALUE THRESHOLD
	if [ -z "$2" ]; then
		printf '%-36s %s\n' "$1" "n/a"
	else
		awk -v t="$1" -v v="$2" -v th="$3" 'BEGIN {
			printf "%-36s %s (%s)\n", t, (v >= th ? "PASS" : "MISS"), v }'
	fi
}
echo
echo "targets (informational):"
if [ -n "$F" ]; then
	target "fsfeat >= 300k events/s" "$(awk -v n="$N" -v f="$F" 'BEGIN{printf "%.0f", n / f}')" 300000
	[ -n "${BEST_jq:-}" ] && target "fsfeat >= 1.5x jq" "$(awk -v a="$BEST_jq" -v f="$F" 'BEGIN{printf "%.2f", a / f}')" 1.5 \
		|| target "fsfeat >= 1.5x jq" ""
	[ -n "${BEST_parse_only:-}" ] && target "fsfeat >= 0.6x jansson parse-only" "$(awk -v a="$BEST_parse_only" -v f="$F" 'BEGIN{printf "%.2f", a / f}')" 0.6 \
		|| target "fsfeat >= 0.6x jansson parse-only" ""
else
	echo "n/a (fsfeat failed)"
fi

# Anything fsfeat said on stderr while timed (it should say nothing on this input).
if [ -s "$out/fsfeat.stderr" ]; then
	echo
	echo "note: fsfeat wrote $(wc -l < "$out/fsfeat.stderr") line(s) to stderr, first: $(head -n 1 "$out/fsfeat.stderr")"
fi
if [ -s "$out/sanity.stderr" ]; then
	echo "note: fsfeat wrote to stderr in the sanity run: $(head -n 1 "$out/sanity.stderr")"
fi

if [ -n "$FAILED" ]; then
	echo
	echo "FAILED:$FAILED"
	exit 1
fi
exit 0
