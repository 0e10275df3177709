# zz's label is given up when t9 comes (a line held, rejected later): it is
# the second rejected line, past --max-errors 1, and the run stops there,
# before t10 is read
{ cat predictions.ndjson; echo '{"tx":"t10","ts":"2026-11-09T09:00:00Z","score":0.5}'; } > p.ndjson
fsgroundtruth --id tx --labels labels.ndjson --maturity 2d --max-errors 1 p.ndjson > out.ndjson
echo "exit $?"
grep -c '"kind":"metrics"' out.ndjson
