cat > s.json <<'J'
{"key":"user_id","features":[
 {"name":"user_n","agg":"count"},
 {"name":"merchant_n","agg":"count","key":"merchant_id"},
 {"name":"pair_n","agg":"count","key":["user_id","merchant_id"]},
 {"name":"merchants_seen","agg":"count_distinct","field":"merchant_id"}]}
J
printf '%s\n' '{"user_id":"u1","merchant_id":"m1","ts":1}' '{"user_id":"u1","merchant_id":"m2","ts":2}' \
 '{"user_id":"u2","merchant_id":"m1","ts":3}' '{"user_id":"u1","merchant_id":"m1","ts":4}' \
 '{"user_id":1,"merchant_id":7,"ts":5}' '{"user_id":"1","merchant_id":"7","ts":6}' | fsfeat --spec s.json
