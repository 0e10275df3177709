printf '%s\n' '{"u":"a","m":"x","ts":1,"features":{"f":1}}' '{"u":"a","m":"y","ts":1,"features":{"f":2}}' > pair.ndjson
printf '%s\n' '{"u":"a","m":"y","ts":5}' '{"u":"a","m":"x","ts":0}' '{"u":"a","ts":5}' | fsjoin --asof pair.ndjson --key u,m -u s
