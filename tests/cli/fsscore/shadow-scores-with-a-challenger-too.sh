fsscore --model fraud.json --shadow challenger.json --threshold 0.72 events.ndjson
