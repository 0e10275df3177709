fsjoin --asof users.ndjson --key user_id --into user spine.ndjson
