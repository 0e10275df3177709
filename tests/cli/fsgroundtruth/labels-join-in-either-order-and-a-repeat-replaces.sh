# t3's label comes before its prediction; t1's second label replaces its first
fsgroundtruth --id tx --labels labels.ndjson --maturity 2d --emit joined predictions.ndjson
echo "exit $?"
