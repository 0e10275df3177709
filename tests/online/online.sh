#!/bin/sh
# tests/online/online.sh: the online store against a real redis-server.
#
# - consistency: a replay with --online and --rows leaves, for every key, a
#   hash equal to the key's last offline row (tests/online/expect.py reads
#   the rows independently); the output and the rows are those of a run
#   without the store;
# - idempotence: replaying the input again, or its first half after the
#   whole, or two writers at once, changes nothing in the store;
# - reading: fsjoin --online on a spine later than every write gives what
#   fsjoin --asof gives on the offline rows;
# - backfill: the latest row per key, as of a time, through the same
#   newer-wins write, never regressing a newer value;
# - URLs (TCP, database, password), expiry, refusals, --rows .zst, and
#   --rows cut back exactly when a killed run resumes from its state.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
. "$top_srcdir/tests/online/redis.sh"
plan 21
cd "$TMP"
spec="$top_srcdir/examples/user.json"
feats=amt_sum_1h,n_24h,amt_mean_7d,merchants_24h,gap,prev_amt,amt_max_before_1h,amt_ewma_6h
expect() { /usr/bin/python3 "$top_srcdir/tests/online/expect.py" "$@"; }
redis_start r free
U=$REDIS_URL

awk -v n=20000 -v keys=300 -f "$top_srcdir/examples/gen-events.awk" > ev.ndjson
fsfeat --spec "$spec" ev.ndjson > plain.out 2>/dev/null
fsfeat --spec "$spec" --emit rows ev.ndjson > plain.rows 2>/dev/null

# ---------------------------------------------------------------- writing
fsfeat --spec "$spec" --online "$U" --rows rows.ndjson ev.ndjson > live.out 2> live.err
rc=$?
check "a replay with --online and --rows exits 0 (status $rc)" [ $rc -eq 0 ]
check "its output is byte-identical to a run without the store" cmp -s live.out plain.out
check "its --rows file is byte-identical to --emit rows" cmp -s rows.ndjson plain.rows
redis_dump after.dump
expect user: user_id < rows.ndjson > want.dump
if cmp -s after.dump want.dump; then
	ok "every key's hash equals its last offline row ($(wc -l < want.dump) fields of $(rcli dbsize) keys)"
else
	not_ok "every key's hash equals its last offline row"
	diff want.dump after.dump | head -n 20 | diag
fi

fsfeat --spec "$spec" --online "$U" ev.ndjson > /dev/null 2>&1
redis_dump again.dump
check "replaying the same input again changes nothing in the store" cmp -s again.dump after.dump

# the first half again, after the whole: older values are kept out
half=10000
head -n $half ev.ndjson > first.ndjson
fsfeat --spec "$spec" --online "$U" first.ndjson > /dev/null 2>&1
redis_dump half.dump
check "replaying the first half after the whole changes nothing" cmp -s half.dump after.dump

# two writers racing: the first half and the whole, at once, into an empty store
rcli flushall > /dev/null
fsfeat --spec "$spec" --online "$U" ev.ndjson > /dev/null 2>&1 &
w1=$!
fsfeat --spec "$spec" --online "$U" first.ndjson > /dev/null 2>&1 &
wait $w1 $!
redis_dump race.dump
check "two writers at once leave the newest values" cmp -s race.dump after.dump

# ---------------------------------------------------------------- reading
# a spine later than every write: one event per key, and one unknown key
cut -d'"' -f4 ev.ndjson | sort -u | head -n 100 |
	awk '{ printf "{\"user_id\":\"%s\",\"ts\":\"2030-01-01T00:00:%02dZ\",\"n\":%d}\n", $1, NR % 60, NR }' > spine.ndjson
echo '{"user_id":"nobody","ts":"2030-01-02T00:00:00Z","n":0}' >> spine.ndjson
fsjoin --online "$U" --online-prefix user: --key user_id --features "$feats" spine.ndjson > online.out 2> online.err
fsjoin --asof rows.ndjson --key user_id spine.ndjson > asof.out 2>/dev/null
check "fsjoin --online gives the features fsjoin --asof gives on the offline rows" cmp -s online.out asof.out
check "an absent key is counted on stderr" grep -q "100 events found their key, 1 keys absent" online.err
# every field, sorted by name, when --features is not given
fsjoin --online "$U" --online-prefix user: --key user_id spine.ndjson > all.out 2>/dev/null
/usr/bin/python3 - all.out online.out > all.cmp <<'EOF'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
same = all(x["features"] == y["features"] for x, y in zip(a[:-1], b[:-1]))
order = all(list(x["features"]) == sorted(x["features"]) for x in a)
print("ok" if same and order and a[-1]["features"] == {} else "differs")
EOF
check "without --features, every field comes, sorted by name" grep -qx ok all.cmp
# order is kept while lookups are in flight: a long spine, many keys
for _ in 1 2 3 4 5 6 7 8; do cat ev.ndjson; done > long.ndjson
fsjoin --online "$U" --online-prefix user: --key user_id --features n_24h long.ndjson > long.out 2>/dev/null
check "the output keeps the input's order and length over many held lookups" \
	cmp -s <(cut -d, -f1-3 long.out) <(cut -d, -f1-3 long.ndjson)

# ---------------------------------------------------------------- backfill
rcli flushall > /dev/null
fsjoin --backfill rows.ndjson --key user_id --online "$U" --online-prefix user: > bf.out 2> bf.err
redis_dump bf.dump
check "a backfill of the offline rows gives the live writer's store" cmp -s bf.dump after.dump
t=$(sed -n 10000p ev.ndjson | cut -d'"' -f8)
fsjoin --backfill rows.ndjson --key user_id --as-of "$t" --online "$U" --online-prefix user: 2> bf2.err
redis_dump bf2.dump
diff after.dump bf2.dump | head -5 | diag; check "a backfill as of an earlier time keeps every newer value" \
	sh -c "cmp -s bf2.dump after.dump && grep -Eq ' [1-9][0-9]* kept the newer' bf2.err"
rcli flushall > /dev/null
fsjoin --backfill rows.ndjson --key user_id --as-of "$t" --online "$U" --online-prefix user: 2>/dev/null
redis_dump asof.dump
awk -v t="$t" -F'"' '$8 <= t' rows.ndjson | expect user: user_id > want-asof.dump
check "into an empty store, it writes each key's latest row as of that time" cmp -s asof.dump want-asof.dump

# ---------------------------------------------------------------- URLs, expiry, refusals
rcli flushall > /dev/null
fsfeat --spec "$spec" --online "$REDIS_TCP/3" --online-prefix t: first.ndjson > /dev/null 2>&1
check "redis://HOST:PORT/DB writes into that database" \
	sh -c "[ \"\$(redis-cli -s '$REDIS_SOCK' -n 3 dbsize)\" -gt 0 ] && [ \"\$(redis-cli -s '$REDIS_SOCK' -n 0 dbsize)\" -eq 0 ]"

fsfeat --spec "$spec" --online "$U" --online-ttl 400ms --online-prefix ttl: first.ndjson > /dev/null 2>&1
p=$(rcli pttl ttl:u1)
sleep 0.6
check "--online-ttl expires idle entities (pttl was $p)" \
	sh -c "[ $p -gt 0 ] && [ $p -le 400 ] && [ \$(redis-cli -s '$REDIS_SOCK' exists ttl:u1) -eq 0 ]"

rcli set user:u1 not-a-hash > /dev/null
fsfeat --spec "$spec" --online "$U" first.ndjson > /dev/null 2> wrongtype.err
rc=$?
check "a key holding another type is refused: status 69 and a message (status $rc)" \
	sh -c "[ $rc -eq 69 ] && grep -q 'a write was refused: WRONGTYPE' wrongtype.err"
rcli del user:u1 > /dev/null

REDIS_ARGS="--requirepass s3cret" redis_start auth free
fsfeat --spec "$spec" --online "redis://:s3cret@127.0.0.1:${REDIS_TCP##*:}" first.ndjson > /dev/null 2>&1
rc=$?
fsfeat --spec "$spec" --online "redis://:wrong@127.0.0.1:${REDIS_TCP##*:}" first.ndjson > /dev/null 2> auth.err
rc2=$?
check "a password in the URL authenticates; a wrong one is status 69, and not shown" \
	sh -c "[ $rc -eq 0 ] && [ $rc2 -eq 69 ] && grep -q 'redis://:\*\*\*@' auth.err && ! grep -q wrong auth.err"
redis_stop auth
REDIS_SOCK="$TMP/r.sock"

# ---------------------------------------------------------------- --rows
fsfeat --spec "$spec" --rows rows.ndjson.zst ev.ndjson > /dev/null 2>&1
check "--rows FILE.zst is compressed and holds the same rows" \
	cmp -s <(zstd -dc rows.ndjson.zst) plain.rows

# a run killed after a checkpoint, then resumed: the rows file as one run's
awk -v n=300000 -v keys=3000 -f "$top_srcdir/examples/gen-events.awk" > big.ndjson
fsfeat --spec "$spec" --emit rows big.ndjson > big.rows 2>/dev/null
for z in "" .zst; do
	rm -f st rows.part$z
	fsfeat --spec "$spec" --state st --checkpoint 20000 --rows rows.part$z big.ndjson > /dev/null 2>&1 &
	pid=$!
	for _ in $(seq 500); do [ -s st ] && break; sleep 0.01; done
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	fsfeat --spec "$spec" --state st --rows rows.part$z big.ndjson > /dev/null 2>&1
	if [ -n "$z" ]; then zstd -qdc rows.part$z > rows.whole; else cp rows.part rows.whole; fi
	check "--rows$z after a kill -9 and a resume equals one uninterrupted run" cmp -s rows.whole big.rows
done
