#!/bin/sh
# tests/online/fault.sh: the online store going away under a running tool.
#
# The server keeps an append-only file (fsync always), as a store meant to
# survive a crash does: what it acknowledged before a kill -9 is there
# after the restart, and what it did not, the tools send again.
#
# - fsfeat on a live stream, redis-server killed and restarted mid-run:
#   every key ends with its newest values, and the output is byte-identical
#   to a run without the fault;
# - the store gone for longer than --online-timeout: fsfeat saves its state
#   with the writes never acknowledged and exits 75; the restarted run sends
#   them, resumes where the state left off, and both runs' outputs together
#   are one run's; SIGTERM while retrying does the same at once;
# - fsjoin's lookups over the same fault: answered after the restart, in
#   order, the output identical to a run without it.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
. "$top_srcdir/tests/online/redis.sh"
plan 12
cd "$TMP"
spec="$top_srcdir/examples/user.json"
expect() { /usr/bin/python3 "$top_srcdir/tests/online/expect.py" "$@"; }
REDIS_ARGS="--appendonly yes --appendfsync always"
redis_start f
U=$REDIS_URL

# 20,000 events fed in 40 bursts, 0.1 s apart: about 4 s of live stream
awk -v n=20000 -v keys=300 -f "$top_srcdir/examples/gen-events.awk" > ev.ndjson
fsfeat --spec "$spec" ev.ndjson > plain.out 2>/dev/null
fsfeat --spec "$spec" --emit rows ev.ndjson > plain.rows 2>/dev/null
expect user: user_id < plain.rows > want.dump
split -l 500 ev.ndjson chunk.
feed() { for c in chunk.*; do cat "$c"; sleep 0.1; done; }

# ---------------------------------------------------------------- killed and restarted
feed | fsfeat --spec "$spec" --online "$U" --online-timeout 30s > live.out 2> live.err &
pid=$!
sleep 1
redis_stop f
sleep 1
redis_start f
wait $pid
rc=$?
check "fsfeat goes on through the store's restart (status $rc)" [ $rc -eq 0 ]
check "it says the store was lost, and when it came back" \
	sh -c "grep -q 'connection lost' live.err && grep -q 'reconnected after' live.err"
check "its output is byte-identical to a run without the fault" cmp -s live.out plain.out
redis_dump live.dump
if cmp -s live.dump want.dump; then
	ok "every key ends with its newest values"
else
	not_ok "every key ends with its newest values"
	diff want.dump live.dump | head -n 10 | diag
fi

# ---------------------------------------------------------------- gone past the timeout
rcli flushall > /dev/null
awk -v n=400000 -v keys=4000 -f "$top_srcdir/examples/gen-events.awk" > big.ndjson
fsfeat --spec "$spec" big.ndjson > big.out 2>/dev/null
fsfeat --spec "$spec" --emit rows big.ndjson 2>/dev/null | expect user: user_id > big.dump
fsfeat --spec "$spec" --state st --online "$U" --online-timeout 1s big.ndjson > out1 2> err1 &
pid=$!
sleep 0.3
redis_stop f
wait $pid
rc=$?
check "past --online-timeout fsfeat exits 75 (status $rc)" [ $rc -eq 75 ]
check "it says the state holds the writes not acknowledged" \
	grep -q "unreachable for 1s (--online-timeout).*the state st holds the [1-9][0-9]* writes not acknowledged" err1
unsent=$(fsfeat --state st --inspect | sed 's/.*"online_unsent":\([0-9]*\).*/\1/')
check "fsfeat --inspect shows them ($unsent)" [ "$unsent" -gt 0 ]
redis_start f
fsfeat --spec "$spec" --state st --online "$U" big.ndjson > out2 2> err2
rc=$?
check "the restarted run sends them and resumes (status $rc)" [ $rc -eq 0 ]
check "both runs' outputs together are one run's" cmp -s <(cat out1 out2) big.out
redis_dump big-after.dump
check "and the store holds every key's newest values" cmp -s big-after.dump big.dump

# SIGTERM while retrying: no waiting out the timeout
rm -f st
fsfeat --spec "$spec" --state st --online "$U" --online-timeout 60s big.ndjson > /dev/null 2> err3 &
pid=$!
sleep 0.3
redis_stop f
sleep 0.5
kill -TERM $pid
start=$(date +%s)
wait $pid
rc=$?
check "SIGTERM while retrying ends the run at once: status 75 and a state (status $rc, $(($(date +%s) - start)) s)" \
	sh -c "[ $rc -eq 75 ] && [ $(($(date +%s) - start)) -le 3 ] && grep -q 'stopped while the store was unreachable' err3 && [ -s st ]"

# ---------------------------------------------------------------- lookups
redis_start f
fsfeat --spec "$spec" --online "$U" ev.ndjson > /dev/null 2>&1
feats=amt_sum_1h,n_24h,gap
fsjoin --online "$U" --online-prefix user: --key user_id --features $feats ev.ndjson > join.want 2>/dev/null
feed | fsjoin --online "$U" --online-prefix user: --key user_id --features $feats > join.out 2> join.err &
pid=$!
sleep 1
redis_stop f
sleep 1
redis_start f
wait $pid
rc=$?
check "fsjoin's lookups go on through the restart, in order, as without it (status $rc)" \
	sh -c "[ $rc -eq 0 ] && cmp -s join.out join.want && grep -q 'reconnected after' join.err"
