{
	cat predictions.ndjson
	echo '{"tx":"b1","ts":"2026-11-08T10:00:00Z","score":1.5}'
	echo '{"tx":"b2","ts":"2026-11-08T10:00:00Z"}'
	echo '{"ts":"2026-11-08T10:00:00Z","score":0.5}'
	echo '{"tx":"t9","ts":"2026-11-08T11:00:00Z","score":0.5}'
	echo '{"tx":"b3","ts":"2026-11-01T10:00:00Z","score":0.5}'
	echo '{"tx":"b4","score":0.5}'
	echo 'not json'
} > p.ndjson
{
	cat labels.ndjson
	echo '{"tx":"t9","ts":"2026-11-08T12:00:00Z","label":"maybe"}'
	echo '{"tx":"t9","ts":"2026-11-08T12:00:00Z","label":2}'
	echo '{"tx":"t9","ts":"2026-11-08T12:00:00Z"}'
} > l.ndjson
fsgroundtruth --id tx --labels l.ndjson --maturity 2d p.ndjson >/dev/null
echo "exit $?"
