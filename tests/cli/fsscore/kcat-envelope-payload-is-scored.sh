printf '%s\n' '{"topic":"tx","partition":0,"offset":7,"key":"u1","payload":"{\"features\":{\"amount\":150,\"count\":1}}"}' \
	| fsscore --kcat --model fraud.json
