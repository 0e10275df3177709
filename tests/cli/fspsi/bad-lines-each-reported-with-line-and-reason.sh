awk -v n=200 -f gen.awk > train.ndjson && fspsi --fit train.ndjson > base.json
{ head -n 3 train.ndjson; echo '{"features":'; echo '[1,2]'; echo '{"ts":"yesterday","features":{}}'; } > bad.ndjson
fspsi --baseline base.json --window 1h --fields n bad.ndjson | grep -c '"kind":"summary"'
echo "exit $?"
