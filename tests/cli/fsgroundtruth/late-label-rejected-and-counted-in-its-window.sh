# t4 (2026-11-01T20:00) is labeled 2026-11-06, after its 2d maturity
fsgroundtruth --id tx --labels labels.ndjson --maturity 2d predictions.ndjson | grep '"2026-11-01T00:00:00Z"'
