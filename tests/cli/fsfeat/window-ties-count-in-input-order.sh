# Three events at the same instant: each sees itself and those before it, never those after.
printf '%s\n' \
 '{"user_id":"a","ts":"2024-01-01T00:00:00Z","amount":1}' \
 '{"user_id":"a","ts":"2024-01-01T00:00:00Z","amount":2}' \
 '{"user_id":"a","ts":"2024-01-01T00:00:00Z","amount":4}' | fsfeat --spec spec.json
