{ cat users.ndjson; echo 'oops'; echo '{"ts":"2024-01-01T00:00:00Z","features":{}}'; echo '{"user_id":"u3","features":{}}'; } > bad-users.ndjson
{ cat spine.ndjson; echo '{"id":5,"user_id":"u1"}'; echo '[1]'; } > bad-spine.ndjson
fsjoin --asof bad-users.ndjson --key user_id bad-spine.ndjson; echo "exit $?"
