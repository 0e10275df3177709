cat > s.json <<'J'
{"key":"user","features":[{"name":"n","agg":"count","window":"1m"},{"name":"ms_sum","agg":"sum","field":"ms","window":"1m"}]}
J
printf '%s\n' '2024-01-01T00:00:00Z GET /a user=alice 12ms' '2024-01-01T00:00:30Z GET /b user=alice 30ms' \
 'garbage line' '2024-01-01T00:01:00Z GET /c user=alice 5ms' > app.log
fsfeat --regex '^(?<ts>\S+) (?<method>\S+) (?<path>\S+) user=(?<user>\w+) (?<ms>\d+)ms$' --spec s.json app.log
