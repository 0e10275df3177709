#!/bin/sh
# tests/online/example.sh: examples/feature-store/ against a real redis-server.
#
# - run.sh runs end to end with a private redis-server of its own, and stops
#   it; then against this test's server (FS_REDIS), whose store is checked:
# - live: the output and the --rows file are those of a run without the
#   store, every user:* hash is its key's last offline row, and fsjoin
#   --online served the store's values;
# - training: each row of the training set has the features of its own event
#   in the live output (or, for events sharing their second with a later
#   event of the user, that later one's: an as-of join sees the last row);
# - backfill: the user30d:* hashes are each key's latest batch row, a second
#   run and an older night's file change nothing;
# - backfill.sh's exit statuses: 69 with the store down (no rerun), 66
#   without rows, and on 75 (the store lost mid-way: here a busy Lua script
#   after fsjoin has connected) a rerun that finishes the job, or 75 when
#   every try fails.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
. "$top_srcdir/tests/online/redis.sh"
plan 13
cd "$TMP"
unset FS_REDIS FS_EVENTS FS_DAY FS_AS_OF FS_KEY FS_FEATURES FS_TTL FS_ONLINE_TIMEOUT FS_TRIES FS_PAUSE FS_LOG
ex="$top_srcdir/examples/feature-store"
expect() { /usr/bin/python3 "$top_srcdir/tests/online/expect.py" "$@"; }

# ---------------------------------------------------------------- its own server
mkdir own
TMPDIR="$TMP/own" sh "$ex/run.sh" > own.out 2> own.err
rc=$?
if [ $rc -eq 0 ] && grep -q '^== 1\. live' own.out && grep -q '^== 2\. training' own.out &&
	grep -q '^== 3\. batch' own.out && grep -q '^== done' own.out; then
	ok "run.sh with a private redis-server runs the three paths and exits 0"
else
	not_ok "run.sh with a private redis-server runs the three paths and exits 0 (status $rc)"
	tail -n 20 own.out own.err | diag
fi
pid=$(sed -n 's/^(the private redis-server \([0-9]*\) is stopped)$/\1/p' own.out)
check "it stops its redis-server ($pid) and removes its files" \
	sh -c "[ -n '$pid' ] && ! kill -0 '$pid' 2>/dev/null && [ -z \"\$(ls -A own)\" ]"

# ---------------------------------------------------------------- this test's server
redis_start
U=$REDIS_URL
FS_REDIS=$U sh "$ex/run.sh" run > run.out 2> run.err
rc=$?
check "run.sh with FS_REDIS=$U exits 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 20 run.out run.err | diag
redis_dump store.dump

cat run/days/*.ndjson > all.ndjson
fsfeat --spec "$top_srcdir/examples/user.json" all.ndjson > plain.out 2>/dev/null
fsfeat --spec "$top_srcdir/examples/user.json" --emit rows all.ndjson > plain.rows 2>/dev/null
zstd -qdc run/rows.ndjson.zst > run.rows 2>/dev/null
check "live: the output and the --rows file are those of one run without the store" \
	sh -c 'cmp -s run/live.ndjson plain.out && cmp -s run.rows plain.rows'

grep '^user:' store.dump > user.dump
expect user: user_id < run.rows > want-user.dump
if [ -s want-user.dump ] && cmp -s user.dump want-user.dump; then
	ok "live: every user:* hash equals its key's last offline row ($(grep -c @time user.dump) users)"
else
	not_ok "live: every user:* hash equals its key's last offline row"
	diff want-user.dump user.dump | head -n 10 | diag
fi

v=($(rcli HMGET user:u42 amt_sum_1h n_24h merchants_24h gap))
want="{\"amt_sum_1h\":${v[0]},\"n_24h\":${v[1]},\"merchants_24h\":${v[2]},\"gap\":${v[3]}}"
null='{"amt_sum_1h":null,"n_24h":null,"merchants_24h":null,"gap":null}'
got1=$(sed -n '1s/.*"features":\(.*\)}$/\1/p' run/served.ndjson)
got3=$(sed -n '3s/.*"features":\(.*\)}$/\1/p' run/served.ndjson)
check "serving: fsjoin --online gave the store's values ($got1), nulls for an unknown user" \
	sh -c "[ '$got1' = '$want' ] && [ '$got3' = '$null' ]"

/usr/bin/python3 - run/live.ndjson run/train.ndjson > train.cmp <<'EOF'
import json, sys
live = [json.loads(l, parse_float=str) for l in open(sys.argv[1])]
train = [json.loads(l, parse_float=str) for l in open(sys.argv[2])]
own = {e["tx"]: e["features"] for e in live}
last = {}
for e in live:
    last[(e["user_id"], e["ts"])] = e["features"]
same = tied = bad = 0
for t in train:
    if t["features"] == own[t["tx"]]:
        same += 1
    elif t["features"] == last[(t["user_id"], t["ts"])]:
        tied += 1
    else:
        bad += 1
print("%d %d %d %d %d" % (len(live), len(train), same, tied, bad))
EOF
read -r nlive ntrain same tied bad < train.cmp
check "training: all $ntrain rows have the live features of their event ($same), or of the last event of its user and second ($tied)" \
	sh -c "[ '$nlive' -gt 0 ] && [ '$ntrain' = '$nlive' ] && [ '$bad' = 0 ] && [ \$(( $tied * 100 )) -lt '$nlive' ]"

grep '^user30d:' store.dump > bf.dump
zstd -qdc run/batch/2024-01-03.ndjson.zst | expect user30d: user_id > want-bf.dump
if [ -s want-bf.dump ] && cmp -s bf.dump want-bf.dump; then
	ok "backfill: every user30d:* hash is its key's latest row of the night's batch ($(grep -c @time bf.dump) users)"
else
	not_ok "backfill: every user30d:* hash is its key's latest row of the night's batch"
	diff want-bf.dump bf.dump | head -n 10 | diag
fi

# ---------------------------------------------------------------- backfill.sh
bf() { FS_LOG="$TMP/$1.log" FS_DAY=${FS_DAY:-2024-01-03} sh "$ex/backfill.sh" "${@:2}"; }
bf again run/batch "$U" user30d: > again.out 2> again.err
rc1=$?
FS_DAY=2024-01-02 bf again run/batch "$U" user30d: >> again.out 2>> again.err
rc2=$?
redis_dump again.dump
check "backfill.sh again, then an older night's file: status 0, silent, nothing changes" \
	sh -c "[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ ! -s again.out ] && [ ! -s again.err ] &&
		cmp -s again.dump store.dump && grep -q ' [1-9][0-9]* kept the newer values' again.log"

FS_TRIES=3 FS_PAUSE=5 bf down run/batch "unix://$TMP/nowhere.sock" user30d: > down.out 2> down.err
rc=$?
check "backfill.sh with the store down: status 69 at once, the reason printed for cron (status $rc)" \
	sh -c "[ $rc -eq 69 ] && grep -q 'nowhere.sock: cannot connect' down.err &&
		grep -q 'is down' down.log && ! grep -q 'running again' down.log"
[ $rc -eq 69 ] || diag < down.err

FS_DAY=2023-12-31 bf none run/batch "$U" user30d: > none.out 2> none.err
rc=$?
check "backfill.sh without rows for the day: status 66 (status $rc)" \
	sh -c "[ $rc -eq 66 ] && grep -q 'no rows for 2023-12-31' none.err"

# The store lost mid-way: once fsjoin has connected (and loaded its script),
# a Lua script keeps Redis busy, answering BUSY to every write past
# --online-timeout; the rows come through a FIFO, so that they arrive then.
rcli CONFIG SET lua-time-limit 50 > /dev/null
connected() {  # fsjoin's connection is there
	for _ in $(seq 250); do rcli CLIENT LIST | grep -q 'cmd=script' && return 0; sleep 0.02; done
	return 1
}
busy() {
	rcli EVAL "while true do end" 0 > /dev/null 2>&1 &
	busy_pid=$!
	for _ in $(seq 100); do rcli ping 2>&1 | grep -q BUSY && break; sleep 0.02; done
}
unbusy() { rcli SCRIPT KILL > /dev/null 2>&1; wait "$busy_pid" 2>/dev/null; }
# the rows into the FIFO, once the backfill opens it (at most 20 s)
feed() { timeout 20 sh -c 'cat batch.rows > rows.fifo'; }
zstd -qdc run/batch/2024-01-03.ndjson.zst > batch.rows
mkfifo rows.fifo

FS_TRIES=2 FS_PAUSE=1 FS_ONLINE_TIMEOUT=1s bf lost rows.fifo "$U" lost: > lost.out 2> lost.err &
job=$!
connected && busy
feed
for _ in $(seq 200); do grep -q 'lost mid-way' lost.log 2>/dev/null && break; sleep 0.05; done
unbusy
feed
wait $job
rc=$?
n=$(rcli EVAL "return #redis.call('KEYS', 'lost:*')" 0)
check "backfill.sh with the store lost mid-way: runs again and finishes, status 0 ($n keys; status $rc)" \
	sh -c "[ $rc -eq 0 ] && grep -q 'run 1 of 2' lost.log && [ '$n' -eq \$(grep -c @time want-bf.dump) ] &&
		grep -q 'kept the newer' lost.log && [ ! -s lost.err ]"
[ $rc -eq 0 ] || cat lost.log lost.err | diag

FS_TRIES=1 FS_ONLINE_TIMEOUT=1s bf gone rows.fifo "$U" lost: > gone.out 2> gone.err &
job=$!
connected && busy
feed
wait $job
rc=$?
unbusy
check "backfill.sh with the store lost on every try: status 75, 'run again later' (status $rc)" \
	sh -c "[ $rc -eq 75 ] && grep -q 'run again later' gone.err && grep -q 'online-timeout' gone.err"
[ $rc -eq 75 ] || cat gone.log gone.err | diag
