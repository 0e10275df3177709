cat > ex.json <<'J'
{"key":"user_id","features":[
 {"name":"sum_before","agg":"sum","field":"amount","window":"1h","include_current":false},
 {"name":"n_before","agg":"count","window":"1h","include_current":false},
 {"name":"mean_before","agg":"mean","field":"amount","window":"1h","include_current":false}]}
J
printf '%s\n' \
 '{"user_id":"a","ts":"2024-01-01T00:00:00Z","amount":1}' \
 '{"user_id":"a","ts":"2024-01-01T00:00:00Z","amount":2}' \
 '{"user_id":"a","ts":"2024-01-01T00:30:00Z","amount":4}' | fsfeat --spec ex.json
