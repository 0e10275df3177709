fsscore --model fraud.json events.ndjson | fsscore --model fraud.json; echo "exit $?"
