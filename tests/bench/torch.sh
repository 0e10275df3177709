#!/bin/bash
# fsscore with a TorchScript model against PyTorch in Python (issue 13); see
# tests/bench/README.md.
#
#   tests/bench/torch.sh [N_EVENTS]      (default 200000; or N=50000 tests/bench/torch.sh)
#
# Scores N synthetic NDJSON events (torch_gen.py, seeded: 25 numeric features
# under "features", none missing) with a TorchScript MLP (torch_gen.py: 25 ->
# 64 -> 32 -> 1, ReLU, sigmoid, torch.jit.script, trained briefly from a
# fixed seed; its sidecar mlp.pt.json names the features), one core each:
#
#   fsscore --model mlp.pt                   one event a forward pass
#   fsscore --model mlp.pt --batch 64        64 events a forward pass
#   PyTorch one at a time (torch_python.py one): json.loads, torch.tensor of
#       one row, model(x) under torch.inference_mode(), json.dumps, write;
#       torch.set_num_threads(1); timed on the first BENCH_ONE_N events, its
#       loop only
#   PyTorch whole-file batch (torch_python.py batch): read, json.loads every
#       line, one float32 matrix, the model on chunks of 4096 rows, write; the
#       whole process
#
# best of BENCH_RUNS runs each: events/s, peak RSS (GNU time), the ratio to
# PyTorch one at a time; then the latency at a fixed moderate rate
# (latency.py --rate: one event line at a time written to the scorer's stdin
# at BENCH_RATE events/s, each timed to its output line) of fsscore --batch 1,
# fsscore --batch 64 --batch-wait 0 (a partial batch is scored as soon as the
# input pauses) and PyTorch one at a time, cat as the floor; the rows take
# turns in BENCH_LAT_ROUNDS rounds whose samples are pooled.
#
# Before timing (BENCH_CHECK=1) it checks that fsscore --check reads the model,
# that fsscore writes one line per event, that on the first 20,000 events the
# scores of fsscore --batch 1 and --batch 64 equal PyTorch's within 1e-5 (PyTorch
# run in passes of the same number of rows, the last padded), and that a live
# trickle (bursts of 1-100 lines with pauses, torch_python.py trickle) gives
# the same bytes as a replay of the file, for --batch 1 and --batch 64.
#
# Pinning (2 cores): each scorer runs on CPU 0 (taskset -c 0); the latency
# harness on CPU 1.
#
# Environment: N (the size when no argument is given), FSSCORE (binary,
# default ./fsscore at the top of the tree), BENCH_SEED (42), BENCH_RUNS (3),
# BENCH_ONE_N (50000: the events PyTorch one at a time is timed on, a prefix
# of the input), BENCH_BATCH (64), BENCH_CHUNK (4096: the rows of a forward
# pass of PyTorch's whole-file batch), BENCH_RATE (1000 events/s),
# BENCH_LAT_N (10000 timed events a latency row), BENCH_LAT_ROUNDS (4),
# BENCH_LAT_SKIP (1000: events of each latency run not counted, beyond
# latency.py's own 1000 of warm-up: a Python scorer needs about a second to
# import torch, and the events written meanwhile wait for it),
# BENCH_LATENCY (1; 0 skips the latency rows), BENCH_CHECK (1; 0 skips the
# checks). FSTOOLS_TORCH_MODULE is fsscore's own (its libtorch module); unset,
# the module beside FSSCORE in .libs/ (a build tree) is used. Like the binary,
# the module is timed from a copy in tests/bench/out, so a rebuild during the
# run cannot mix two builds.
#
# About 2.5 minutes on 2 cores with the defaults (+10 s the first time, to
# generate). Exits 0 whatever the figures are; 1 if a tool fails (a non-zero
# exit, a wrong line count) or a check finds a difference, or the set-up
# fails (among others: an fsscore built without libtorch); 2 on a usage error.

# The script needs bash; `sh tests/bench/torch.sh` lands here too.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u

N=${1:-${N:-200000}}
case $N in '' | *[!0-9]* | 0) echo "usage: $0 [N_EVENTS]" >&2; exit 2 ;; esac
SEED=${BENCH_SEED:-42}
RUNS=${BENCH_RUNS:-3}
ONE_N=${BENCH_ONE_N:-50000}
BATCH=${BENCH_BATCH:-64}
CHUNK=${BENCH_CHUNK:-4096}
RATE=${BENCH_RATE:-1000}
LAT_N=${BENCH_LAT_N:-10000}
LAT_ROUNDS=${BENCH_LAT_ROUNDS:-4}
LAT_SKIP=${BENCH_LAT_SKIP:-1000}
for v in RUNS ONE_N BATCH CHUNK RATE LAT_N LAT_ROUNDS; do
	case ${!v} in '' | *[!0-9]* | 0) echo "torch.sh: BENCH_$v must be a positive number" >&2; exit 2 ;; esac
done
case $LAT_SKIP in '' | *[!0-9]*) echo "torch.sh: BENCH_LAT_SKIP must be a number" >&2; exit 2 ;; esac
case $SEED in '' | *[!0-9]*) echo "torch.sh: BENCH_SEED must be a number" >&2; exit 2 ;; esac
[ "$ONE_N" -gt "$N" ] && ONE_N=$N
CHECK_N=20000
[ "$CHECK_N" -gt "$N" ] && CHECK_N=$N
TRICKLE_N=5000
[ "$TRICKLE_N" -gt "$N" ] && TRICKLE_N=$N
PY=/usr/bin/python3

# here, top, out; die, have; bench_binary, bench_need_time, bench_pin, bench_machine
. "$(dirname "$0")/lib.sh" || exit 1
FSSCORE=${FSSCORE:-$top/fsscore}

# Time a private copy (FSSCORE_ORIG, FSSCORE_MD5, FSSCORE_MTIME: the original).
bench_binary FSSCORE fsscore
# fsscore opens libtorch through its module fstools-torch.so, which it looks for beside
# itself in .libs/ (a build tree), else where it is installed, or at FSTOOLS_TORCH_MODULE:
# the copy being timed is given a copy of the module it would have opened
MODULE=${FSTOOLS_TORCH_MODULE:-}
[ -z "$MODULE" ] && [ -f "$(dirname "$FSSCORE_ORIG")/.libs/fstools-torch.so" ] \
	&& MODULE=$(dirname "$FSSCORE_ORIG")/.libs/fstools-torch.so
MODULE_DESC="installed (not in a build tree beside it; FSTOOLS_TORCH_MODULE unset)"
if [ -n "$MODULE" ]; then
	[ -f "$MODULE" ] || die "no TorchScript module at $MODULE (FSTOOLS_TORCH_MODULE)"
	MODULE_DESC="$MODULE (md5 $(md5sum < "$MODULE" | cut -c1-12)..., built $(date -u -r "$MODULE" '+%Y-%m-%d %H:%M:%S UTC'))"
	cp "$MODULE" "$out/fstools-torch.so.bench" || die "cannot copy $MODULE"
	export FSTOOLS_TORCH_MODULE=$out/fstools-torch.so.bench
fi
bench_need_time
$PY -c 'import torch, numpy' 2>/dev/null \
	|| die "$PY has no torch or numpy (apt-get install python3-torch python3-numpy)"

# One core each: the scorers on CPU 0, the latency harness on CPU 1.
bench_pin
CLK_TCK=$(getconf CLK_TCK)

# each latency run takes LAT_N / LAT_ROUNDS + LAT_SKIP + 1000 events from the input
PER=$(((LAT_N + LAT_ROUNDS - 1) / LAT_ROUNDS))
if [ "${BENCH_LATENCY:-1}" != 0 ] && [ "$N" -lt $((PER + LAT_SKIP + 1000)) ]; then
	die "BENCH_LAT_N=$LAT_N in $LAT_ROUNDS rounds needs at least $((PER + LAT_SKIP + 1000)) events"
fi

# ---- input and model, generated once and cached (the names change with torch_gen.py) ----
GEN_ID=$(md5sum < "$here/torch_gen.py" | cut -c1-8)
INPUT=$out/torch-events-$N-$SEED-$GEN_ID.ndjson
MDIR=$out/torch-model-$SEED-$GEN_ID
MODEL=$MDIR/mlp.pt
if [ ! -s "$INPUT" ]; then
	echo "generating $INPUT ..." >&2
	$PY "$here/torch_gen.py" events "$N" "$SEED" > "$INPUT.tmp" && mv "$INPUT.tmp" "$INPUT" \
		|| die "torch_gen.py events failed"
fi
if [ ! -s "$MODEL" ] || [ ! -s "$MODEL.json" ]; then
	echo "training $MODEL ..." >&2
	# saved under its final name (the name is inside the zip), in a directory renamed at the end
	rm -rf "$MDIR.tmp" && mkdir "$MDIR.tmp" \
		&& $PY "$here/torch_gen.py" model "$SEED" "$MDIR.tmp/mlp.pt" \
		&& rm -rf "$MDIR" && mv "$MDIR.tmp" "$MDIR" \
		|| die "torch_gen.py model failed"
fi
BYTES=$(stat -c %s "$INPUT")
LINES=$(wc -l < "$INPUT")
[ "$LINES" -eq "$N" ] || die "$INPUT has $LINES lines, expected $N"
PREFIX=$out/torch-prefix.ndjson
head -n "$ONE_N" "$INPUT" > "$PREFIX" || die "cannot write $PREFIX"

# ---- checks (untimed) ----
FAILED=""
fail() { echo "torch.sh: $*" >&2; FAILED="$FAILED $1"; }
"$FSSCORE" --model "$MODEL" --check > "$out/torch-check-model.json" 2> "$out/torch-check-model.stderr" \
	|| die "fsscore --model $MODEL --check failed: $(head -n 3 "$out/torch-check-model.stderr")"
# the model's id, kind, outputs and features as fsscore says them
read -r MODEL_ID KIND OUTPUTS CHECK_FEATURES < <($PY -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(m.get("model", "?"), m.get("kind", "?").replace(" ", "_"), m.get("outputs", "?"),
      ",".join(m.get("features") or []) or "?")' "$out/torch-check-model.json") \
	|| die "cannot read $out/torch-check-model.json: $(head -c 300 "$out/torch-check-model.json")"
KIND=${KIND//_/ }
FEATURES=$($PY -c 'import json, sys; print(",".join(json.load(open(sys.argv[1]))["features"]))' "$MODEL.json")
# what the spec says --check prints; a difference is noted, not fatal
SPEC_NOTES=()
[ "$KIND" = "torchscript, 25 features, 1 output" ] \
	|| SPEC_NOTES+=("fsscore --check: kind \"$KIND\", expected \"torchscript, 25 features, 1 output\"")
[ "$OUTPUTS" = 1 ] || SPEC_NOTES+=("fsscore --check: outputs $OUTPUTS, expected 1")
[ "$CHECK_FEATURES" = "$FEATURES" ] || SPEC_NOTES+=("fsscore --check: features $CHECK_FEATURES, expected the sidecar's $FEATURES")
case $MODEL_ID in mlp.pt@?*) ;; *) SPEC_NOTES+=("fsscore --check: model \"$MODEL_ID\", expected \"mlp.pt@<hash>\"") ;; esac

"$FSSCORE" --model "$MODEL" < "$INPUT" 2> "$out/torch-sanity.stderr" | wc -l > "$out/torch-sanity.count"
rc=${PIPESTATUS[0]}
got=$(cat "$out/torch-sanity.count")
[ "$rc" -eq 0 ] && [ "$got" -eq "$N" ] \
	|| die "fsscore --model $MODEL failed: status $rc, $got of $N lines; see $out/torch-sanity.stderr"
"$FSSCORE" --model "$MODEL" --batch "$BATCH" < "$PREFIX" 2> "$out/torch-sanity.stderr" | wc -l > "$out/torch-sanity.count"
rc=${PIPESTATUS[0]}
got=$(cat "$out/torch-sanity.count")
[ "$rc" -eq 0 ] && [ "$got" -eq "$ONE_N" ] \
	|| die "fsscore --model $MODEL --batch $BATCH failed: status $rc, $got of $ONE_N lines; see $out/torch-sanity.stderr"

declare -A CHECKED=()
if [ "${BENCH_CHECK:-1}" != 0 ]; then
	head -n "$CHECK_N" "$INPUT" > "$out/torch-check.ndjson"
	head -n "$TRICKLE_N" "$INPUT" > "$out/torch-trickle.ndjson"
	for b in 1 "$BATCH"; do
		# the scores against PyTorch's, in passes of the same number of rows
		if ! "$FSSCORE" --model "$MODEL" --batch "$b" < "$out/torch-check.ndjson" > "$out/torch-check.b$b.ndjson" 2> "$out/torch-check.b$b.stderr"; then
			fail check_b$b "fsscore --batch $b on $CHECK_N events failed: $(head -n 2 "$out/torch-check.b$b.stderr")"
		elif ! CHECKED[b$b]=$($PY "$here/torch_python.py" check "$MODEL" "$out/torch-check.ndjson" \
			"$out/torch-check.b$b.ndjson" --batch "$b" --id "$MODEL_ID" 2>> "$out/torch-check.b$b.stderr"); then
			fail check_b$b "--batch $b: ${CHECKED[b$b]:-the check failed, see $out/torch-check.b$b.stderr}"
		fi
		# a live trickle gives the bytes of a replay (the spec: every pass has exactly --batch rows)
		"${PIN[@]}" "$FSSCORE" --model "$MODEL" --batch "$b" < "$out/torch-trickle.ndjson" > "$out/torch-replay.b$b.ndjson" 2> "$out/torch-trickle.b$b.stderr"
		"${HPIN[@]}" $PY "$here/torch_python.py" trickle "$out/torch-trickle.ndjson" "$SEED" "${PIN[@]}" "$FSSCORE" --model "$MODEL" --batch "$b" \
			> "$out/torch-trickle.b$b.ndjson" 2>> "$out/torch-trickle.b$b.stderr"
		rc=$?
		if [ $rc -ne 0 ]; then
			fail trickle_b$b "the trickle through fsscore --batch $b ended with status $rc: $(head -n 2 "$out/torch-trickle.b$b.stderr")"
		elif cmp -s "$out/torch-replay.b$b.ndjson" "$out/torch-trickle.b$b.ndjson"; then
			CHECKED[t$b]="a live trickle of $TRICKLE_N events (bursts of 1-100, 1-4 ms pauses) wrote the replay's bytes"
		else
			CHECKED[t$b]="a live trickle of $TRICKLE_N events DIFFERS from the replay: $(cmp "$out/torch-replay.b$b.ndjson" "$out/torch-trickle.b$b.ndjson" 2>&1 | head -n 1)"
			fail trickle_b$b "--batch $b: ${CHECKED[t$b]}"
			SPEC_NOTES+=("--batch $b: ${CHECKED[t$b]} (the spec: byte-identical)")
		fi
	done
fi

# ---- timing ----
# measure NAME COUNT STDIN CMD...: best wall time of RUNS runs (or the loop time
# the tool reports as loop_s=), peak RSS (max over runs), CPU 0's busy time
# that was not the tool's. Sets BEST[NAME], RSS[NAME], OTHER[NAME], COUNT[NAME].
declare -A BEST=() RSS=() OTHER=() COUNT=() P50=() P99=() PMAX=() LATBAD=()
cpu0_busy() {  # CPU 0's busy ticks so far (user nice system irq softirq steal), or 0
	awk '$1 == "cpu0" { print $2 + $3 + $4 + $7 + $8 + $9; found = 1 } END { if (!found) print 0 }' /proc/stat
}
measure() {
	local name=$1 count=$2 stdin=$3
	shift 3
	local best="" rss=0 r t0 t1 secs kb rc loop b0 b1 other
	for ((r = 1; r <= RUNS; r++)); do
		b0=$(cpu0_busy)
		t0=$(date +%s%N)
		/usr/bin/time -f '%e %U %S %M' -o "$out/torch-$name.time" "${PIN[@]}" "$@" < "$stdin" > /dev/null 2> "$out/torch-$name.stderr"
		rc=$?
		t1=$(date +%s%N)
		b1=$(cpu0_busy)
		if [ $rc -ne 0 ]; then
			fail "$name" "$name exited with status $rc; stderr in $out/torch-$name.stderr"
			return
		fi
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		kb=$(awk 'END { print $NF }' "$out/torch-$name.time")
		# A tool that reports its own loop time (the one-at-a-time path) is timed by it.
		loop=$(sed -n 's/.*loop_s=\([0-9.]*\).*/\1/p' "$out/torch-$name.stderr")
		[ -n "$loop" ] && secs=$loop
		other=$(awk -v a="$b0" -v b="$b1" -v hz="$CLK_TCK" 'END { o = (b - a) / hz - $2 - $3; printf "%.2f", o < 0 ? 0 : o }' "$out/torch-$name.time")
		if [ -z "$best" ] || awk -v a="$best" -v b="$secs" 'BEGIN { exit !(b < a) }'; then
			best=$secs
			OTHER[$name]=$other
			cp "$out/torch-$name.stderr" "$out/torch-$name.best.stderr"
		fi
		[ "$kb" -gt "$rss" ] && rss=$kb
		echo "  $name run $r: ${secs}s, ${kb} KB, other work on CPU 0 ${other}s" >&2
	done
	BEST[$name]=$best
	RSS[$name]=$rss
	COUNT[$name]=$count
}

echo "input: $INPUT ($N events, $BYTES bytes)" >&2
echo "model: $MODEL ($KIND)" >&2
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average before timing: $LOAD0" >&2
measure fs_b1 "$N" "$INPUT" "$FSSCORE" --model "$MODEL"
measure fs_bb "$N" "$INPUT" "$FSSCORE" --model "$MODEL" --batch "$BATCH"
measure py_one "$ONE_N" /dev/null $PY "$here/torch_python.py" one "$MODEL" "$PREFIX" /dev/null --id "$MODEL_ID"
measure py_batch "$N" /dev/null $PY "$here/torch_python.py" batch "$MODEL" "$INPUT" /dev/null --chunk "$CHUNK" --id "$MODEL_ID"
# fsscore's start-up (libtorch's, mostly), included in its rows: the model on no input
START=""
for ((r = 1; r <= RUNS; r++)); do
	t0=$(date +%s%N)
	"${PIN[@]}" "$FSSCORE" --model "$MODEL" < /dev/null > /dev/null 2>&1 || { fail start "fsscore on no input failed"; break; }
	t1=$(date +%s%N)
	START=$(awk -v a="$t0" -v b="$t1" -v s="$START" 'BEGIN { t = (b - a) / 1e9; printf "%.3f", (s == "" || t < s) ? t : s }')
done
echo "  fsscore start-up (no input): best ${START:-?}s" >&2
ONE_STATS=$(cat "$out/torch-py_one.best.stderr" 2>/dev/null)
ONE_DONE=$(sed -n 's/.*events=\([0-9]*\) .*/\1/p' <<< "$ONE_STATS")
if [ -n "${BEST[py_one]:-}" ] && [ "${ONE_DONE:-0}" -ne "$ONE_N" ]; then
	fail py_one "PyTorch one at a time scored ${ONE_DONE:-?} of $ONE_N events"
	unset 'BEST[py_one]'
fi
ONE_P50=$(sed -n 's/.*p50_us=\([0-9.]*\).*/\1/p' <<< "$ONE_STATS")
ONE_P99=$(sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p' <<< "$ONE_STATS")
PHASES=$(grep -o 'read=.*' "$out/torch-py_batch.best.stderr" 2>/dev/null)

# ---- latency at a fixed rate: every row in turn, LAT_ROUNDS rounds, pooled ----
LAT_ROWS="fs_b1 fs_bb py_one cat"
if [ "${BENCH_LATENCY:-1}" != 0 ]; then
	for r in $LAT_ROWS; do rm -f "$out/torch-$r.samples"; done
	for ((k = 1; k <= LAT_ROUNDS; k++)); do
		echo "latency, round $k of $LAT_ROUNDS: $PER events a row at $RATE/s ..." >&2
		for r in $LAT_ROWS; do
			[ -n "${LATBAD[$r]:-}" ] && continue
			case $r in
			fs_b1) CMD=("$FSSCORE" --model "$MODEL") ;;
			fs_bb) CMD=("$FSSCORE" --model "$MODEL" --batch "$BATCH" --batch-wait 0) ;;
			py_one) CMD=("$PY" "$here/torch_python.py" one "$MODEL" - --flush --id "$MODEL_ID") ;;
			cat) CMD=(cat) ;;
			esac
			rm -f "$out/torch-$r.run.samples"
			if v=$("${HPIN[@]}" $PY "$here/latency.py" --rate "$RATE" --samples "$out/torch-$r.run.samples" "$INPUT" \
				$((PER + LAT_SKIP)) "${PIN[@]}" "${CMD[@]}" 2> "$out/torch-$r.latency.stderr"); then
				# latency.py counts from its 1001st event; the next LAT_SKIP are not counted either
				tail -n +$((LAT_SKIP + 1)) "$out/torch-$r.run.samples" >> "$out/torch-$r.samples"
				echo "  $r: $(tail -n +$((LAT_SKIP + 1)) "$out/torch-$r.run.samples" | sort -n | awk '{ a[NR] = $1 }
					END { printf "p50 %.0f us, p99 %.0f us, max %.0f us", a[int(0.5 * NR) + 1], a[int(0.99 * NR) + 1], a[NR] }')" \
					"(the rate achieved: ${v##* }/s)" >&2
			else
				fail "lat_$r" "latency run of $r failed: $(tail -n 2 "$out/torch-$r.latency.stderr")"
				LATBAD[$r]=1
			fi
		done
	done
	for r in $LAT_ROWS; do
		[ -z "${LATBAD[$r]:-}" ] && [ -s "$out/torch-$r.samples" ] || continue
		read -r P50[$r] P99[$r] PMAX[$r] < <(sort -n "$out/torch-$r.samples" | awk '{ a[NR] = $1 }
			function q(f,  i) { i = int(f * NR) + 1; return a[i > NR ? NR : i] }
			END { printf "%.0f %.0f %.0f\n", q(0.5), q(0.99), a[NR] }')
	done
fi

# ---- table ----
ROWS="fs_b1 fs_bb py_one py_batch cat"
declare -A LABEL=(
	[fs_b1]="fsscore --model mlp.pt"
	[fs_bb]="fsscore --model mlp.pt --batch $BATCH"
	[py_one]="PyTorch one at a time*"
	[py_batch]="PyTorch whole-file batch*"
	[cat]="cat (the latency floor)"
)
rate() {  # rate NAME: events/s of a row, empty if it did not run
	[ -n "${BEST[$1]:-}" ] && awk -v n="${COUNT[$1]}" -v b="${BEST[$1]}" 'BEGIN { printf "%.0f", n / b }'
}
PY1=$(rate py_one)
{
	printf '%-34s %7s %7s %9s %6s %7s %7s %8s %7s %7s %8s\n' tool events "best s" events/s MB/s "other s" "RSS MB" "x py one" "p50 us" "p99 us" "max us"
	for t in $ROWS; do
		[ -n "${BEST[$t]:-}${P50[$t]:-}" ] || { [ "$t" = cat ] || printf '%-34s %s\n' "${LABEL[$t]}" FAILED; continue; }
		awk -v l="${LABEL[$t]}" -v n="${COUNT[$t]:-}" -v b="${BEST[$t]:-}" -v by="$BYTES" -v N="$N" -v o="${OTHER[$t]:-}" \
			-v m="${RSS[$t]:-}" -v p1="$PY1" -v p50="${P50[$t]:-}" -v p99="${P99[$t]:-}" -v mx="${PMAX[$t]:-}" 'BEGIN {
			if (b != "") { ev = n / b; s_n = sprintf("%d", n); s_b = sprintf("%.2f", b); s_r = sprintf("%.0f", ev)
				s_mb = sprintf("%.1f", by / N * ev / 1e6); s_o = o; s_m = sprintf("%.1f", m / 1024)
				s_x = (p1 != "") ? sprintf("%.2fx", ev / p1) : "n/a"
			} else { s_n = s_b = s_r = s_mb = s_o = s_m = s_x = "-" }
			if (p50 != "") { s_50 = p50; s_99 = p99; s_mx = mx } else { s_50 = s_99 = s_mx = "n/a" }
			printf "%-34s %7s %7s %9s %6s %7s %7s %8s %7s %7s %8s\n", l, s_n, s_b, s_r, s_mb, s_o, s_m, s_x, s_50, s_99, s_mx
		}'
	done
} > "$out/torch-table.txt"

# versus ROW: "fsscore ROW against PyTorch one at a time" figures
versus() {
	local r=$1 x
	x=$(awk -v a="$(rate "$r")" -v b="$PY1" 'BEGIN { if (a != "" && b != "") printf "%.1fx the events/s", a / b; else printf "events/s n/a" }')
	if [ -n "${P50[$r]:-}" ] && [ -n "${P50[py_one]:-}" ]; then
		x="$x; latency p50 ${P50[$r]} us against ${P50[py_one]} us ($(awk -v a="${P50[py_one]}" -v b="${P50[$r]}" 'BEGIN { printf "%.2fx", a / b }')),"
		x="$x p99 ${P99[$r]} us against ${P99[py_one]} us ($(awk -v a="${P99[py_one]}" -v b="${P99[$r]}" 'BEGIN { printf "%.2fx", a / b }'))"
		[ -n "${P50[cat]:-}" ] && x="$x; above the cat floor, p50 $(awk -v a="${P50[$r]}" -v b="${P50[py_one]}" -v c="${P50[cat]}" 'BEGIN { printf "%d us against %d us (%.2fx)", a - c, b - c, (a - c > 0) ? (b - c) / (a - c) : 0 }')"
	fi
	echo "$x"
}

TV=$($PY -c 'import torch, numpy, platform; print("PyTorch %s, numpy %s (Python %s)" % (torch.__version__, numpy.__version__, platform.python_version()))')
LIBTORCH=$(dpkg-query -W -f '${Version}' libtorch-dev 2>/dev/null)
vers="$("$FSSCORE" -V 2>&1 | head -n 1)${LIBTORCH:+, libtorch-dev $LIBTORCH}; $TV"
echo
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(bench_machine)"
echo "tools:   $vers"
echo "fsscore: $FSSCORE_ORIG (md5 $FSSCORE_MD5..., built $FSSCORE_MTIME)"
echo "module:  $MODULE_DESC"
echo "input:   $(basename "$INPUT"), $N events, $(awk -v b="$BYTES" -v n="$N" 'BEGIN{printf "%.1f", b/n}') bytes/line, 25 features, none missing"
echo "model:   $(basename "$MDIR")/mlp.pt ($MODEL_ID), $KIND: MLP 25-64-32-1, ReLU, sigmoid, torch.jit.script"
echo "load:    average $LOAD0 before the runs, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo
echo "fsscore TorchScript benchmark: $N events, $(awk -v b="$BYTES" 'BEGIN{printf "%.1f MB", b/1e6}') NDJSON; best of $RUNS runs, one core each (${PIN[*]:-not pinned}), one thread each"
echo
cat "$out/torch-table.txt"
echo
echo "  events/s: the whole process's wall time (fsscore, PyTorch batch), or the loop's (PyTorch one at a time);"
echo "  x py one: the row's events/s over PyTorch one at a time's. other s: CPU 0's busy time during the best run that"
echo "  was not the tool's (well above 0.05 s: the run was disturbed). RSS MB: peak (GNU time %M), the largest of the runs."
echo "  fsscore: --threads 1 (the default: one libtorch thread); --batch $BATCH: $BATCH events a forward pass, a partial one padded;"
echo "  its rows include its start-up, ${START:-?} s (the model on no input, best of $RUNS: libtorch's, mostly)$(
	[ -n "${BEST[fs_b1]:-}" ] && [ -n "$START" ] && awk -v n="$N" -v b="${BEST[fs_b1]}" -v c="${BEST[fs_bb]:-}" -v s="$START" 'BEGIN {
		if (b > s) printf "; without it %.0f events/s", n / (b - s)
		if (c != "" && c > s) printf " and %.0f with --batch", n / (c - s) }')"
echo "  * one at a time: json.loads, torch.tensor of one float32 row, model(x) under torch.inference_mode(), json.dumps,"
echo "    write, torch.set_num_threads(1); timed on the first $ONE_N events, its loop only (no interpreter start, import or"
echo "    model load); in-process time per event p50 ${ONE_P50:-n/a} us, p99 ${ONE_P99:-n/a} us"
echo "  * whole-file batch: the whole process: read, json.loads every line, one float32 matrix, the model on chunks of"
echo "    $CHUNK rows under torch.inference_mode(), json.dumps every scored line; phases of its best run: ${PHASES:-n/a}"
if [ "${BENCH_LATENCY:-1}" != 0 ]; then
	echo "  p50/p99/max: latency.py --rate $RATE: one event line at a time into the scorer's stdin at a fixed rate, timed to its"
	echo "  output line (harness on ${HPIN[*]:-any CPU}); $LAT_N events a row in $LAT_ROUNDS rounds taken in turns, pooled, each run's"
	echo "  first $((1000 + LAT_SKIP)) events not counted (start-up); the --batch $BATCH row with --batch-wait 0; n/a: not measured"
else
	echo "  p50/p99/max: not measured (BENCH_LATENCY=0)"
fi
if [ "${BENCH_CHECK:-1}" != 0 ]; then
	echo "  checks (fsscore $MODEL_ID):"
	for b in 1 "$BATCH"; do
		echo "    ${CHECKED[b$b]:-check --batch $b: FAILED or not run}"
		echo "    --batch $b: ${CHECKED[t$b]:-the trickle check FAILED or was not run}"
	done
else
	echo "  checks skipped (BENCH_CHECK=0)"
fi
echo
echo "fsscore against PyTorch in Python one at a time (one core each; x: PyTorch's latency over fsscore's, above 1: fsscore answers sooner):"
printf '  %-34s %s\n' "fsscore --model mlp.pt:" "$(versus fs_b1)"
printf '  %-34s %s\n' "fsscore --batch $BATCH:" "$(versus fs_bb)"
if [ -n "$PY1" ] && [ -n "$(rate py_batch)" ]; then
	printf '  %-34s %s\n' "PyTorch whole-file batch:" "$(awk -v a="$(rate py_batch)" -v b="$PY1" 'BEGIN { printf "%.1fx the events/s (no latency: it answers at the end)", a / b }')"
fi

if [ ${#SPEC_NOTES[@]} -gt 0 ]; then
	echo
	echo "differences from the spec (torch-spec.md):"
	printf '  %s\n' "${SPEC_NOTES[@]}"
fi

# Anything the tools said on stderr while timed (they should say nothing on this input).
for f in "$out"/torch-fs_b1.best.stderr "$out"/torch-fs_bb.best.stderr; do
	[ -s "$f" ] && echo "note: $(basename "$f"): $(wc -l < "$f") line(s), first: $(head -n 1 "$f")"
done

if [ -n "$FAILED" ]; then
	echo
	echo "FAILED:$FAILED"
	exit 1
fi
exit 0
