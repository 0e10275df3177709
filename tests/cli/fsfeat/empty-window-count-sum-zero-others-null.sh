cat > s.json <<'J'
{"key":"k","features":[
 {"name":"count","agg":"count","window":"1s","include_current":false},
 {"name":"sum","agg":"sum","field":"v","window":"1s"},
 {"name":"mean","agg":"mean","field":"v","window":"1s"},
 {"name":"min","agg":"min","field":"v","window":"1s"},
 {"name":"max","agg":"max","field":"v","window":"1s"},
 {"name":"sd","agg":"stddev","field":"v","window":"1s"},
 {"name":"var","agg":"variance","field":"v","window":"1s"},
 {"name":"last","agg":"last","field":"v","window":"1s"},
 {"name":"distinct","agg":"count_distinct","field":"v","window":"1s"},
 {"name":"ewma","agg":"ewma","field":"v","halflife":"1s"},
 {"name":"lag","agg":"lag","field":"v"},
 {"name":"gap","agg":"time_since_last"}]}
J
printf '%s\n' '{"k":"x","ts":10}' '{"k":"x","ts":20,"v":3}' | fsfeat --spec s.json
