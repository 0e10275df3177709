cp merchants.ndjson t.ndjson
mkfifo in
fsjoin --table t.ndjson --key merchant_id < in > out.ndjson 2> err.txt &
pid=$!
exec 3> in
echo '{"merchant_id":"m2"}' >&3
while [ "$(wc -l < out.ndjson)" -lt 1 ]; do sleep 0.05; done
echo '{"merchant_id":"m2","risk":0.95,"country":"DE"}' >> t.ndjson
kill -HUP $pid
while ! grep -q reloaded err.txt; do sleep 0.05; done
echo '{"merchant_id":"m2"}' >&3
exec 3>&-
wait $pid
cat out.ndjson
sed 's/^fsjoin: //' err.txt
