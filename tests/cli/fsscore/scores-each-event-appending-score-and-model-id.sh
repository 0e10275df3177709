# fraud.json: two trees over amount and count; scores equal xgboost's
fsscore --model fraud.json events.ndjson
