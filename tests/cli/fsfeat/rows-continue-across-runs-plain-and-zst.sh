# --rows with --state: each run continues the file where the last one ended,
# a .zst file as whole frames; two daily runs give one run's rows
head -n 3 events.ndjson > day1.ndjson
tail -n +4 events.ndjson > day2.ndjson
fsfeat --spec spec.json --emit rows events.ndjson > want.rows 2>/dev/null
for f in rows.ndjson rows.ndjson.zst; do
	fsfeat --spec spec.json --state st.$f --rows $f < day1.ndjson > /dev/null 2>&1
	fsfeat --spec spec.json --state st.$f --rows $f < day2.ndjson > /dev/null 2>&1
done
cmp rows.ndjson want.rows && echo "plain rows: as one run"
zstd -qt rows.ndjson.zst && zstd -qdc rows.ndjson.zst | cmp - want.rows && echo "zst rows: whole frames, as one run"
