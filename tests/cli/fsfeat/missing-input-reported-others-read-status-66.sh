fsfeat --spec spec.json no-such-file.ndjson events.ndjson
