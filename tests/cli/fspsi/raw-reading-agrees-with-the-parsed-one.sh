# fspsi reads features from the bytes; FSTOOLS_PARSE_ALL=1 makes it parse
# every line instead: both readings must agree, also on escaped keys,
# duplicates, numeric text, booleans, values outside the features object
# and missing objects, with windows by count or by event time
awk -v n=500 -f gen.awk > train.ndjson && fspsi --fit train.ndjson > base.json
cat > odd.ndjson <<'X'
{"ts":1700000000,"features":{"amount":9.5,"n":"3","channel":"web"},"score":0.5}
{"ts":1700000060,"features":{"amount":1,"amount":12.25,"n":2,"channel":"w\u0065b"},"score":"0.25"}
{"ts":1700000120,"features":{"am\u006funt":8,"n":true,"channel":7},"score":null}
{"ts":1700000180,"amount":11,"n":4,"score":0.9,"channel":"pos"}
{"ts":1700000240,"features":{"amount":[1],"n":{"x":1},"channel":"ios"},"score":1e-3}
{"ts":1700000300,"features":{"amount":-0,"n":4.0,"channel":"\u0070os"},"score":-0.0}
X
fspsi --baseline base.json --format table odd.ndjson > raw.txt
FSTOOLS_PARSE_ALL=1 fspsi --baseline base.json --format table odd.ndjson > parsed.txt
cmp raw.txt parsed.txt && echo "same summary either way"
fspsi --baseline base.json --window 2m odd.ndjson > raw-time.ndjson
FSTOOLS_PARSE_ALL=1 fspsi --baseline base.json --window 2m odd.ndjson > parsed-time.ndjson
cmp raw-time.ndjson parsed-time.ndjson && echo "same records with windows of event time"
cat raw.txt
printf '%s\n' '{"ts":"yesterday","features":{}}' '{"features":{}}' '{"ts":1e999}' | fspsi --baseline base.json --window 1h > /dev/null
printf '%s\n' '{"ts":"yesterday","features":{}}' '{"features":{}}' | FSTOOLS_PARSE_ALL=1 fspsi --baseline base.json --window 1h > /dev/null
