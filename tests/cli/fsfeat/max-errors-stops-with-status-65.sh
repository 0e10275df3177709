printf '%s\n' '{"user_id":"a","ts":1}' x y z '{"user_id":"a","ts":2}' | fsfeat --spec spec.json --max-errors 2
