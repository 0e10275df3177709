fsgroundtruth --id tx --labels labels.ndjson --maturity 2d --alert 'precision<0.9' \
	--alert 'labeled_share <= 0.5' predictions.ndjson 2>&1 | grep -v '"kind":"metrics"'
fsgroundtruth --id tx --labels labels.ndjson --maturity 2d --alert 'precision<0.9' predictions.ndjson >/dev/null 2>&1
echo "exit $?"
fsgroundtruth --id tx --labels labels.ndjson --maturity 2d --alert 'precision<0.1' predictions.ndjson >/dev/null 2>&1
echo "exit $?"
