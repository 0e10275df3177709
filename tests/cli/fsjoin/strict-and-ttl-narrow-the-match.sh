fsjoin --asof users.ndjson --key user_id --strict spine.ndjson
fsjoin --asof users.ndjson --key user_id --ttl 30m spine.ndjson
