awk -v n=4000 -f gen.awk > train.ndjson && fspsi --fit train.ndjson > base.json
awk -v n=2000 -v seed=3 -v shift=1 -v nulls=0.1 -f gen.awk | fspsi --baseline base.json --window 500 --format table
echo "exit $?"
