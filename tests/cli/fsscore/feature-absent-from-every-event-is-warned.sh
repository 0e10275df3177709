printf '%s\n' '{"features":{"amt":5,"count":1}}' '{"features":{"amt":6,"count":2}}' | fsscore --model fraud.json
