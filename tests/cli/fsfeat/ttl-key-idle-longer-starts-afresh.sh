# --ttl 1h: a gap of exactly 1h continues the key; 1h1s starts it afresh, as if new.
printf '{"key":"k","features":[{"name":"n","agg":"count"},{"name":"s","agg":"sum","field":"v","window":"1d"},{"name":"gap","agg":"time_since_last"},{"name":"d","agg":"count_distinct","field":"v"}]}\n' > s.json
printf '%s\n' '{"k":"a","ts":0,"v":1}' '{"k":"a","ts":3600,"v":2}' '{"k":"b","ts":4000,"v":5}' \
 '{"k":"a","ts":7201,"v":4}' '{"k":"a","ts":7000,"v":4}' '{"k":"b","ts":20000,"v":1}' '{"k":"a","ts":20000,"v":8}' \
 | fsfeat --spec s.json --ttl 1h
fsfeat --spec s.json --ttl 0s < /dev/null; echo "exit $?"
