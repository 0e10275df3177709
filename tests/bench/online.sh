#!/bin/bash
# Online store (Redis) benchmark: fsfeat --online writes, fsjoin --online
# lookups, and what redis-server itself does with the same commands.
#
#   tests/bench/online.sh [N_EVENTS]      (default 1000000; or N=200000 tests/bench/online.sh)
#
# About 3 minutes on 2 cores with the defaults. Needs redis-server,
# redis-cli and redis-benchmark (Debian's redis-server and redis-tools),
# GNU time, /usr/bin/python3 (stdlib only); fsfeat and fsjoin built.
#
# Starts its own redis-server (Debian's, 7.0) on a Unix socket in a temp
# dir, --save '' --appendonly no, pinned to CPU 1 (taskset -c 1), and stops
# it at the end. The tools and redis-benchmark (the client) run on CPU 0.
# The events come from examples/gen-events.awk (n=N, keys=K; skewed: the key
# is rand*rand*K, so fewer than K keys occur), cached in tests/bench/out/.
# On the same server, in the same run:
#
# 1. writes: fsfeat --spec examples/user.json (8 features) on each input of
#    BENCH_KEYS keys, without --online and then with --online unix://SOCK
#    into an empty store (FLUSHALL before each run). events/s of both, the
#    cost of --online as a ratio, and what Redis actually did (INFO
#    commandstats): the keys written (the script's HSET calls: one per key
#    it writes) per second of the run, and the EVALSHA calls. fsfeat
#    coalesces the writes of a key within a batch of 1024 distinct keys, so
#    the writes are fewer than the events, and sends up to CHUNK keys
#    (src/lib/online.c) in one EVALSHA; all three counts are shown.
# 2. the write ceiling: redis-benchmark, same socket, EVALSHA of the same
#    newer-wins script (its text taken from write_script in
#    src/lib/online.c, SCRIPT LOADed; checked to be the script fsfeat
#    loaded) with CHUNK keys a call as fsfeat sends them, keys
#    user:u__rand_int__ (-r K of the first input; each key of a call drawn
#    on its own), the same 8 fields with values fsfeat wrote and an @time,
#    -P 64 calls, with 1 and with 8 connections (-c), into an empty db 1:
#    keys written per second; the larger is "the ceiling". For reference,
#    the same script with one key a call (-c 8).
# 3. lookups: fsjoin --online unix://SOCK --online-prefix user: --key user_id
#    --features <the 8> on the same N events, after one untimed fsfeat
#    --online run filled the store (that run's output and one fsjoin run's
#    output are cross-checked: every 10th event's looked-up features equal
#    fsfeat's latest features for its key); the lookup ceiling:
#    redis-benchmark HMGET of @time and the same 8 fields (what fsjoin asks),
#    -P 64, -c 1 and 8, on the hashes step 2 wrote. For "x plain", fsjoin
#    without --online on the same events: --asof a one-row right side that
#    no event matches (it still parses, joins and writes every event).
# 4. lookup latency: a Python harness (stdlib only, on CPU 1) writes events
#    into fsjoin --online's stdin at BENCH_RATE events/s for BENCH_SECONDS
#    and times each from the write of its line to the read of its output
#    line (output keeps input order); the first 500 are warm-up. The same
#    harness through cat gives the floor of the method. Beside them
#    redis-benchmark's own percentiles for HMGET at -c 1 -P 1 (a closed
#    loop: one request at a time, as fast as it goes).
# 5. peak RSS (GNU time %M, the largest of the runs) of every fsfeat and
#    fsjoin run.
#
# Each timed throughput run is the best of BENCH_RUNS; the latency runs run
# once. Per run it also reads the server's CPU time (INFO cpu) to show how
# busy redis-server was.
#
# Environment: N (the size, when no argument is given), FSFEAT, FSJOIN (the
# binaries, default ./fsfeat and ./fsjoin at the top of the tree),
# BENCH_KEYS ("100000 10000 1000": the inputs' keys= values; the first one
# is the input of steps 2-4), BENCH_RUNS (3), BENCH_RATE (2000),
# BENCH_SECONDS (10), BENCH_PIPELINE (64: redis-benchmark -P),
# BENCH_CONNS ("1 8": redis-benchmark -c values).
#
# Exits 0 whether the tools are fast or not; 1 if a tool fails, a check
# finds a difference or the set-up fails; 2 on a usage error.

# The script needs bash; `sh tests/bench/online.sh` lands here too.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u

N=${1:-${N:-1000000}}
case $N in '' | *[!0-9]* | 0) echo "usage: $0 [N_EVENTS]" >&2; exit 2 ;; esac
KEYLIST=${BENCH_KEYS:-100000 10000 1000}
RUNS=${BENCH_RUNS:-3}
RATE=${BENCH_RATE:-2000}
SECS=${BENCH_SECONDS:-10}
PIPE=${BENCH_PIPELINE:-64}
CONNS=${BENCH_CONNS:-1 8}
for v in $KEYLIST $RUNS $RATE $SECS $PIPE $CONNS; do
	case $v in *[!0-9]* | 0) echo "online.sh: BENCH_KEYS, BENCH_RUNS, BENCH_RATE, BENCH_SECONDS," \
		"BENCH_PIPELINE and BENCH_CONNS must be positive numbers" >&2; exit 2 ;; esac
done
[ -n "$KEYLIST" ] && [ -n "$CONNS" ] || { echo "online.sh: BENCH_KEYS and BENCH_CONNS may not be empty" >&2; exit 2; }
MAINK=${KEYLIST%% *}
WARM=500
NLAT=$((RATE * SECS))
[ "$NLAT" -gt "$N" ] && NLAT=$N
[ "$NLAT" -gt $((WARM * 2)) ] || { echo "online.sh: BENCH_RATE x BENCH_SECONDS must be above $((WARM * 2))" >&2; exit 2; }
PY=/usr/bin/python3

# here, top, out; die, have; bench_binary, bench_need_time, bench_pin, bench_machine
. "$(dirname "$0")/lib.sh" || exit 1
FSFEAT=${FSFEAT:-$top/fsfeat}
FSJOIN=${FSJOIN:-$top/fsjoin}
SPEC=$top/examples/user.json
GEN=$top/examples/gen-events.awk

# Time private copies (FSFEAT_ORIG, FSFEAT_MD5, FSFEAT_MTIME: the original).
bench_binary FSFEAT fsfeat
bench_binary FSJOIN fsjoin
bench_need_time
for t in redis-server redis-cli redis-benchmark; do
	have $t || die "$t is needed (apt-get install redis-server redis-tools)"
done
[ -x "$PY" ] || die "$PY is needed"
[ -r "$SPEC" ] && [ -r "$GEN" ] || die "no $SPEC or $GEN"

# The tools and redis-benchmark on CPU 0; redis-server and the latency harness on CPU 1.
bench_pin

FEATURES=$($PY -c 'import json, sys; print(",".join(f["name"] for f in json.load(open(sys.argv[1]))["features"]))' "$SPEC") \
	|| die "cannot read the features of $SPEC"
NFEAT=$(echo "$FEATURES" | tr ',' '\n' | wc -l)

# ---- the script fsfeat runs, from src/lib/online.c ----
SCRIPT=$out/online-write-script.lua
$PY - "$top/src/lib/online.c" "$top/src/lib/online.h" > "$SCRIPT" <<'EOF' || die "cannot find write_script in src/lib/online.c"
import re, sys
src, hdr = open(sys.argv[1]).read(), open(sys.argv[2]).read()
t = re.search(r'#define FS_ONLINE_TIME "([^"]*)"', hdr).group(1)
body = re.search(r'write_script\[\]\s*=(.*?);\n', src, re.S).group(1).replace('" FS_ONLINE_TIME "', t)
sys.stdout.write(''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', body)).encode().decode('unicode_escape'))
EOF
SHA=$(sha1sum < "$SCRIPT" | cut -c1-40)
# its arguments: with CHUNK defined, "EVALSHA sha N key... ttl (time count
# field value...)..." (N keys a call, up to CHUNK); before that (one key a
# call) "EVALSHA sha 1 key time ttl field value..."
CHUNK=$(sed -n 's/^#define CHUNK[[:space:]]*\([0-9]*\).*/\1/p' "$top/src/lib/online.c")
LAYOUT=multi
[ -n "$CHUNK" ] || { CHUNK=1; LAYOUT=single; }

# ---- inputs, generated once and cached (the names change with gen-events.awk) ----
gen_id=$(md5sum < "$GEN" | cut -c1-8)
declare -A INPUT=() DISTINCT=() KEYS_IN_STORE=()
for k in $KEYLIST; do
	f=$out/online-events-$N-$k-$gen_id.ndjson
	if [ ! -s "$f" ] || [ ! -s "$f.keys" ]; then
		echo "generating $f ..." >&2
		awk -v n="$N" -v keys="$k" -f "$GEN" > "$f.tmp" && mv "$f.tmp" "$f" || die "gen-events.awk failed"
		awk -F'"user_id":"' 'NF > 1 { split($2, a, "\""); s[a[1]] } END { print length(s) }' "$f" > "$f.keys"
	fi
	[ "$(wc -l < "$f")" -eq "$N" ] || die "$f does not have $N lines"
	INPUT[$k]=$f
	DISTINCT[$k]=$(cat "$f.keys")
done
MAIN=${INPUT[$MAINK]}

# ---- the server ----
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/online-bench.XXXXXX") || die "mktemp failed"
SOCK=$TMPD/redis.sock
URL=unix://$SOCK
REDIS_PID=""
cleanup() {
	if [ -n "$REDIS_PID" ]; then
		kill "$REDIS_PID" 2>/dev/null
		wait "$REDIS_PID" 2>/dev/null
	fi
	rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
"${HPIN[@]}" redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --save '' --appendonly no \
	--daemonize no --dir "$TMPD" > "$TMPD/redis.log" 2>&1 &
REDIS_PID=$!
rcli() { redis-cli -s "$SOCK" "$@"; }
for _ in $(seq 250); do
	[ -S "$SOCK" ] && rcli PING > /dev/null 2>&1 && break
	sleep 0.02
done
rcli PING > /dev/null 2>&1 || die "redis-server did not start: $(tail -n 5 "$TMPD/redis.log")"
REDIS_VERSION=$(rcli INFO server | tr -d '\r' | sed -n 's/^redis_version://p')

# the server's CPU seconds (user + sys) so far
redis_cpu() { rcli INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { printf "%.3f", s }'; }
# calls of COMMAND (lower case) since the last CONFIG RESETSTAT
redis_calls() { rcli INFO commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p" | grep . || echo 0; }

# ---- timing ----
calc() { awk "BEGIN { $1 }"; }  # calc 'printf ...': awk arithmetic
# the CPU seconds all CPUs were busy so far (/proc/stat: user, nice, system,
# irq, softirq, steal), to tell how much else ran beside a timed run
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
busy_cpu() { awk -v hz="$HZ" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
# measure NAME FLUSH CMD...: best wall time of $RUNS runs (stdin /dev/null,
# output to /dev/null), peak RSS (max over runs). FLUSH=1: FLUSHALL before
# each run. From the best run: the tool's CPU seconds, the server's CPU
# seconds, and its EVALSHA, HSET (a write the script applied) and HMGET calls.
declare -A BEST=() RSS=() TCPU=() RCPU=() OCPU=() EVALSHA=() HSET=() HMGET=() RUNS_OF=() ALL=() PERCALL=()
FAILED=""
measure() {
	local name=$1 flush=$2
	shift 2
	local best="" rss=0 r t0 t1 c0 c1 b0 b1 secs kb u s rc other
	for ((r = 1; r <= RUNS; r++)); do
		[ "$flush" = 1 ] && rcli FLUSHALL > /dev/null
		rcli CONFIG RESETSTAT > /dev/null
		c0=$(redis_cpu)
		b0=$(busy_cpu)
		t0=$(date +%s%N)
		/usr/bin/time -f '%e %M %U %S' -o "$out/online-$name.time" "${PIN[@]}" "$@" < /dev/null > /dev/null 2> "$out/online-$name.stderr"
		rc=$?
		t1=$(date +%s%N)
		b1=$(busy_cpu)
		c1=$(redis_cpu)
		if [ $rc -ne 0 ]; then
			echo "online.sh: $name exited with status $rc; stderr in $out/online-$name.stderr" >&2
			FAILED="$FAILED $name"
			return
		fi
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		read -r _ kb u s < <(tail -n 1 "$out/online-$name.time")
		other=$(awk -v a="$b0" -v b="$b1" -v u="$u" -v s="$s" -v c0="$c0" -v c1="$c1" \
			'BEGIN { o = (b - a) - (u + s) - (c1 - c0); printf "%.2f", o < 0 ? 0 : o }')
		if [ -z "$best" ] || awk -v a="$best" -v b="$secs" 'BEGIN { exit !(b < a) }'; then
			best=$secs
			cp "$out/online-$name.stderr" "$out/online-$name.best.stderr"
			TCPU[$name]=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
			RCPU[$name]=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
			OCPU[$name]=$other
			EVALSHA[$name]=$(redis_calls evalsha)
			HSET[$name]=$(redis_calls hset)
			HMGET[$name]=$(redis_calls hmget)
		fi
		[ "$kb" -gt "$rss" ] && rss=$kb
		ALL[$name]="${ALL[$name]:+${ALL[$name]} / }$(printf %.2f "$secs") ($other)"
		echo "  $name run $r: ${secs}s, ${kb} KB, other CPU ${other}s, $(redis_calls evalsha) EVALSHA, $(redis_calls hset) HSET, $(redis_calls hmget) HMGET" >&2
	done
	BEST[$name]=$best
	RSS[$name]=$rss
	RUNS_OF[$name]=$RUNS
}

# rbench NAME TIMES REDIS-BENCHMARK-ARGS...: redis-benchmark --csv on the
# socket, on CPU 0, TIMES times; keeps the best requests/s and that run's
# p50 and p99 (ms in its CSV) and the server's CPU seconds.
declare -A RPS=() P50=() P99=() RWALL=()
rbench() {
	local name=$1 times=$2
	shift 2
	local r c0 c1 b0 b1 t0 t1 line rps p50 p99 u s other
	for ((r = 1; r <= times; r++)); do
		[ "${RB_FLUSH:-0}" = 1 ] && rcli -n 1 FLUSHDB > /dev/null
		c0=$(redis_cpu)
		b0=$(busy_cpu)
		t0=$(date +%s%N)
		line=$(/usr/bin/time -f '%U %S' -o "$out/online-$name.time" "${PIN[@]}" redis-benchmark -s "$SOCK" --csv "$@" \
			2> "$out/online-$name.stderr" | tail -n 1)
		t1=$(date +%s%N)
		b1=$(busy_cpu)
		c1=$(redis_cpu)
		read -r u s < <(tail -n 1 "$out/online-$name.time")
		other=$(awk -v a="$b0" -v b="$b1" -v u="$u" -v s="$s" -v c0="$c0" -v c1="$c1" \
			'BEGIN { o = (b - a) - (u + s) - (c1 - c0); printf "%.2f", o < 0 ? 0 : o }')
		IFS=, read -r _ rps _ _ p50 _ p99 _ <<< "${line//\"/}"
		case $rps in '' | *[!0-9.]*)
			echo "online.sh: redis-benchmark ($name) printed no result: $line $(head -c 300 "$out/online-$name.stderr")" >&2
			FAILED="$FAILED $name"
			return ;;
		esac
		echo "  $name run $r: $rps requests/s, p50 $p50 ms, p99 $p99 ms, other CPU ${other}s" >&2
		ALL[$name]="${ALL[$name]:+${ALL[$name]} / }$(calc "printf \"%.0f\", $rps * ${PERCALL[$name]:-1}")/s ($other)"
		if [ -z "${RPS[$name]:-}" ] || awk -v a="${RPS[$name]}" -v b="$rps" 'BEGIN { exit !(b > a) }'; then
			RPS[$name]=$rps
			P50[$name]=$p50
			P99[$name]=$p99
			RWALL[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
			RCPU[$name]=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
			OCPU[$name]=$other
		fi
	done
	RUNS_OF[$name]=$times
}

for k in $KEYLIST; do echo "input: ${INPUT[$k]} ($N events, ${DISTINCT[$k]} of $k keys occur, $(stat -c %s "${INPUT[$k]}") bytes)" >&2; done
echo "redis-server $REDIS_VERSION on $SOCK (pid $REDIS_PID, ${HPIN[*]:-not pinned})" >&2
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average before timing: $LOAD_BEFORE" >&2

# ---- 1. writes ----
for k in $KEYLIST; do
	measure "plain_$k" 0 "$FSFEAT" --spec "$SPEC" "${INPUT[$k]}"
	measure "online_$k" 1 "$FSFEAT" --spec "$SPEC" --online "$URL" "${INPUT[$k]}"
	KEYS_IN_STORE[$k]=$(rcli DBSIZE)
done

# ---- the fill for the lookups (untimed), and the checks ----
CHECK_MSG=""
rcli FLUSHALL > /dev/null
rcli CONFIG RESETSTAT > /dev/null
"$FSFEAT" --spec "$SPEC" --online "$URL" "$MAIN" > "$out/online-fill.ndjson" 2> "$out/online-fill.stderr" \
	|| die "fsfeat --online (the fill) failed; see $out/online-fill.stderr"
FILL_KEYS=$(rcli DBSIZE)
FILL_EVALSHA=$(redis_calls evalsha)
FILL_HSET=$(redis_calls hset)
[ "$FILL_KEYS" -eq "${DISTINCT[$MAINK]}" ] \
	|| { CHECK_MSG="CHECK FAILED: the store holds $FILL_KEYS hashes, the events have ${DISTINCT[$MAINK]} keys; "; FAILED="$FAILED check"; }
[ "$FILL_HSET" -ge "$FILL_KEYS" ] && [ "$FILL_EVALSHA" -ge $(((FILL_HSET + CHUNK - 1) / CHUNK)) ] \
	|| { CHECK_MSG="${CHECK_MSG}CHECK FAILED: $FILL_EVALSHA EVALSHA, $FILL_HSET keys written, $FILL_KEYS hashes; "; FAILED="$FAILED check"; }
if [ "$(rcli SCRIPT EXISTS "$SHA")" != 1 ]; then
	die "the script in $SCRIPT (sha1 $SHA, from src/lib/online.c) is not the one fsfeat loaded"
fi
"$FSJOIN" --online "$URL" --online-prefix user: --key user_id --features "$FEATURES" "$MAIN" \
	> "$out/online-check.ndjson" 2> "$out/online-check.stderr" \
	|| die "fsjoin --online failed; see $out/online-check.stderr"
CHECK_MSG="$CHECK_MSG$($PY - "$out/online-fill.ndjson" "$out/online-check.ndjson" "$FEATURES" "$N" <<'EOF'
import json, re, sys
fill, joined, feats, n = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
uid = re.compile(r'"user_id":"([^"]*)"')
last = {}
with open(fill) as f:
    for line in f:
        last[uid.search(line).group(1)] = line
lines = checked = 0
bad = []
with open(joined) as f:
    for i, line in enumerate(f):
        lines += 1
        if i % 10:
            continue
        e = json.loads(line)
        want = json.loads(last[e["user_id"]])["features"]
        got = e["features"]
        checked += 1
        if list(got) != feats or any(got[k] != want[k] for k in feats):
            bad.append(i + 1)
if lines != n:
    print("CHECK FAILED: fsjoin wrote %d lines for %d events" % (lines, n))
elif bad:
    print("CHECK FAILED: on %d of %d events (every 10th) fsjoin's features differ from fsfeat's latest for the key, first at line %d"
          % (len(bad), checked, bad[0]))
else:
    print("fsjoin wrote %d lines; on every 10th event (%d) its %d looked-up values equal fsfeat's latest output for the key "
          "(%d keys), exactly" % (lines, checked, len(feats), len(last)))
EOF
)"
case $CHECK_MSG in *FAILED*) FAILED="$FAILED check" ;; esac
grep -q 'absent' "$out/online-check.stderr" && { CHECK_MSG="$CHECK_MSG; fsjoin: $(grep absent "$out/online-check.stderr")"; FAILED="$FAILED check"; }
# values for the redis-benchmark commands: the first event's key, as fsfeat wrote it
first_key=$(head -n 1 "$MAIN" | sed 's/.*"user_id":"\([^"]*\)".*/\1/')
mapfile -t VALS < <(rcli HMGET "user:$first_key" @time ${FEATURES//,/ })
[ "${#VALS[@]}" -eq $((NFEAT + 1)) ] || die "cannot read user:$first_key from the store"
FV=()
i=1
for f in ${FEATURES//,/ }; do FV+=("$f" "${VALS[$i]}"); i=$((i + 1)); done
rm -f "$out/online-fill.ndjson" "$out/online-check.ndjson"

# ---- 2. the write ceiling (db 1, emptied before each run) ----
rcli SCRIPT LOAD "$(cat "$SCRIPT")" > /dev/null
evalsha_args() {  # evalsha_args K: ARGS=(EVALSHA with K keys a call)
	local k
	ARGS=(EVALSHA "$SHA" "$1")
	for ((k = 0; k < $1; k++)); do ARGS+=(user:u__rand_int__); done
	if [ "$LAYOUT" = single ]; then
		ARGS+=("${VALS[0]}" 0 "${FV[@]}")
	else
		ARGS+=(0)
		for ((k = 0; k < $1; k++)); do ARGS+=("${VALS[0]}" "$NFEAT" "${FV[@]}"); done
	fi
}
CMAX=${CONNS##* }
if [ "$CHUNK" -gt 1 ]; then  # first, so that db 1 ends with the hashes of the next runs
	evalsha_args 1
	PERCALL[evalsha1_c$CMAX]=1
	RB_FLUSH=1 rbench "evalsha1_c$CMAX" "$RUNS" --dbnum 1 -n "$N" -r "$MAINK" -P "$PIPE" -c "$CMAX" "${ARGS[@]}"
fi
evalsha_args "$CHUNK"
for c in $CONNS; do
	PERCALL[evalsha_c$c]=$CHUNK
	RB_FLUSH=1 rbench "evalsha_c$c" "$RUNS" --dbnum 1 -n $(((N + CHUNK - 1) / CHUNK)) -r "$MAINK" -P "$PIPE" -c "$c" "${ARGS[@]}"
done
BENCH_KEYS_DB1=$(rcli -n 1 DBSIZE)

# ---- 3. lookups (db 0: fsfeat's hashes; db 1: redis-benchmark's) ----
# fsjoin without --online, for "x plain": --asof a one-row right side (no event matches it)
TINY=$out/online-tiny-side.ndjson
echo '{"user_id":"-","ts":"1970-01-01T00:00:00Z","features":{"x":1}}' > "$TINY"
measure join_plain 0 "$FSJOIN" --asof "$TINY" --key user_id "$MAIN"
measure lookup 0 "$FSJOIN" --online "$URL" --online-prefix user: --key user_id --features "$FEATURES" "$MAIN"
# fsjoin's peak RSS on the first tenth of the events, to see whether it depends on their number
SMALL=$((N / 10))
head -n "$SMALL" "$MAIN" > "$out/online-small.ndjson"
RUNS_SAVE=$RUNS RUNS=1
measure lookup_small 0 "$FSJOIN" --online "$URL" --online-prefix user: --key user_id --features "$FEATURES" "$out/online-small.ndjson"
RUNS=$RUNS_SAVE
rm -f "$out/online-small.ndjson"
for c in $CONNS; do
	PERCALL[hmget_c$c]=1
	rbench "hmget_c$c" "$RUNS" --dbnum 1 -n "$N" -r "$MAINK" -P "$PIPE" -c "$c" \
		HMGET user:u__rand_int__ @time ${FEATURES//,/ }
done

# ---- 4. lookup latency ----
LAT_PY='
import os, subprocess, sys, threading, time
src, n, rate, warm = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
cmd = sys.argv[5:]
lines = []
with open(src, "rb") as f:
    for line in f:
        lines.append(line)
        if len(lines) == n:
            break
n = len(lines)
clock = time.perf_counter_ns
sent, got, bad = [0] * n, [0] * n, []
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
wfd = p.stdin.fileno()
rf = os.fdopen(os.dup(p.stdout.fileno()), "rb", buffering=1 << 16)
def reader():
    for i in range(n):
        out = rf.readline()
        got[i] = clock()
        if not out:
            bad.append("%s ended after %d of %d lines" % (cmd[0], i, n))
            return
        if not out.startswith(lines[i][:-2]):
            bad.append("output line %d is not event %d" % (i + 1, i + 1))
            return
t = threading.Thread(target=reader)
t.start()
start = clock()
for i, line in enumerate(lines):
    pause = start + int(i * 1e9 / rate) - clock()
    if pause > 0:
        time.sleep(pause / 1e9)
    sent[i] = clock()
    os.write(wfd, line)
p.stdin.close()
t.join()
p.wait()
if bad:
    sys.exit("latency harness: " + bad[0])
lat = sorted((got[i] - sent[i]) / 1000.0 for i in range(warm, n))
q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]
print("%d %.3f %.0f %.1f %.1f %.1f" % (len(lat), (sent[-1] - sent[0]) / 1e9, (n - 1) * 1e9 / (sent[-1] - sent[0]),
      q(0.5), q(0.99), lat[-1]))
'
declare -A LAT=()
latency() {  # latency NAME CMD...: sets LAT[NAME] = "events seconds rate p50 p99 max"
	local name=$1
	shift
	echo "  $name: $NLAT events at $RATE/s ..." >&2
	if LAT[$name]=$("${HPIN[@]}" $PY -c "$LAT_PY" "$MAIN" "$NLAT" "$RATE" "$WARM" "${PIN[@]}" "$@" 2> "$out/online-$name.stderr"); then
		echo "  $name: ${LAT[$name]}" >&2
	else
		echo "online.sh: the latency run $name failed: $(tail -n 3 "$out/online-$name.stderr")" >&2
		LAT[$name]=""
		FAILED="$FAILED $name"
	fi
}
rcli CONFIG RESETSTAT > /dev/null
latency lat_fsjoin "$FSJOIN" --online "$URL" --online-prefix user: --key user_id --features "$FEATURES"
LAT_HMGET=$(redis_calls hmget)
latency lat_cat cat
rbench hmget_p1 1 --dbnum 1 -n 50000 -r "$MAINK" -P 1 -c 1 HMGET user:u__rand_int__ @time ${FEATURES//,/ }

# ---- the table ----
ceiling() {  # ceiling PREFIX: the largest keys/s (requests/s x keys a request) of the PREFIX_c* runs
	local c m=""
	for c in $CONNS; do
		[ -n "${RPS[${1}_c$c]:-}" ] || continue
		v=$(calc "printf \"%.0f\", ${RPS[${1}_c$c]} * ${PERCALL[${1}_c$c]:-1}")
		{ [ -z "$m" ] || [ "$v" -gt "$m" ]; } && m=$v
	done
	echo "$m"
}
W_CEIL=$(ceiling evalsha)
R_CEIL=$(ceiling hmget)
ratio() { [ -n "$1" ] && [ -n "$2" ] && calc "printf \"%.2fx\", $1 / $2" || echo n/a; }  # ratio A B: A/B
mb() { calc "printf \"%.1f\", $1 / 1024"; }
row() {  # row LABEL EVENTS RUNS SECONDS EVENTS/S KEYS/S XPLAIN XCEIL TOOLCPU REDIS% OTHER RSSMB P50 P99
	printf '%-44s %8s %4s %7s %9s %9s %7s %7s %6s %6s %7s %7s %7s %7s\n' "$@"
}
tool_row() {  # tool_row LABEL NAME PLAIN_NAME KEYS_NAME_COUNT CEIL
	local l=$1 nm=$2 pnm=$3 cnt=$4 ceil=$5 b ev ks="-" xp xc="-" rc="-"
	b=${BEST[$nm]:-}
	if [ -z "$b" ]; then row "$l" "$N" "$RUNS" FAILED; return; fi
	ev=$(calc "printf \"%.0f\", $N / $b")
	if [ -n "$cnt" ]; then
		ks=$(calc "printf \"%.0f\", $cnt / $b")
		xc=$(ratio "$ks" "$ceil")
		rc=$(calc "printf \"%.0f%%\", ${RCPU[$nm]} / $b * 100")
	fi
	xp=1.00x
	[ "$pnm" != "$nm" ] && xp=$(ratio "${BEST[$pnm]:-}" "$b")
	row "$l" "$N" "${RUNS_OF[$nm]}" "$(printf %.2f "$b")" "$ev" "$ks" "$xp" "$xc" "${TCPU[$nm]}" "$rc" "${OCPU[$nm]}" "$(mb "${RSS[$nm]}")" n/a n/a
}
bench_row() {  # bench_row LABEL NAME CEIL
	local l=$1 nm=$2 ceil=$3 rps=${RPS[$2]:-} ks
	if [ -z "$rps" ]; then row "$l" "-" "${RUNS_OF[$nm]:-1}" FAILED; return; fi
	ks=$(calc "printf \"%.0f\", $rps * ${PERCALL[$nm]:-1}")
	row "$l" "-" "${RUNS_OF[$nm]}" "-" "-" "$ks" "-" "$( [ -n "$ceil" ] && ratio "$ks" "$ceil" || echo -)" "-" \
		"$(calc "printf \"%.0f%%\", ${RCPU[$nm]} / ${RWALL[$nm]} * 100")" "${OCPU[$nm]}" "-" \
		"$( [ "$nm" = hmget_p1 ] && calc "printf \"%.0f\", ${P50[$nm]} * 1000" || echo n/a)" \
		"$( [ "$nm" = hmget_p1 ] && calc "printf \"%.0f\", ${P99[$nm]} * 1000" || echo n/a)"
}

echo
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(bench_machine)"
echo "tools:   $("$FSFEAT" -V 2>&1 | head -n 1); $(ldd "$FSFEAT" 2>/dev/null | awk '/hiredis/ { print $1; exit }'); redis-server $REDIS_VERSION, $(redis-benchmark --version 2>&1 | head -n 1)"
echo "fsfeat:  $FSFEAT_ORIG (md5 $FSFEAT_MD5..., built $FSFEAT_MTIME)"
echo "fsjoin:  $FSJOIN_ORIG (md5 $FSJOIN_MD5..., built $FSJOIN_MTIME)"
for k in $KEYLIST; do
	echo "input:   $(basename "${INPUT[$k]}"): awk -v n=$N -v keys=$k -f examples/gen-events.awk, ${DISTINCT[$k]} keys occur, $(calc "printf \"%.1f MB, %.1f bytes/line\", $(stat -c %s "${INPUT[$k]}") / 1e6, $(stat -c %s "${INPUT[$k]}") / $N")"
done
echo "store:   redis-server $REDIS_VERSION on a Unix socket, --save '' --appendonly no, ${HPIN[*]:-not pinned}; tools and redis-benchmark ${PIN[*]:-not pinned}"
echo "load:    1-min load average $LOAD_BEFORE before the runs, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo
echo "online store benchmark: $N events, examples/user.json ($NFEAT features); best of $RUNS runs (latency: one run)"
echo
{
	row run events runs "best s" events/s keys/s "x plain" "x ceil" "CPU s" redis% "other s" "RSS MB" "p50 us" "p99 us"
	for k in $KEYLIST; do
		tool_row "fsfeat, keys=$k" "plain_$k" "plain_$k" "" ""
		tool_row "fsfeat --online, keys=$k" "online_$k" "plain_$k" "${HSET[online_$k]:-}" "$W_CEIL"
	done
	for c in $CONNS; do
		bench_row "redis-benchmark EVALSHA $CHUNK keys/call -c $c" "evalsha_c$c" "$W_CEIL"
	done
	[ "$CHUNK" -gt 1 ] && bench_row "redis-benchmark EVALSHA 1 key/call -c $CMAX" "evalsha1_c$CMAX" "$W_CEIL"
	tool_row "fsjoin --asof (1 row), keys=$MAINK" join_plain join_plain "" ""
	tool_row "fsjoin --online, keys=$MAINK" lookup join_plain "${HMGET[lookup]:-}" "$R_CEIL"
	for c in $CONNS; do
		bench_row "redis-benchmark HMGET -c $c" "hmget_c$c" "$R_CEIL"
	done
	for nm in lat_fsjoin lat_cat; do
		l="fsjoin --online at $RATE events/s"
		[ "$nm" = lat_cat ] && l="cat at $RATE events/s (the floor)"
		if [ -z "${LAT[$nm]:-}" ]; then
			row "$l" "$NLAT" 1 FAILED
		else
			read -r cnt secs rate p50 p99 _ <<< "${LAT[$nm]}"
			ks="-"
			[ "$nm" = lat_fsjoin ] && ks=$(calc "printf \"%.0f\", $LAT_HMGET / $secs")
			row "$l" "$cnt" 1 "$(printf %.2f "$secs")" "$rate" "$ks" - - - - - - "$(printf %.0f "$p50")" "$(printf %.0f "$p99")"
		fi
	done
	bench_row "redis-benchmark HMGET -c 1 -P 1" hmget_p1 ""
} > "$out/online-table.txt"
cat "$out/online-table.txt"
echo
echo "  keys/s: keys written (the script's HSET calls) or looked up (HMGET calls) per second, as redis-server counted them"
echo "  (INFO commandstats); for redis-benchmark its requests/s x keys a request. x plain: events/s over the same tool's"
echo "  without --online on the same input (fsjoin without it: --asof a one-row right side that no event matches, so it"
echo "  still parses and writes every event). x ceil: keys/s over the largest redis-benchmark keys/s of the same command,"
echo "  with the same keys a call ($W_CEIL writes/s, $R_CEIL lookups/s). CPU s: the tool's user + sys. redis%: redis-server's"
echo "  CPU time over the wall time (100% = its thread busy throughout). other s: CPU seconds the machine spent on anything"
echo "  else during that run (/proc/stat busy time - the tool's - redis-server's; other sessions, the bench's own shell; well"
echo "  above 0.1 s means the run was disturbed). RSS MB: the tool's peak (GNU time %M, the largest of the runs)."
echo "  redis-benchmark: -P $PIPE requests in flight a connection, -n: $N keys (EVALSHA) or lookups; its own CPU is not in other s."
for k in $KEYLIST; do
	o=online_$k
	[ -n "${BEST[$o]:-}" ] || continue
	calc "printf \"  keys=%s (%d occur): %d writes (HSET) for %d events, %.2f events a write (batches of 1024 distinct keys), in %d EVALSHA (%.1f keys a call); %d hashes in the store\n\",
		$k, ${DISTINCT[$k]}, ${HSET[$o]}, $N, ${HSET[$o]} ? $N / ${HSET[$o]} : 0, ${EVALSHA[$o]}, ${EVALSHA[$o]} ? ${HSET[$o]} / ${EVALSHA[$o]} : 0, ${KEYS_IN_STORE[$k]}"
done
echo "  redis-benchmark EVALSHA: the script of src/lib/online.c (sha1 $SHA, the one fsfeat loaded), $CHUNK keys a call"
echo "  (CHUNK there), keys user:u__rand_int__ -r $MAINK (its db 1 then holds $BENCH_KEYS_DB1 hashes), @time ${VALS[0]} and the 8"
echo "  values fsfeat wrote for user:$first_key; HMGET: @time and the 8 fields (what fsjoin asks for) of those hashes"
echo "  fsjoin --online: one HMGET a spine event, up to 512 events held; the store: $FILL_KEYS hashes from an untimed fsfeat --online"
echo "  run ($FILL_HSET writes in $FILL_EVALSHA EVALSHA); its peak RSS $(mb "${RSS[lookup_small]:-0}") MB on the first $SMALL events, $(mb "${RSS[lookup]:-0}") MB on all $N"
echo "  latency: a Python harness on ${HPIN[*]:-any CPU} writes one event line at a time into the tool's stdin at $RATE/s and reads"
echo "  its output line; from the write to the read; first $WARM events not counted; max fsjoin $(echo "${LAT[lat_fsjoin]:-}" | awk '{ print $6 }') us,"
echo "  cat $(echo "${LAT[lat_cat]:-}" | awk '{ print $6 }') us. redis-benchmark -c 1 -P 1: one request at a time, closed loop, its own percentiles"
echo "  check: $CHECK_MSG"
echo "  every run, seconds (other s) or keys/s (other s):$(for nm in $(printf '%s\n' "${!ALL[@]}" | sort); do printf ' %s %s;' "$nm" "${ALL[$nm]}"; done)"

if [ -n "$FAILED" ]; then
	echo
	echo "FAILED:$FAILED"
	exit 1
fi
exit 0
