awk -v n=2000 -f gen.awk > train.ndjson && fspsi --fit train.ndjson > base.json
awk -v n=600 -v seed=2 -f gen.awk > stream.ndjson
fspsi --baseline base.json --window 300 --fields amount stream.ndjson; echo "exit $?"
