# predictions and labels in two halves each, resumed through a state file
head -n 5 predictions.ndjson > p1.ndjson; tail -n +6 predictions.ndjson > p2.ndjson
head -n 4 labels.ndjson > l1.ndjson; tail -n +5 labels.ndjson > l2.ndjson
cat p1.ndjson p2.ndjson > p.ndjson; cat l1.ndjson l2.ndjson > l.ndjson
fsgroundtruth --id tx --labels l.ndjson --maturity 2d --emit joined --state one.state p.ndjson > one.out 2>/dev/null
fsgroundtruth --id tx --labels l1.ndjson --maturity 2d --emit joined --state s p1.ndjson > two.out 2>/dev/null
fsgroundtruth --id tx --labels l2.ndjson --maturity 2d --emit joined --state s p2.ndjson >> two.out 2>/dev/null
cmp one.out two.out && echo "resumed output equals one run ($(wc -l < one.out) lines)"
fsgroundtruth --id tx --labels l2.ndjson --maturity 3d --state s p2.ndjson; echo "exit $?"
