# With --kcat the record is the payload; @key and @ts (milliseconds) come from the envelope.
cat > s.json <<'J'
{"key":"@key","features":[{"name":"n","agg":"count","window":"1s"},{"name":"sum","agg":"sum","field":"amount","window":"1s"},
 {"name":"part","agg":"last","field":"@partition"}]}
J
printf '%s\n' \
 '{"topic":"tx","partition":1,"offset":10,"tstype":"create","ts":1700000000000,"broker":0,"key":"u1","payload":"{\"amount\":1}"}' \
 '{"topic":"tx","partition":1,"offset":11,"tstype":"create","ts":1700000000500,"broker":0,"key":"u1","payload":"{\"amount\":2,\"x\":\"y\"}"}' \
 '{"topic":"tx","partition":1,"offset":12,"tstype":"create","ts":1700000001000,"broker":0,"key":"u1","payload":"{\"amount\":4}"}' \
 '{"topic":"tx","partition":1,"offset":13,"tstype":"create","ts":1700000001000,"broker":0,"key":"u1","payload":null}' \
 '{"topic":"tx","partition":1,"offset":14,"tstype":"create","ts":1700000001000,"broker":0,"key":"u1","payload":"not json"}' \
 '{"not":"an envelope"}' | fsfeat --kcat --time-field @ts --spec s.json
