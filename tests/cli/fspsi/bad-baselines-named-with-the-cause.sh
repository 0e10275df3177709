printf 'x\n' > in.ndjson
fspsi --baseline nosuch.json in.ndjson; echo "exit $?"
printf '{"fields":' > trunc.json; fspsi --baseline trunc.json in.ndjson; echo "exit $?"
printf '{"a":1}' > other.json; fspsi --baseline other.json in.ndjson; echo "exit $?"
printf '{"fstools":"baseline","version":1,"fields":[{"name":"a","type":"numeric","null_share":0,"edges":[1,2],"shares":[0.5,0.5],"ks_grid":[],"ks_cdf":[]}]}' > short.json
fspsi --baseline short.json in.ndjson; echo "exit $?"
printf '{"fstools":"baseline","version":1,"fields":[{"name":"a","type":"numeric","null_share":0,"edges":[2,1],"shares":[0.3,0.3,0.4],"ks_grid":[],"ks_cdf":[]}]}' > order.json
fspsi --baseline order.json in.ndjson; echo "exit $?"
printf '{"fstools":"baseline","version":2,"fields":[]}' > v2.json; fspsi --baseline v2.json in.ndjson; echo "exit $?"
printf '{"fstools":"baseline","version":1,"fields":[{"name":"a","type":"category","null_share":0,"categories":["x"],"shares":[0.5,0.2]}]}' > sum.json
fspsi --baseline sum.json in.ndjson; echo "exit $?"
awk -v n=100 -f gen.awk > t.ndjson && fspsi --fit t.ndjson > base.json
fspsi --baseline base.json --fields amount,nosuch t.ndjson; echo "exit $?"
