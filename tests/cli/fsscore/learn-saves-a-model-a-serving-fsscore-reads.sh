# learn from labelled events, save; a plain fsscore serves the saved model with its hashed field
awk 'BEGIN { srand(3); for (i = 1; i <= 2000; i++) { a = rand() * 4 - 2; m = (i % 3 == 0) ? "red" : "blue"
	z = 2 * a + (m == "red" ? 1 : -1); y = (rand() < 1 / (1 + exp(-z))) ? 1 : 0
	printf "{\"id\":%d,\"features\":{\"a\":%.4f},\"colour\":\"%s\",\"y\":%d}\n", i, a, m, y } }' > train.ndjson
fsscore --learn --label y --features a --hash colour --hash-bits 8 --save model.json --progress-every 500 train.ndjson > learned.ndjson; echo "exit $?"
tail -n 1 learned.ndjson
sed 's/"learning".*/"learning": .../' model.json
fsscore --model model.json --check
echo '{"id":"new","features":{"a":0.5},"colour":"red"}' | fsscore --model model.json
# the same event through a learner continuing from the file scores the same
echo '{"id":"new","features":{"a":0.5},"colour":"red"}' | fsscore --learn --label y --model model.json -q
# and --suffix names the fields of a second score
echo '{"id":"new","features":{"a":0.5},"colour":"red"}' | fsscore --model model.json | fsscore --model model.json --suffix _again
