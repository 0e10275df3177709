#!/bin/bash
# fsjoin throughput and memory benchmark; see tests/bench/README.md.
#
#   tests/bench/join.sh [N_SPINE]      (default 1000000 spine events)
#
# Joins a spine of N card-payment events (time-ordered, 1 % of users
# unknown) as of each event's time to right sides of 1M and 10M rows like
# fsfeat --emit rows (join_gen.py: 8 features, 100,000 users, 30 days, rows
# in random order, ~240 bytes a line). For each right side it times fsjoin
# twice, one core (taskset -c 0), best of BENCH_RUNS: with an empty spine
# (< /dev/null: loading and indexing the right side alone) and with the
# spine, whose output a reader on CPU 1 times from its first bytes to its
# end: the join phase, after the load. It prints spine events/s, peak
# RSS (GNU time %M) and the RSS per right row above fsjoin's RSS with a
# one-row right side. The peer is pandas.merge_asof (join_pandas.py: read_json
# lines, sort, merge_asof by user_id backward, to_json), whole process, on
# the 1M-row right side only. Before timing it checks that fsjoin writes one
# line per event and that, on 20,000 events sampled evenly from the spine,
# its joined values equal pandas' exactly.
#
# Environment: FSJOIN (binary, default ./fsjoin at the top of the tree),
# BENCH_SEED (42), BENCH_RUNS (3; 1 for right sides of 10M rows and more),
# BENCH_RIGHT ("1000000 10000000": the right-side sizes), BENCH_PANDAS_MAX
# (1000000: larger right sides are not given to pandas), BENCH_CHECK (1; 0
# skips the cross-check), BENCH_ZSTD (auto: right sides of 10M rows and more
# are kept zstd-compressed when less than 20 GB is free; 1: every side but
# the first, which the cross-check and pandas read; 0: none),
# BENCH_PERF (0; 1: perf record -e cpu-clock of loading the largest side,
# its top 5 symbols).
#
# Exits 0 whether fsjoin is fast or not; 1 only if a tool fails or the
# set-up does; 2 on a usage error.
set -u

N=${1:-1000000}
case $N in '' | *[!0-9]* | 0) echo "usage: $0 [N_SPINE]" >&2; exit 2 ;; esac
SEED=${BENCH_SEED:-42}
RIGHT=${BENCH_RIGHT:-1000000 10000000}
PANDAS_MAX=${BENCH_PANDAS_MAX:-1000000}
for r in $RIGHT; do
	case $r in *[!0-9]* | 0) echo "join.sh: BENCH_RIGHT must list positive numbers" >&2; exit 2 ;; esac
done
CHECK_N=20000
[ "$CHECK_N" -gt "$N" ] && CHECK_N=$N
PY=/usr/bin/python3

# here, top, out; die, have; bench_binary, bench_need_time, bench_pin, bench_machine
. "$(dirname "$0")/lib.sh" || exit 1
FSJOIN=${FSJOIN:-$top/fsjoin}

# Time a private copy (FSJOIN_ORIG, FSJOIN_MD5, FSJOIN_MTIME: the original).
bench_binary FSJOIN fsjoin
bench_need_time
$PY -c 'import numpy' 2>/dev/null || die "$PY has no numpy (apt-get install python3-numpy)"
HAVE_PANDAS=""
$PY -c 'import pandas' 2>/dev/null && HAVE_PANDAS=1

# One core each: fsjoin on CPU 0, the reader that times its output on CPU 1.
bench_pin

# ---- inputs, generated once and cached (the names change with join_gen.py) ----
gen_id=$(md5sum < "$here/join_gen.py" | cut -c1-8)
free_gb=$(df -P -BG "$out" | awk 'NR == 2 { sub("G", "", $4); print $4 }')
SPINE=$out/join-spine-$N-$SEED-$gen_id.ndjson
if [ ! -s "$SPINE" ]; then
	echo "generating $SPINE ..." >&2
	$PY "$here/join_gen.py" spine "$N" "$SEED" > "$SPINE.tmp" && mv "$SPINE.tmp" "$SPINE" \
		|| die "join_gen.py spine failed"
fi
[ "$(wc -l < "$SPINE")" -eq "$N" ] || die "$SPINE does not have $N lines"
declare -A RFILE=() RBYTES=() ZNOTE=() RUNS_OF=()
first=${RIGHT%% *}
for r in $RIGHT; do
	raw=$out/join-right-$r-$SEED-$gen_id.ndjson
	zst=$raw.zst
	if [ -s "$raw" ]; then
		RFILE[$r]=$raw
	elif [ -s "$zst" ]; then
		RFILE[$r]=$zst
	else
		# the first side stays plain: the cross-check and pandas read it
		z=${BENCH_ZSTD:-auto}
		if [ "$z" = auto ]; then
			z=0
			[ "$r" -ge 10000000 ] && [ "${free_gb:-0}" -lt 20 ] && z=1
		fi
		[ "$r" = "$first" ] && z=0
		echo "generating ${r} right rows$([ "$z" = 1 ] && echo ", zstd-compressed") ..." >&2
		if [ "$z" = 1 ]; then
			have zstd || die "zstd is needed to keep $zst (apt-get install zstd)"
			$PY "$here/join_gen.py" right "$r" "$SEED" | zstd -q -3 -T2 -o "$zst.tmp" \
				&& [ "${PIPESTATUS[0]}" -eq 0 ] && mv "$zst.tmp" "$zst" || die "join_gen.py right failed"
			RFILE[$r]=$zst
		else
			$PY "$here/join_gen.py" right "$r" "$SEED" > "$raw.tmp" && mv "$raw.tmp" "$raw" \
				|| die "join_gen.py right failed"
			RFILE[$r]=$raw
		fi
	fi
	if [ "${RFILE[$r]}" = "$zst" ]; then
		# its raw size, and what decompressing alone costs on one core
		t0=$(date +%s%N)
		RBYTES[$r]=$("${PIN[@]}" zstd -dc "$zst" | wc -c)
		t1=$(date +%s%N)
		ZNOTE[$r]="kept as .zst ($(awk -v b="$(stat -c %s "$zst")" 'BEGIN { printf "%.0f MB", b / 1e6 }')); fsjoin decompresses it itself (libarchive): zstd -dc alone takes $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }') s of that load"
	else
		RBYTES[$r]=$(stat -c %s "${RFILE[$r]}")
	fi
done
TINY=$out/join-right-1-$SEED-$gen_id.ndjson
if [ ! -s "$TINY" ]; then
	case ${RFILE[$first]} in
	*.zst) zstd -dc "${RFILE[$first]}" | head -n 1 > "$TINY" ;;
	*) head -n 1 "${RFILE[$first]}" > "$TINY" ;;
	esac
fi

# ---- timing ----
# measure NAME STDIN CMD...: best wall time of $RUNS runs, peak RSS (max over runs).
# Sets BEST_<NAME>, RSS_<NAME>; records failures in FAILED. With SPLIT=1 the
# output goes through a pipe to a reader on CPU 1 that notes when the first
# bytes come and when the pipe closes: fsjoin writes nothing before its right
# sides are loaded, then (fully buffered) one block every few hundred events,
# so that span is the join phase of the same run; sets JOIN_<NAME> (best).
FAILED=""
SPLIT=0
measure() {
	local name=$1 stdin=$2
	shift 2
	local best="" rss=0 jbest="" r t0 t1 secs kb rc j
	for ((r = 1; r <= RUNS; r++)); do
		t0=$(date +%s%N)
		if [ "$SPLIT" = 1 ]; then
			/usr/bin/time -f '%e %M' -o "$out/$name.time" "${PIN[@]}" "$@" < "$stdin" 2> "$out/$name.stderr" \
				| "${HPIN[@]}" bash -c 'head -c 1 > /dev/null; date +%s%N; cat > /dev/null; date +%s%N' > "$out/$name.marks"
			rc=${PIPESTATUS[0]}
		else
			/usr/bin/time -f '%e %M' -o "$out/$name.time" "${PIN[@]}" "$@" < "$stdin" > /dev/null 2> "$out/$name.stderr"
			rc=$?
		fi
		t1=$(date +%s%N)
		if [ $rc -ne 0 ]; then
			echo "join.sh: $name exited with status $rc; stderr in $out/$name.stderr" >&2
			FAILED="$FAILED $name"
			return
		fi
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		kb=$(awk 'END { print $NF }' "$out/$name.time")
		if [ -z "$best" ] || awk -v a="$best" -v b="$secs" 'BEGIN { exit !(b < a) }'; then
			best=$secs
			cp "$out/$name.stderr" "$out/$name.best.stderr"
		fi
		[ "$kb" -gt "$rss" ] && rss=$kb
		j=""
		if [ "$SPLIT" = 1 ]; then
			j=$(awk 'NR == 1 { a = $1 } NR == 2 { printf "%.3f", ($1 - a) / 1e9 }' "$out/$name.marks")
			if [ -n "$j" ] && { [ -z "$jbest" ] || awk -v a="$jbest" -v b="$j" 'BEGIN { exit !(b < a) }'; }; then
				jbest=$j
			fi
		fi
		echo "  $name run $r: ${secs}s, ${kb} KB${j:+, join phase ${j}s}" >&2
	done
	printf -v "BEST_$name" '%s' "$best"
	printf -v "RSS_$name" '%s' "$rss"
	printf -v "JOIN_$name" '%s' "$jbest"
}

echo "spine: $SPINE ($N events, $(stat -c %s "$SPINE") bytes)" >&2
for r in $RIGHT; do echo "right: ${RFILE[$r]} ($r rows, ${RBYTES[$r]} bytes raw NDJSON)" >&2; done
echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# fsjoin's own RSS: a one-row right side, an empty spine
RUNS=1
measure base /dev/null "$FSJOIN" --asof "$TINY" --key user_id
[ -n "${BEST_base:-}" ] || die "fsjoin fails on a one-row right side; see $out/base.stderr"

# ---- checks (untimed), on the smallest right side ----
"$FSJOIN" --asof "${RFILE[$first]}" --key user_id "$SPINE" 2> "$out/join-sanity.stderr" | wc -l > "$out/join-sanity.count"
rc=${PIPESTATUS[0]}
got=$(cat "$out/join-sanity.count")
[ "$rc" -eq 0 ] && [ "$got" -eq "$N" ] \
	|| die "fsjoin run failed: status $rc, $got of $N lines; see $out/join-sanity.stderr"
CHECK_MSG="cross-check skipped (BENCH_CHECK=0)"
if [ "${BENCH_CHECK:-1}" != 0 ]; then
	if [ -z "$HAVE_PANDAS" ]; then
		CHECK_MSG="cross-check skipped: $PY has no pandas (apt-get install python3-pandas)"
	else
		CHECK_MSG=""
		awk -v step=$((N / CHECK_N)) '(NR - 1) % step == 0' "$SPINE" | head -n "$CHECK_N" > "$out/join-check.ndjson"
		"$FSJOIN" --asof "${RFILE[$first]}" --key user_id "$out/join-check.ndjson" \
			> "$out/join-check.fsjoin.ndjson" 2> "$out/join-check.stderr" \
			&& CHECK_MSG=$($PY "$here/join_pandas.py" check "$out/join-check.ndjson" "${RFILE[$first]}" \
				"$out/join-check.fsjoin.ndjson" 2>> "$out/join-check.stderr") \
			|| { CHECK_MSG="cross-check FAILED: ${CHECK_MSG:-} (see $out/join-check.stderr)"; FAILED="$FAILED check"; }
		CHECK_MSG="$CHECK_MSG (every $((N / CHECK_N))th spine event, right side of $first rows)"
	fi
fi

for r in $RIGHT; do
	RUNS=${BENCH_RUNS:-3}
	[ "$r" -ge 10000000 ] && RUNS=1
	measure "load_$r" /dev/null "$FSJOIN" --asof "${RFILE[$r]}" --key user_id
	SPLIT=1
	measure "full_$r" "$SPINE" "$FSJOIN" --asof "${RFILE[$r]}" --key user_id
	SPLIT=0
	RUNS_OF[$r]=$RUNS
done
declare -A PANDAS_SKIP=()
for r in $RIGHT; do
	RUNS=${BENCH_RUNS:-3}
	[ "$r" -ge 10000000 ] && RUNS=1
	if [ -z "$HAVE_PANDAS" ]; then
		PANDAS_SKIP[$r]="not run: $PY has no pandas"
	elif [ "$r" -gt "$PANDAS_MAX" ]; then
		PANDAS_SKIP[$r]="not run (BENCH_PANDAS_MAX=$PANDAS_MAX)"
	elif [ "${RFILE[$r]}" != "${RFILE[$r]%.zst}" ]; then
		PANDAS_SKIP[$r]="not run: the right side is .zst"
	else
		measure "pandas_$r" /dev/null $PY "$here/join_pandas.py" join "$SPINE" "${RFILE[$r]}" /dev/null
	fi
done

PERF_TOP=""
if [ "${BENCH_PERF:-0}" != 0 ] && have perf; then
	last=${RIGHT##* }
	echo "  perf record of loading $last rows ..." >&2
	if "${PIN[@]}" perf record -q -e cpu-clock -o "$out/join-perf.data" -- "$FSJOIN" --asof "${RFILE[$last]}" \
		--key user_id < /dev/null > /dev/null 2> "$out/join-perf.stderr"; then
		PERF_TOP="by library: $(perf report -i "$out/join-perf.data" --stdio --no-children --sort dso 2> /dev/null \
			| awk '!/^#/ && NF >= 2 && $1 + 0 >= 1 { printf "%s%s %s", sep, $2, $1; sep = ", " }')"
		PERF_TOP="$PERF_TOP
$(perf report -i "$out/join-perf.data" --stdio --no-children --sort dso,symbol 2> /dev/null \
			| grep -v '^#' | grep -v '^$' | head -n 5 | sed 's/[[:space:]-]*$//')"
		rm -f "$out/join-perf.data.old"
	fi
fi

# ---- table ----
vers="$("$FSJOIN" -V 2>&1 | head -n 1)"
[ -n "$HAVE_PANDAS" ] && vers="$vers; $($PY -c 'import pandas, numpy, platform; print("pandas %s, numpy %s (Python %s)" % (pandas.__version__, numpy.__version__, platform.python_version()))')"
echo
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(bench_machine)"
echo "tools:   $vers"
echo "fsjoin:  $FSJOIN_ORIG (md5 $FSJOIN_MD5..., built $FSJOIN_MTIME)"
echo "spine:   $(basename "$SPINE"), $N events, $(awk -v b="$(stat -c %s "$SPINE")" -v n="$N" 'BEGIN { printf "%.1f MB, %.1f bytes/line", b / 1e6, b / n }'), time-ordered"
for r in $RIGHT; do
	echo "right:   $(basename "${RFILE[$r]}"), $r rows, $(awk -v b="${RBYTES[$r]}" -v n="$r" 'BEGIN { printf "%.1f MB raw NDJSON, %.1f bytes/line", b / 1e6, b / n }'), random order${ZNOTE[$r]:+; ${ZNOTE[$r]}}"
done
echo
echo "fsjoin benchmark: $N-event spine, as of each event's time by user_id; one core each (${PIN[*]:-not pinned}), best of the runs shown"
echo
{
	printf '%-19s %10s %4s %7s %7s %8s %11s %11s %12s %10s\n' tool "right rows" runs "load s" "join s" "total s" \
		"events/s*" "total ev/s" "peak RSS MB" "B/right row"
	for r in $RIGHT; do
		l=${RSS_base:-0}
		lb=$(eval echo "\${BEST_load_$r:-}") lk=$(eval echo "\${RSS_load_$r:-}")
		fb=$(eval echo "\${BEST_full_$r:-}") fk=$(eval echo "\${RSS_full_$r:-}")
		jb=$(eval echo "\${JOIN_full_$r:-}")
		if [ -z "$lb" ] || [ -z "$fb" ]; then
			printf '%-19s %10s %4s %s\n' fsjoin "$r" "${RUNS_OF[$r]}" FAILED
		else
			awk -v r="$r" -v runs="${RUNS_OF[$r]}" -v lb="$lb" -v fb="$fb" -v jb="$jb" -v lk="$lk" -v fk="$fk" -v base="$l" -v n="$N" 'BEGIN {
				j = (jb == "") ? fb - lb : jb
				printf "%-19s %10d %4d %7.2f %7.2f %8.2f %11s %11.0f %5.0f /%5.0f %10.0f\n", "fsjoin", r, runs, lb, j, fb,
					(j > 0 ? sprintf("%.0f", n / j) : "n/a"), n / fb, lk / 1024, fk / 1024, (lk - base) * 1024 / r
			}'
		fi
	done
	for r in $RIGHT; do
		if [ -n "${PANDAS_SKIP[$r]:-}" ]; then
			printf '%-19s %10s %4s %s\n' "pandas.merge_asof" "$r" - "${PANDAS_SKIP[$r]}"
			continue
		fi
		pb=$(eval echo "\${BEST_pandas_$r:-}") pk=$(eval echo "\${RSS_pandas_$r:-}")
		if [ -z "$pb" ]; then
			printf '%-19s %10s %4s %s\n' "pandas.merge_asof" "$r" "${RUNS_OF[$r]}" FAILED
		else
			awk -v r="$r" -v runs="${RUNS_OF[$r]}" -v pb="$pb" -v pk="$pk" -v n="$N" 'BEGIN {
				printf "%-19s %10d %4d %7s %7s %8.2f %11s %11.0f %12.0f %10s\n", "pandas.merge_asof", r, runs, "-", "-", pb,
					"-", n / pb, pk / 1024, "-"
			}'
		fi
	done
} > "$out/join-table.txt"
cat "$out/join-table.txt"
echo
echo "  load s: fsjoin with an empty spine (< /dev/null): reading, parsing and indexing the right side;"
echo "  join s: in the runs with the spine, from fsjoin's first output bytes to its end (timed by a reader on"
echo "  another core; writing to that pipe costs fsjoin a little more than /dev/null); events/s*: spine events"
echo "  per second of the join phase;"
echo "  total ev/s: spine events over the whole process; peak RSS: empty spine / with the spine;"
echo "  B/right row: (peak RSS with an empty spine - $((${RSS_base:-0} / 1024)) MB with a one-row right side) / rows."
for r in $RIGHT; do
	st=$(grep -o '[0-9]* events joined, [0-9]* without a matching earlier row' "$out/full_$r.best.stderr" 2>/dev/null)
	[ -n "$st" ] && echo "  fsjoin, $r right rows: $st"
	[ -n "$(eval echo "\${BEST_pandas_$r:-}")" ] && echo "  pandas, $r right rows: whole process (interpreter start and imports included); phases $(tail -n 1 "$out/pandas_$r.best.stderr");" \
		"it writes the features as top-level columns, 15 decimals (to_json)"
done
big=${RIGHT##* }
pk=$(eval echo "\${RSS_pandas_$first:-}")
if [ -n "$pk" ] && [ "$big" != "$first" ] && [ -n "${PANDAS_SKIP[$big]:-}" ]; then
	echo "  pandas skipped at $big rows: at $(awk -v k="$pk" 'BEGIN { printf "%.1f", k / 1048576 }') GB peak for $first rows it would need about" \
		"$(awk -v k="$pk" -v a="$first" -v b="$big" 'BEGIN { printf "%.0f", k / 1048576 * b / a }') GB"
fi
echo "  fsjoin wrote $N lines for $N events; $CHECK_MSG"
if [ -n "$PERF_TOP" ]; then
	echo
	echo "perf record -e cpu-clock, fsjoin loading $big rows (empty spine), self time; top 5 symbols:"
	echo "$PERF_TOP"
fi

if [ -n "$FAILED" ]; then
	echo
	echo "FAILED:$FAILED"
	exit 1
fi
exit 0
