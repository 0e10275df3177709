# Field order, number spellings, escapes, unknown fields and big integers stay as they came.
printf '%s\n' '{ "z":1.50, "user_id" : "u\u00e9", "ts":1.5e9, "amount":1E2, "big":123456789012345678901234567890, "n":[1,{"a":null}], "s":"\"q\"" }  ' \
 '{"user_id":"u","ts":1700000000,"amount":-0.0}' | fsfeat --spec spec.json
