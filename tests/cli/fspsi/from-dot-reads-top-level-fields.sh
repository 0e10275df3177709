printf '{"x":%d,"k":"%s"}\n' 1 a 2 b 3 a 4 c 5 a 6 b 7 a 8 a 9 b 10 a > t.ndjson
fspsi --fit --from . --bins 3 t.ndjson > b.json && cat b.json
printf '{"x":%d,"k":"%s"}\n' 10 a 20 d 30 d | fspsi --baseline b.json --format table
