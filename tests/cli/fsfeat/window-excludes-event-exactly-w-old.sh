# u1 at 00:00 and at 01:00 are exactly 1h apart: the 01:00 window (00:00, 01:00] leaves 00:00 out.
fsfeat --spec spec.json events.ndjson
