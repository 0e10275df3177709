printf '%s\n' '{"user_id":"a","ts":"2024-01-01T01:00:00Z","amount":1}' \
 '{"user_id":"a","ts":"2024-01-01T00:59:00Z","amount":2}' \
 '{"user_id":"a","ts":"2024-01-01T00:10:00Z","amount":3}' \
 '{"user_id":"a","ts":"2024-01-01T01:00:01Z","amount":4}' | fsfeat --spec spec.json --lateness 5m
