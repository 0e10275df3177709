fsfeat --spec spec.json -o out.ndjson.zst events.ndjson && fsfeat --spec spec.json events.ndjson > plain.ndjson
fsfeat --spec spec.json -o - events.ndjson | cmp - plain.ndjson && echo "-o - is stdout"
# fsfeat reads its own compressed output: pass it through a second stage keyed elsewhere
printf '{"key":"user_id","features":[{"name":"again","agg":"count"}]}\n' > again.json
fsfeat --spec again.json out.ndjson.zst | head -n 2
