printf '{"key":["user.id","user.org"],"features":[{"name":"n","agg":"count"}]}\n' > s.json
printf '%s\n' '{"ts":1.50,"user":{"org":"o","id":12345678901234567890,"x":1}}' | fsfeat --spec s.json --emit rows
fsfeat --spec s.json --emit rows --into user < /dev/null; echo "exit $?"
fsfeat --spec s.json --emit rows --into ts < /dev/null; echo "exit $?"
printf '{"key":"@key","features":[{"name":"n","agg":"count"}]}\n' > k.json
fsfeat --spec k.json < /dev/null; echo "exit $?"
printf '%s\n' '{"topic":"t","partition":0,"offset":5,"ts":1700000000000,"key":"u1","payload":"{\"a\":1}"}' \
 | fsfeat --spec k.json --kcat --time-field @ts --emit rows
