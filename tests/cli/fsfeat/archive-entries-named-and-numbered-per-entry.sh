mkdir d && printf '%s\n' '{"user_id":"a","ts":1}' 'oops' > d/one.ndjson && printf '%s\n' 'bad' '{"user_id":"a","ts":2}' > d/two.ndjson
tar -cf day.tar -C d one.ndjson two.ndjson && gzip -c day.tar > day.tar.gz
fsfeat --spec spec.json day.tar.gz
printf 'also bad\n' | gzip -c > x.ndjson.gz && fsfeat --spec spec.json x.ndjson.gz; echo "exit $?"
printf 'also bad\n' | fsfeat --spec spec.json - ; echo "exit $?"
