# XGBoost: x < threshold goes left, so 100 and 3 go right; a string number counts
printf '%s\n' '{"features":{"amount":100,"count":3}}' '{"features":{"amount":99.99999,"count":"2.9999"}}' \
	'{"features":{"amount":1e2,"count":3.0}}' | fsscore --model fraud.json
