# fsscore reads features from the bytes; FSTOOLS_PARSE_ALL=1 makes it parse
# every line instead: both must write the same, also for escaped keys,
# duplicate keys, numeric text, booleans, nulls, clashes and bad values
cat > odd.ndjson <<'X'
{"features":{"amount":150,"count":1}}
{"features":{"amount":1,"amount":99.5,"count":"3"}}
{"features":{"am\u006funt":150,"count":true}}
{"features":{"amount":null,"count":false},"note":"caf\u00e9"}
{"sc\u006fre":1,"features":{"amount":150,"count":1}}
{"features":{"amount":"12 EUR","count":1}}
{"features":{"amount":1e2,"count":-0.0}}
{"features":{"count":2}}
{"x":{"features":1},"features":{"amount":3,"count":4}}
X
fsscore -m fraud.json odd.ndjson > raw.out 2> raw.err
FSTOOLS_PARSE_ALL=1 fsscore -m fraud.json odd.ndjson > parsed.out 2> parsed.err
cmp raw.out parsed.out && cmp raw.err parsed.err && echo "same output and errors either way"
cat raw.out raw.err
