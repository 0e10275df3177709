awk -v n=2000 -f gen.awk > train.ndjson && fspsi --fit train.ndjson > base.json
# events a minute apart: 2 hour windows of 120 events, the last one partial
awk -v n=300 -v seed=2 -f gen.awk | fspsi --baseline base.json --window 2h --fields n --format ndjson |
	grep -o '"kind":"[a-z]*","feature":"[a-z]*","start":[^,]*,"end":[^,]*,"n":[0-9]*'
