fsgroundtruth --id tx --labels labels.ndjson --maturity 2d --emit joined predictions.ndjson > raw.out 2> raw.err
FSTOOLS_PARSE_ALL=1 fsgroundtruth --id tx --labels labels.ndjson --maturity 2d --emit joined predictions.ndjson > parsed.out 2> parsed.err
cmp raw.out parsed.out && cmp raw.err parsed.err && echo same
