zstd -q -c users.ndjson > users.ndjson.zst
head -n 2 users.ndjson > d1.ndjson && tail -n 2 users.ndjson > d2.ndjson && tar czf days.tar.gz d1.ndjson d2.ndjson
fsjoin --asof users.ndjson --key user_id spine.ndjson > plain.out
fsjoin --asof users.ndjson.zst --key user_id spine.ndjson | cmp - plain.out && echo "zstd: same"
fsjoin --asof days.tar.gz --key user_id spine.ndjson | cmp - plain.out && echo "tar.gz of two days: same"
