fsgroundtruth --id tx --labels labels.ndjson --maturity 2d --window 4 predictions.ndjson 2>/dev/null |
	cut -c1-160
