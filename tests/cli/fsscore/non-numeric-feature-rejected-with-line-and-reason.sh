# booleans count as 1 and 0; other non-numbers reject the line
printf '%s\n' '{"features":{"amount":"12 EUR","count":1}}' '{"features":{"amount":true,"count":false}}' \
	'{"features":{"amount":[1],"count":1}}' '{"features":{"amount":{"v":1},"count":1}}' \
	'{"features":{"amount":"0x10","count":1}}' | fsscore --model fraud.json; echo "exit $?"
