# Every kind of bad line: each goes to the error output with its line and reason; good lines go on.
printf '%s\n' \
 '{"user_id":"u1","ts":"2024-01-01T00:00:00Z","amount":1}' \
 'not json' \
 '[1,2,3]' \
 '"a string"' \
 '{"user_id":"u1","ts":"2024-01-01T00:00:00Z",' \
 '{"user_id":"u1"}' \
 '{"user_id":"u1","ts":"yesterday"}' \
 '{"user_id":"u1","ts":null}' \
 '{"user_id":"u1","ts":"2024-02-30T00:00:00Z"}' \
 '{"ts":"2024-01-01T00:00:00Z"}' \
 '{"user_id":null,"ts":"2024-01-01T00:00:00Z"}' \
 '{"user_id":{"id":1},"ts":"2024-01-01T00:00:00Z"}' \
 '{"user_id":"u1","ts":"2024-01-01T00:00:00Z","features":7}' \
 '{"user_id":"u1","ts":"2024-01-01T00:00:00Z","features":{"gap":1}}' \
 '' \
 '{"user_id":"u1","ts":"2024-01-01T00:05:00Z","amount":2}' > bad.ndjson
fsfeat --spec spec.json bad.ndjson
