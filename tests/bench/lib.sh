# tests/bench/lib.sh: the preamble the benchmark scripts (run.sh, score.sh,
# psi.sh, join.sh, truth.sh) share, in one copy. Sourced by each, after its
# own arguments are read, with
#
#   . "$(dirname "$0")/lib.sh" || exit 1
#
# (bash only; not a script of its own). On sourcing it sets
#   me    the script's file name, which prefixes its messages ("score.sh: ...")
#   here  tests/bench;  top  the top of the tree;  out  tests/bench/out (created)
# and defines
#   die MESSAGE...          print "$me: MESSAGE" on stderr, exit 1
#   have COMMAND            is COMMAND on the PATH
#   bench_binary VAR NAME [HINT]
#                           check that the binary in $VAR is executable (else
#                           "no NAME binary at ... (HINT)", HINT by default
#                           "build it, or set VAR"); set VAR_ORIG to its path,
#                           VAR_MD5 (first 12 hex digits) and VAR_MTIME; and
#                           when it is an ELF file (not a libtool wrapper
#                           script) copy it to $out/NAME.bench and point VAR at
#                           the copy, so a rebuild during the run cannot mix
#                           two binaries
#   bench_need_time         die unless GNU time is at /usr/bin/time
#   bench_pin               PIN=(taskset -c 0) when taskset works, for the
#                           timed tools; HPIN=(taskset -c 1) when CPU 1 can be
#                           pinned too, for a harness; empty arrays otherwise
#   bench_score_input       score.sh's events ($N of them, seed $SEED) and XGBoost
#                           model, generated once with score_gen.py by $PY and
#                           cached in out/ (the names change with score_gen.py):
#                           sets INPUT, MODEL, BYTES and LINES
#   bench_machine           print "CPU, N cores, RAM RAM, Debian V, kernel K"
#                           (the "machine:" line of the reports)

me=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$here/out
mkdir -p "$out" || exit 1

die() { echo "$me: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

bench_binary() {  # bench_binary VAR NAME [HINT]
	local var=$1 name=$2 bin=${!1}
	[ -x "$bin" ] || die "no $name binary at $bin (${3:-build it, or set $var})"
	printf -v "${var}_ORIG" '%s' "$bin"
	printf -v "${var}_MD5" '%s' "$(md5sum < "$bin" | cut -c1-12)"
	printf -v "${var}_MTIME" '%s' "$(date -u -r "$bin" '+%Y-%m-%d %H:%M:%S UTC')"
	if [ "$(head -c 4 "$bin" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		cp "$bin" "$out/$name.bench" || die "cannot copy $bin"
		printf -v "$var" '%s' "$out/$name.bench"
	fi
}

bench_need_time() {
	[ -x /usr/bin/time ] || die "GNU time is needed at /usr/bin/time (apt-get install time)"
}

bench_pin() {
	PIN=()
	if have taskset && taskset -c 0 true 2>/dev/null; then PIN=(taskset -c 0); fi
	HPIN=()
	if [ ${#PIN[@]} -gt 0 ] && taskset -c 1 true 2>/dev/null; then HPIN=(taskset -c 1); fi
}

bench_machine() {
	local cpu ram deb
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	ram=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	deb=$(cat /etc/debian_version 2>/dev/null || echo "?")
	echo "${cpu:-?}, $(nproc) cores, $ram RAM, Debian $deb, kernel $(uname -r)"
}

bench_score_input() {
	local gen_id
	gen_id=$(md5sum < "$here/score_gen.py" | cut -c1-8)
	INPUT=$out/score-events-$N-$SEED-$gen_id.ndjson
	MODEL=$out/score-model-$SEED-$gen_id.json
	if [ ! -s "$INPUT" ]; then
		echo "generating $INPUT ..." >&2
		$PY "$here/score_gen.py" events "$N" "$SEED" > "$INPUT.tmp" && mv "$INPUT.tmp" "$INPUT" \
			|| die "score_gen.py events failed"
	fi
	if [ ! -s "$MODEL" ]; then
		echo "training $MODEL ..." >&2
		$PY "$here/score_gen.py" model "$SEED" "$MODEL.tmp.json" && mv "$MODEL.tmp.json" "$MODEL" \
			|| die "score_gen.py model failed"
	fi
	BYTES=$(stat -c %s "$INPUT")
	LINES=$(wc -l < "$INPUT")
	[ "$LINES" -eq "$N" ] || die "$INPUT has $LINES lines, expected $N"
}
