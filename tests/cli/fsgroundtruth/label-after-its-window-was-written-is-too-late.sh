# t1's window is written when t2 (four days on) comes; a label for t1 read
# after that is too late (not unmatched), and counts in no window
printf '%s\n' '{"tx":"t1","ts":"2026-11-01T01:00:00Z","score":0.9}' \
	'{"tx":"t2","ts":"2026-11-05T01:00:00Z","score":0.2}' > p.ndjson
printf '%s\n' '{"tx":"t1","ts":"2026-11-05T02:00:00Z","label":1}' > l.ndjson
fsgroundtruth --id tx --labels l.ndjson --maturity 2d p.ndjson | cut -c1-120
