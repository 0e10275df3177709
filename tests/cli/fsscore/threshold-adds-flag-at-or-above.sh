fsscore --model fraud.json --threshold 0.7109494805335999 events.ndjson
fsscore --model fraud.json --threshold abc events.ndjson; echo "exit $?"
fsscore --model classes.json --threshold 0.5 events.ndjson; echo "exit $?"
