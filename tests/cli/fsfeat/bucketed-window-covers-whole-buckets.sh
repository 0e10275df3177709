# 3h window of 1h buckets: at 04:00 the window holds buckets 02:00-04:59, so
# the 01:59 event has left although it is less than 3h old.
printf '{"key":"k","features":[{"name":"n","agg":"count","window":"3h","bucket":"1h"},{"name":"s","agg":"sum","field":"v","window":"3h","bucket":"1h"},{"name":"mx","agg":"max","field":"v","window":"3h","bucket":"1h"},{"name":"d","agg":"count_distinct","field":"m","window":"3h","bucket":"1h"},{"name":"s_before","agg":"sum","field":"v","window":"3h","bucket":"1h","include_current":false}]}\n' > s.json
printf '%s\n' '{"k":"a","ts":"2024-01-01T00:10:00Z","v":1,"m":"x"}' '{"k":"a","ts":"2024-01-01T01:59:00Z","v":5,"m":"y"}' \
 '{"k":"a","ts":"2024-01-01T02:30:00Z","v":2,"m":"x"}' '{"k":"a","ts":"2024-01-01T03:00:00Z","v":3,"m":"z"}' \
 '{"k":"a","ts":"2024-01-01T04:00:00Z","v":1,"m":"x"}' '{"k":"a","ts":"2024-01-01T08:00:00Z","v":7,"m":"x"}' | fsfeat --spec s.json
t() { printf '{"key":"k","features":[%s]}\n' "$1" > bad.json; fsfeat --spec bad.json < /dev/null; echo "exit $?"; }
t '{"name":"a","agg":"sum","field":"v","window":"90m","bucket":"1h"}'
t '{"name":"a","agg":"sum","field":"v","bucket":"1h"}'
t '{"name":"a","agg":"lag","field":"v","window":"2h","bucket":"1h"}'
