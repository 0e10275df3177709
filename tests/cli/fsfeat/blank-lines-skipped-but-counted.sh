printf '%s\n' '{"user_id":"a","ts":1}' '' '   ' '{"user_id":"a","ts":2' '{"user_id":"a","ts":3}' | fsfeat --spec spec.json
printf '{"user_id":"a","ts":4}\r\n{"user_id":"a","ts":5}' | fsfeat --spec spec.json
