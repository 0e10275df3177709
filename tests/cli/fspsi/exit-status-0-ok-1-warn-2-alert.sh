awk -v n=4000 -f gen.awk > train.ndjson && fspsi --fit train.ndjson > base.json
awk -v n=2000 -v seed=3 -f gen.awk > same.ndjson
awk -v n=2000 -v seed=3 -v shift=0.35 -f gen.awk > small.ndjson
awk -v n=2000 -v seed=3 -v shift=1 -f gen.awk > big.ndjson
for s in same small big; do
	fspsi --baseline base.json --fields amount --format table $s.ndjson | sed -n 2p
	fspsi --baseline base.json --fields amount $s.ndjson > /dev/null; echo "$s: exit $?"
done
fspsi --baseline base.json --warn 0.5 --alert 5 big.ndjson > /dev/null; echo "big with --warn 0.5 --alert 5: exit $?"
