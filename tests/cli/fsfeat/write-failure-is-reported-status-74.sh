fsfeat --spec spec.json events.ndjson > /dev/full
