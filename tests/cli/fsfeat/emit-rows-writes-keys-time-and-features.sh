cat > s.json <<'J'
{"key":["user.id","country"],"features":[{"name":"n","agg":"count"},
 {"name":"m_n","agg":"count","key":"merchant"}]}
J
printf '%s\n' '{"user":{"id":7,"name":"x"},"country":"DE","merchant":"m1","ts":"2024-01-01T00:00:00+01:00","amount":1}' \
 '{"user":{"id":7},"country":"FR","merchant":"m1","ts":"2024-01-01T00:00:01+01:00"}' | fsfeat --spec s.json --emit rows
