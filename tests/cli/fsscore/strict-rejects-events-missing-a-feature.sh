printf '%s\n' '{"features":{"count":1}}' '{"features":{"amount":null,"count":1}}' | fsscore --model fraud.json --strict
