# a table joins by key alone: its latest row (rows without a time lose to rows with one);
# a row without a features object gives its fields other than key and time
fsjoin --asof users.ndjson --key user_id --table merchants.ndjson --key merchant_id spine.ndjson
