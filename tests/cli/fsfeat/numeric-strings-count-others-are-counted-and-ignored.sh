cat > s.json <<'J'
{"key":"k","features":[
 {"name":"sum","agg":"sum","field":"v"},{"name":"n_v","agg":"count","field":"v"},
 {"name":"min","agg":"min","field":"v"},{"name":"max","agg":"max","field":"v"}]}
J
printf '%s\n' \
 '{"k":1,"ts":1,"v":"12.50"}' '{"k":1,"ts":2,"v":"abc"}' '{"k":1,"ts":3,"v":null}' \
 '{"k":1,"ts":4}' '{"k":1,"ts":5,"v":true}' '{"k":1,"ts":6,"v":"-3e2"}' '{"k":1,"ts":7,"v":" 1"}' \
 | fsfeat --spec s.json
