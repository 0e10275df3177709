printf '%s\n' '{"user_id":"a","t":1704067200000,"amount":1}' '{"user_id":"a","t":"1704069000000","amount":1}' \
 '{"user_id":"a","t":1704070800000.5,"amount":1}' | fsfeat --spec spec.json -t t -u ms
printf '%s\n' '{"user_id":"a","ts":"2024-01-01T02:00:00+02:00"}' '{"user_id":"a","ts":"2024-01-01t00:30:00.000000001z"}' \
 '{"user_id":"a","ts":"2023-12-31 19:00:00-05:30"}' '{"user_id":"a","ts":"2024-01-01T01:29:60Z"}' | fsfeat --spec spec.json
