fsscore --model classes.json events.ndjson
