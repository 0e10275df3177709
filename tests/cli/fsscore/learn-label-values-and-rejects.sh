# labels: 0/1, true/false, "1", null and absent (scored, not learned); others rejected with the reason
cat > labelled.ndjson <<'X'
{"id":1,"features":{"amount":150},"merchant":"m1","fraud":1}
{"id":2,"features":{"amount":20},"merchant":"m2","fraud":false}
{"id":3,"features":{"amount":90},"merchant":"m1","fraud":"1"}
{"id":4,"features":{"amount":30},"merchant":"m3","fraud":null}
{"id":5,"features":{"amount":30},"merchant":"m3"}
{"id":6,"features":{"amount":40},"merchant":"m2","fraud":0.5}
{"id":7,"features":{"amount":40},"merchant":"m2","fraud":"yes"}
{"id":8,"features":{"amount":40},"merchant":["m2"],"fraud":0}
{"id":9,"features":{"amount":"12.50"},"merchant":17,"fraud":true}
{"id":10,"features":{"amount":"n/a"},"merchant":"m1","fraud":0}
X
fsscore --learn --label fraud --features amount --hash merchant --progress progress.ndjson labelled.ndjson; echo "exit $?"
cat progress.ndjson
# squared loss learns from any number
fsscore --learn --label fraud --loss squared --features amount -q labelled.ndjson 2>&1 | grep -c score
