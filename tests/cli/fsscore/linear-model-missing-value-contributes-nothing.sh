# amount missing: as if it were its centre, 80
printf '%s\n' '{"features":{"count":4}}' '{"features":{"amount":80,"count":4}}' '{"features":{"amount":120,"count":4}}' \
	| fsscore --model linear.json
