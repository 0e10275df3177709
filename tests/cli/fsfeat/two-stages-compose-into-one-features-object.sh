cat > merchant.json <<'J'
{"key":"merchant","features":[{"name":"m_n","agg":"count"},{"name":"m_sum","agg":"sum","field":"amount"}]}
J
printf '%s\n' '{"user_id":"u1","merchant":"m","ts":1,"amount":3}' '{"user_id":"u2","merchant":"m","ts":2,"amount":4}' \
 | fsfeat --spec spec.json | fsfeat --spec merchant.json
