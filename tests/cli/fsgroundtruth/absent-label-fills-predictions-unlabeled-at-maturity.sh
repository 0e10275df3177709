# t7 and t8 never get a label: with --absent-label 0 they count as negatives
fsgroundtruth --id tx --labels labels.ndjson --maturity 2d --absent-label 0 --emit joined \
	predictions.ndjson 2>/dev/null | grep -E '"t7"|"t8"|2026-11-03T00|2026-11-05T00'
