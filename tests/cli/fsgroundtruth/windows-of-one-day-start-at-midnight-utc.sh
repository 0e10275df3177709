# epoch-seconds times, and a label time field of its own
awk '{ print }' predictions.ndjson | sed 's/"ts":"2026-11-01T01:00:00Z"/"ts":1793494800/' > p.ndjson
sed 's/"ts"/"at"/' labels.ndjson > l.ndjson
fsgroundtruth --id tx --labels l.ndjson --label-time-field at --maturity 2d p.ndjson 2>/dev/null |
	cut -c1-120
