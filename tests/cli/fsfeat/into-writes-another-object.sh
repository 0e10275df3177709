fsfeat --spec spec.json --into f events.ndjson | head -n 2
