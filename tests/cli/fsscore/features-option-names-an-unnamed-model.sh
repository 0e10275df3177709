fsscore --model unnamed.json --features amount,count events.ndjson
fsscore --model unnamed.json events.ndjson; echo "exit $?"
fsscore --model unnamed.json --features amount events.ndjson; echo "exit $?"
fsscore --model unnamed.json --features amount,,count events.ndjson; echo "exit $?"
