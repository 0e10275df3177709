awk -v n=400 -f gen.awk > train.ndjson
fspsi --fit --fields score --bins 4 train.ndjson
