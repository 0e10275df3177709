# the learner reads features, hashed fields and the label from the bytes;
# FSTOOLS_PARSE_ALL=1 parses every line instead: both must learn and write
# the same, for hashed fields at the top level, inside the features object
# and deeper, labels at the top and nested, escapes, duplicates, numbers,
# booleans, nulls and absences
cat > odd.ndjson <<'X'
{"features":{"amount":150,"shop":"s1"},"channel":"web","meta":{"region":"eu"},"y":1,"lab":{"y":1}}
{"features":{"amount":20,"shop":"s2"},"channel":"pos","meta":{"region":"us"},"y":0,"lab":{"y":0}}
{"features":{"amount":20,"shop":"s\u0032"},"channel":"p\u006fs","meta":{"region":"us"},"y":false,"lab":{"y":false}}
{"features":{"amount":90,"shop":17},"channel":"web","channel":"ios","meta":{"region":null},"y":"1","lab":{"y":"1"}}
{"features":{"amount":90,"shop":true},"channel":12,"y":null,"lab":{"y":null}}
{"features":{"amount":90,"shop":-0},"channel":1.50,"meta":{},"lab":{}}
{"features":{"amount":40},"channel":"web","meta":{"region":"eu"},"y":1,"y":0,"lab":{"y":0}}
{"features":{"amount":40,"shop":"s3"},"channel":["web"],"y":1,"lab":{"y":1}}
{"features":{"amount":40,"shop":"s3"},"channel":"web","y":2,"lab":{"y":2}}
X
for label in y lab.y; do
	for p in 0 1; do
		mkdir -p $p
		FSTOOLS_PARSE_ALL=$p fsscore --learn --label $label --features amount \
			--hash channel,features.shop,meta.region --save $p/m.json -q odd.ndjson > out$p 2> err$p
	done
	cmp out0 out1 && cmp err0 err1 && cmp 0/m.json 1/m.json && echo "--label $label: same output, errors and model either way"
done
cat out0 err0
sed 's/"learning".*/.../' 0/m.json
