#!/bin/sh
# tests/torch/torch.sh: fsscore with TorchScript models, end to end.
#
# The fixtures in tests/torch/data come from make_fixtures.py (committed, so
# that no Python is needed here). In a build without libtorch the one rule
# left is the message saying how to build with it; the others are skipped.
# The scores themselves are checked against PyTorch by
# tests/oracle/fsscore-torch.sh; here: the file kinds told apart, the
# sidecar, missing values, --batch (live equals replay, order, shadow),
# reload, --serve and --endpoint, usage errors.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
cd "$TMP"
cp "$top_srcdir"/tests/torch/data/* .

# (make check names the module in FSTOOLS_TORCH_MODULE for the unit tests;
# here fsscore finds it itself, in .libs/ beside it)
if env -u FSTOOLS_TORCH_MODULE fsscore --model mlp.pt --check > check.out 2> check.err; then
	:
elif grep -q -- '--with-libtorch' check.err; then
	plan 1
	check "without libtorch, a TorchScript model is refused with how to build with it (exit 65)" \
		grep -q '^fsscore: mlp.pt: this fsscore was built without libtorch: install libtorch-dev' \
		check.err
	exit 0
else
	plan 1
	not_ok "fsscore --check loads mlp.pt"
	diag < check.err
	exit 0
fi
plan 36

# expect_fail DESCRIPTION STATUS PATTERN ARGS...: fsscore ARGS... exits with
# STATUS and its standard error matches PATTERN (grep -E)
expect_fail() {
	d=$1 want=$2 pat=$3
	shift 3
	fsscore "$@" < /dev/null > out 2> err
	rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$pat" err; then
		ok "$d"
	else
		not_ok "$d (exit $rc)"
		diag < err
	fi
}

# ---- what a file is

check "--check names a TorchScript model, its features and outputs" \
	grep -q '"kind":"torchscript, 3 features, 1 output","outputs":1,"features":\["amount","count","age"\]' check.out
fsscore --model two.pt --check > two.check 2>&1
check "a model returning a tuple of two tensors has 2 outputs" \
	grep -q '"kind":"torchscript, 3 features, 2 outputs","outputs":2' two.check
expect_fail "a Python pickle is refused with how to export TorchScript" 65 \
	'model.pkl: a Python pickle .*torch.jit.script\(model\).save' --model model.pkl --check
expect_fail "a torch.save() file is refused with how to export TorchScript" 65 \
	'weights.pt: a torch.save\(\) file .*torch.jit.script\(model\).save' --model weights.pt --check
head -c 4000 mlp.pt > cut.pt
cp mlp.pt.json cut.pt.json
expect_fail "a truncated TorchScript file is named as one" 65 \
	'cut.pt: a zip archive that ends early: a truncated TorchScript file' --model cut.pt --check
expect_fail "a zip archive of something else is not a model" 65 \
	'notes.zip: a zip archive, but not a TorchScript model' --model notes.zip --check
expect_fail "features of another width: libtorch's words and the first weight's shape" 65 \
	'mlp.pt: the model fails on 2 features \(does it take another number\?\): libtorch says ".*"; its first weight, net.0.weight, is \[16, 3\] \(3 inputs\?\)' \
	--model mlp.pt --features amount,count --check
cp mlp.pt bare.pt
expect_fail "without a sidecar or --features, the message names the sidecar to write" 65 \
	'bare.pt: a TorchScript model does not name its features: write them in order to bare.pt.json' \
	--model bare.pt --check
fsscore --model bare.pt --features a,b,c --check > bare.check 2>&1
check "--features names a model without a sidecar" grep -q '"features":\["a","b","c"\]' bare.check
echo '{"features": ["amount", "count", "age"], "imput": {}}' > bare.pt.json
expect_fail "a sidecar's unknown member is named" 65 'bare.pt.json: unknown member "imput"' \
	--model bare.pt --check
echo '{"features": ["amount", "count", "age"], "impute": {"agee": 1}}' > bare.pt.json
expect_fail "a default for a feature the model has not is named" 65 \
	'"impute" names "agee", which is not a feature' --model bare.pt --check
echo '{"features": ["amount", "amount", "age"]}' > bare.pt.json
expect_fail "a feature named twice is refused" 65 '"amount" is named twice' --model bare.pt --check
echo '{"features": ["amount", ' > bare.pt.json
expect_fail "a sidecar that is not JSON is named with the place" 65 \
	'bare.pt.json: invalid JSON at line' --model bare.pt --check

# ---- scoring

awk 'BEGIN { srand(11); for (i = 1; i <= 2000; i++) {
	age = (i % 13 == 0) ? "null" : sprintf("%d", 18 + int(rand() * 60))
	printf "{\"id\":%d,\"features\":{\"amount\":%.2f,\"count\":%d,\"age\":%s}}\n",
		i, rand() * 500, int(rand() * 12), age } }' > events.ndjson
fsscore --model mlp.pt events.ndjson > one.ndjson 2> one.err
check "every event is scored, in order" \
	sh -c '[ "$(wc -l < one.ndjson)" = 2000 ] && [ "$(sed -n "2000s/^{\"id\":\([0-9]*\),.*/\1/p" one.ndjson)" = 2000 ]'
check "the score and the model's id are appended" \
	grep -q '"age":[0-9]*},"score":0\.[0-9]*,"model":"mlp.pt@[0-9a-f]\{16\}"}$' one.ndjson
# a null age takes the sidecar's default: the score of age 40
sed -n '13p' events.ndjson | sed 's/"age":null/"age":40/' | fsscore --model mlp.pt > forty.ndjson
check "a null feature takes the sidecar's impute default" \
	sh -c '[ "$(sed -n "13s/.*\"score\":\([^,]*\),.*/\1/p" one.ndjson)" = "$(sed "s/.*\"score\":\([^,]*\),.*/\1/" forty.ndjson)" ]'
# two.pt has no default: a null is rejected, the rest scored
fsscore --model two.pt --errors two.errors events.ndjson > two.ndjson 2> two.err
check "without a default, an event missing a feature is rejected with its line and why, the run goes on" \
	sh -c "[ \$(wc -l < two.ndjson) = 1847 ] && [ \$(grep -c 'is missing, and two.pt@' two.errors) = 153 ] &&
	grep -q '\"line\":13,\"reason\":\"feature .*age.* is missing, and two.pt@[0-9a-f]* takes no missing values' two.errors &&
	grep -q '153 rejected (153 bad feature)' two.err"
check "a model of two outputs writes \"scores\": [p, estimate] and no class" \
	sh -c "grep -q '\"scores\":\[0\.[0-9]*,-\{0,1\}[0-9.e-]*\],\"model\":\"two.pt@' two.ndjson && ! grep -q '\"class\"' two.ndjson"
expect_fail "--threshold needs one score: a two-output model is refused" 64 \
	'two.pt: --threshold needs a model with one score; this one gives 2 \(outputs\)' \
	--model two.pt --threshold 0.5

# ---- --batch

fsscore --model mlp.pt --batch 7 events.ndjson > b7.ndjson
# the same events live: a pipe that pauses every 50 lines, so batches are cut short
awk '{ print; fflush() } NR % 50 == 0 { system("sleep 0.03") }' events.ndjson |
	fsscore --model mlp.pt --batch 7 > b7-live.ndjson
check "--batch: a live stream with pauses equals the replay of its file, byte for byte" \
	cmp -s b7.ndjson b7-live.ndjson
awk '{ print; fflush() } NR % 50 == 0 { system("sleep 0.03") }' events.ndjson |
	fsscore --model mlp.pt --batch 7 --batch-wait 20ms > b7-wait.ndjson
check "--batch-wait: the same, with partial batches waiting for more" cmp -s b7.ndjson b7-wait.ndjson
cut -d, -f1 two.ndjson > two.ndjson.ids
fsscore --model two.pt --batch 16 --errors b16.errors events.ndjson > b16.ndjson 2> /dev/null
check "--batch: rejected events leave the others in order" \
	sh -c "[ \$(wc -l < b16.ndjson) = 1847 ] && [ \$(grep -c 'is missing' b16.errors) = 153 ] &&
	cut -d, -f1 b16.ndjson | cmp -s - two.ndjson.ids" 

fsscore --model mlp.pt --shadow two.pt --batch 32 events.ndjson > shadow.ndjson 2> /dev/null
check "--batch with --shadow: both models score each event in one pass each" \
	sh -c "[ \$(wc -l < shadow.ndjson) = 1847 ] && grep -q '\"model\":\"mlp.pt@[0-9a-f]*\",\"scores_shadow\":\[' shadow.ndjson"
# lines FILE N: waits (at most 20 s) until FILE has N lines
lines() {
	for _ in $(seq 400); do
		[ "$(wc -l < "$1" 2>/dev/null)" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
mkfifo slow
fsscore --model mlp.pt --batch 64 < slow > slow.ndjson &
p=$!
exec 3> slow
head -n 5 events.ndjson >&3
check "--batch: a partial batch is written as soon as input pauses (input still open)" \
	lines slow.ndjson 5
exec 3>&-
wait $p
fsscore --model mlp.pt --batch 64 --threads 2 events.ndjson > b64t.ndjson
fsscore --model mlp.pt --batch 64 events.ndjson > b64.ndjson
check "--threads 2 gives the scores of one thread" cmp -s b64.ndjson b64t.ndjson

# ---- reload: SIGHUP swaps the model between two events; a held batch is
# scored by the model that was serving when its events came
mkfifo in
fsscore --model mlp.pt --batch 10 < in > reload.ndjson 2> reload.err &
p=$!
exec 3> in
head -n 25 events.ndjson >&3
lines reload.ndjson 25
cp mlp2.pt mlp.pt.new && mv mlp.pt.new mlp.pt
kill -HUP $p
for _ in $(seq 200); do grep -q 'now serving' reload.err && break; sleep 0.05; done
tail -n +26 events.ndjson | head -n 25 >&3
exec 3>&-
wait $p
check "SIGHUP reloads a TorchScript file: 25 events by the first model, 25 by the second" \
	sh -c "[ \$(grep -c '\"model\":\"mlp.pt@5d3d64c8788a1956\"' reload.ndjson) = 25 ] &&
	[ \$(grep -c '\"model\":\"mlp.pt@' reload.ndjson) = 50 ] && grep -q 'now serving mlp.pt@' reload.err"
# a reload to a model of more inputs while a batch is held (any kind of model batches)
printf '{"format":"fstools-linear","version":1,"link":"identity","intercept":0,"weights":{"amount":1}}\n' > lin.json
mkfifo widen
fsscore --model lin.json --batch 8 --batch-wait 10s < widen > widen.ndjson 2> widen.err &
p=$!
exec 3> widen
head -n 3 events.ndjson >&3
sleep 0.3
printf '{"format":"fstools-linear","version":1,"link":"identity","intercept":0,"weights":{"amount":1,"count":100,"age":10000}}\n' > lin.new
mv lin.new lin.json
kill -HUP $p
for _ in $(seq 200); do grep -q 'now serving' widen.err && break; sleep 0.05; done
sed -n '4,20p' events.ndjson >&3
exec 3>&-
wait $p
# the first three score their amount (one weight), the 17 after also count and age
check "--batch: the events held when a reload comes are scored by the model they came under" \
	sh -c "[ \$(wc -l < widen.ndjson) = 20 ] &&
	[ \$(head -n 3 widen.ndjson | grep -c '\"amount\":\([0-9.]*\),.*\"score\":\1,') = 3 ] &&
	[ \$(tail -n 17 widen.ndjson | grep -c '\"score\":[0-9]\{5,\}') = 16 ]"

cp "$top_srcdir"/tests/torch/data/mlp.pt .
echo '{"id":1,"features":{"amount":1,"count":1,"age":1}}' > one-event.ndjson
mkfifo watch
fsscore --model mlp.pt --watch < watch > watch.ndjson 2> watch.err &
p=$!
exec 3> watch
cat one-event.ndjson >&3
lines watch.ndjson 1
cp two.pt mlp.pt.new && mv mlp.pt.new mlp.pt
for _ in $(seq 200); do grep -q 'cannot reload' watch.err && break; sleep 0.05; done
cat one-event.ndjson >&3
exec 3>&-
wait $p
check "a reload that would change the number of outputs is refused; the old model serves on" \
	sh -c "grep -q 'cannot reload, still serving mlp.pt@5d3d64c8788a1956: .*gives 2 output(s), the one serving 1' watch.err &&
	[ \$(grep -c 'mlp.pt@5d3d64c8788a1956' watch.ndjson) = 2 ]"
cp "$top_srcdir"/tests/torch/data/mlp.pt .

# ---- served over HTTP, and scored through the server

fsscore --serve 127.0.0.1:0 --model mlp.pt --model two.pt 2> serve.log &
server=$!
pids="$pids $server"
port=$(listening_port serve.log $server)
check "fsscore --serve serves TorchScript models" test -n "$port"
curl -s "http://127.0.0.1:$port/v2/models/mlp" > meta.json
check "V2 metadata: the sidecar's features, platform pytorch_libtorch" \
	grep -q '"platform":"pytorch_libtorch".*"inputs":\[{"name":"amount"' meta.json
head -n 12 events.ndjson > twelve.ndjson
fsscore --model mlp.pt twelve.ndjson > twelve-embedded.ndjson
fsscore --endpoint "http://127.0.0.1:$port/v2/models/mlp/infer" twelve.ndjson > twelve-sidecar.ndjson
check "--endpoint through --serve equals embedded scoring, line for line" \
	cmp -s twelve-embedded.ndjson twelve-sidecar.ndjson
fsscore --model two.pt --batch 4 twelve.ndjson > two-embedded.ndjson
fsscore --endpoint "http://127.0.0.1:$port/v2/models/two/infer" --batch 4 twelve.ndjson > two-sidecar.ndjson
check "a two-output model through the server: the same \"scores\", no class" \
	cmp -s two-embedded.ndjson two-sidecar.ndjson
curl -s -d '{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP64","data":[1,2,null]}]}' \
	"http://127.0.0.1:$port/v2/models/two/infer" > null.json
check "the server answers a missing value without a default with a 400 naming it" \
	grep -q '"error":"row 0: \\"age\\" is missing, and the model takes no missing values' null.json
kill $server

# ---- usage

expect_fail "--batch-wait without --batch is a usage error" 64 \
	'--batch-wait is how long a partial batch waits: give --batch N' --model mlp.pt --batch-wait 5ms
expect_fail "--learn does not batch" 64 '--learn learns from each event before it scores the next' \
	--learn --label y --features a --batch 8
expect_fail "--learn does not start from a TorchScript model" 64 \
	'--learn starts from an fstools-linear model, not torchscript' --learn --label y --model mlp.pt
exit 0
