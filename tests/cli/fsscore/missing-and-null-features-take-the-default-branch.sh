# amount's split sends missing values left (-0.5), count's right (0.3):
# absent and null are the same missing value
printf '%s\n' '{"features":{"count":1}}' '{"features":{"amount":null,"count":null}}' \
	'{"features":{}}' | fsscore --model fraud.json
