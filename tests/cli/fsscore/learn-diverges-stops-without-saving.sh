# a feature of huge scale with squared loss and a constant rate: the weights blow up
awk 'BEGIN { for (i = 1; i <= 400; i++) printf "{\"id\":%d,\"features\":{\"x\":%d},\"y\":%d}\n", i, i * 1000000, i }' > big.ndjson
fsscore --learn --label y --loss squared --algorithm sgd --schedule constant --alpha 0.5 --features x \
	--save m.json --save-every 1 -q big.ndjson > out.ndjson; echo "exit $?"
echo "$(wc -l < out.ndjson) events scored"
grep -o '"examples":[0-9]*' m.json
# with the gradient clipped it does not
fsscore --learn --label y --loss squared --algorithm sgd --schedule constant --alpha 0.5 --features x \
	--clip 1 --save m2.json -q big.ndjson > /dev/null; echo "exit $?"
