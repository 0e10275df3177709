yes '{"user_id":"a","ts":1,"amount":1}' | head -n 200000 > many.ndjson
fsfeat --spec spec.json many.ndjson | head -n 1
