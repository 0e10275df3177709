echo '{"tx":"t1","ts":"2026-11-01T01:00:00Z","score":0.9,"label":"x"}' > p.ndjson
fsgroundtruth --id tx --labels labels.ndjson --emit joined p.ndjson 2>&1 >/dev/null | head -n 1
