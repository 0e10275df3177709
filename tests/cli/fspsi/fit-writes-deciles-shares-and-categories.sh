awk -v n=400 -f gen.awk > train.ndjson
fspsi --fit train.ndjson
