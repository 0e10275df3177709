cp merchants.ndjson t.ndjson
mkfifo in
fsjoin --table t.ndjson --key merchant_id < in > out.ndjson 2> err.txt &
pid=$!
exec 3> in
# wait_for COMMAND...: until it succeeds, at most 10 s
wait_for() { i=0; until "$@"; do i=$((i + 1)); [ $i -gt 200 ] && { echo "timed out: $*"; return 1; }; sleep 0.05; done; }
echo '{"merchant_id":"m2"}' >&3
wait_for test -s out.ndjson
echo '{"merchant_id":"m2","risk":0.95,"country":"DE"}' >> t.ndjson
kill -HUP $pid
wait_for grep -q reloaded err.txt
echo '{"merchant_id":"m2","risk":0.99,"country":"DE"}' >> t.ndjson
kill -HUP $pid
wait_for sh -c 'test "$(grep -c reloaded err.txt)" -eq 2'
echo '{"merchant_id":"m2"}' >&3
exec 3>&-
wait $pid
echo "exit $?"
cat out.ndjson
sed 's/^fsjoin: //' err.txt
