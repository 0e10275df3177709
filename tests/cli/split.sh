#!/bin/sh
# tests/cli/split.sh: fsscore --challenger --split, the A/B split of entities.
#
# An entity (its --split-key) belongs to one arm for good: in every event,
# in one run or in two runs one after the other, on any machine (the arm is
# a documented hash of the key's text). Each event is scored by its arm's
# model and says so in "arm"; another --split-seed deals the arms anew; a
# --batch run equals one event at a time; both files reload; bad keys are
# rejected with their reason; usage errors say what to do. The share of
# each arm and the hash itself are checked against python3-xxhash in
# tests/oracle/fsscore-split.sh.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
plan 16
cd "$TMP"

lin() { printf '{"format":"fstools-linear","version":1,"link":"logistic","intercept":%s,"weights":{"a":%s,"b":%s}}\n' "$@"; }
lin 0.1 1.0 -0.5 > champ.json
lin -0.4 2.0 0.25 > chal.json
lin 0.3 -1.0 1.5 > chal2.json
id() { fsscore --model "$1" --check | sed 's/.*"model":"\([^"]*\)".*/\1/'; }
champ=$(id champ.json) chal=$(id chal.json)
# 3000 events of 300 users, each user's events spread over the file
awk 'BEGIN { for (i = 1; i <= 3000; i++)
	printf "{\"id\":%d,\"user\":\"u%d\",\"features\":{\"a\":%.3f,\"b\":%.3f}}\n", i, (i * 7) % 300, (i % 17) / 10, (i % 5) / 3 }' > ev.ndjson
split_run() { fsscore -m champ.json --challenger chal.json --split 0.3 --split-key user "$@"; }

split_run ev.ndjson > out.ndjson 2> err.txt
arms() { sed 's/.*"user":"\([^"]*\)".*"arm":"\([a-z]*\)".*/\1 \2/' "$1" | sort -u; }
check "every event is scored and marked with an arm" \
	test "$(grep -c '"arm":"c[a-z]*"' out.ndjson)" = 3000
check "an entity stays in one arm in all its events" \
	test "$(arms out.ndjson | cut -d' ' -f1 | uniq -d | wc -l)" = 0
check "each arm's events are scored by its own model" \
	test "$(grep -c "\"model\":\"$champ\",\"arm\":\"champion\"" out.ndjson)" -gt 0 -a \
	     "$(grep -c "\"model\":\"$chal\",\"arm\":\"challenger\"" out.ndjson)" -gt 0 -a \
	     "$(grep -c "\"model\":\"$champ\",\"arm\":\"challenger\"\|\"model\":\"$chal\",\"arm\":\"champion\"" out.ndjson)" = 0
grep '"arm":"challenger"' out.ndjson | sed 's/,"score".*/}/' | fsscore -m chal.json | sed 's/}$//' > want.txt
grep '"arm":"challenger"' out.ndjson | sed 's/,"arm".*//' > got.txt
check "a challenger event's score is the challenger model's, byte for byte" cmp -s want.txt got.txt

head -n 1700 ev.ndjson | split_run > part1.ndjson
tail -n +1701 ev.ndjson | split_run > part2.ndjson
check "two runs one after the other (a restart) give the one run's lines" \
	sh -c 'cat part1.ndjson part2.ndjson | cmp -s - out.ndjson'
split_run --batch 64 ev.ndjson > batch.ndjson
check "--batch 64 (one pass per arm) equals scoring one event at a time" cmp -s batch.ndjson out.ndjson

split_run --split-seed 99 ev.ndjson > seed.ndjson
moved=$(join <(arms out.ndjson) <(arms seed.ndjson) | awk '$2 != $3' | wc -l)
check "another --split-seed deals the arms anew ($moved of 300 users moved; about 126 expected)" \
	test "$moved" -gt 80 -a "$moved" -lt 180
fsscore -m champ.json --challenger chal.json --split 0.5 --split-key user ev.ndjson > half.ndjson
check "raising --split only moves champion entities to the challenger" \
	test "$(join <(arms out.ndjson) <(arms half.ndjson) | awk '$2 == "challenger" && $3 != "challenger"' | wc -l)" = 0

split_run --shadow chal2.json ev.ndjson > shadow.ndjson
check "--shadow still scores every event of both arms" \
	test "$(grep -c '"arm":"c[a-z]*","score_shadow":[0-9.e-]*,"model_shadow"' shadow.ndjson)" = 3000

printf '%s\n' '{"id":1,"features":{"a":1,"b":1}}' '{"id":2,"user":null,"features":{"a":1,"b":1}}' \
	'{"id":3,"user":{"x":1},"features":{"a":1,"b":1}}' '{"id":4,"user":7,"features":{"a":1,"b":1}}' \
	| split_run > keys.ndjson 2> keys.err --errors keys.rej
check "events without a usable split key are rejected with reason and line; a number is a key" \
	sh -c 'test "$(grep -c "no split key \\\\\"user\\\\\"" keys.rej)" = 1 &&
	       test "$(grep -c "no usable split key" keys.rej)" = 2 &&
	       grep -q "\"line\":3" keys.rej && test "$(wc -l < keys.ndjson)" = 1'

echo '{"topic":"tx","partition":0,"offset":1,"key":"u5","payload":"{\"features\":{\"a\":1,\"b\":0}}"}' > k.json
fsscore -m champ.json --challenger chal.json --split 0.3 --kcat k.json > k.out
echo '{"user":"u5","features":{"a":1,"b":0}}' | split_run > u.out
check "with --kcat the split key is the message key" \
	test "$(sed 's/.*"arm":"\([a-z]*\)".*/\1/' k.out)" = "$(sed 's/.*"arm":"\([a-z]*\)".*/\1/' u.out)"

# reload: SIGHUP, then --watch, while events trickle in
mkfifo in.fifo
cp chal.json live.json
fsscore -m champ.json --challenger live.json --split 0.5 --split-key user --watch \
	< in.fifo > live.ndjson 2> live.err &
pid=$!
exec 3> in.fifo
wait_lines() { for _ in $(seq 200); do [ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return 0; sleep 0.05; done; return 1; }
head -n 100 ev.ndjson >&3
wait_lines live.ndjson 100
cp chal2.json tmp.json && mv tmp.json live.json
for _ in $(seq 200); do grep -q "now serving" live.err && break; sleep 0.05; done
sed -n 101,200p ev.ndjson >&3
exec 3>&-
wait $pid
new=live.json@$(id chal2.json | sed 's/.*@//')
check "--watch reloads the challenger's file; the champion serves on" \
	sh -c "grep -q 'live.json (changed): now serving $new' live.err &&
	       test \$(tail -n 100 live.ndjson | grep -c '\"model\":\"$new\",\"arm\":\"challenger\"') -gt 20 &&
	       test \$(head -n 100 live.ndjson | grep -c '$new') = 0 &&
	       test \$(tail -n 100 live.ndjson | grep -c '\"model\":\"$champ\",\"arm\":\"champion\"') -gt 20"

check "--challenger without --split is a usage error naming --split" \
	sh -c "! fsscore -m champ.json --challenger chal.json --split-key user < /dev/null 2> u1 && grep -q 'needs --split FRACTION' u1"
check "--split outside 0..1, or without --challenger, is a usage error" \
	sh -c "! fsscore -m champ.json --challenger chal.json --split 1.5 --split-key user < /dev/null 2> u2 &&
	       grep -q 'not a fraction from 0 to 1' u2 &&
	       ! fsscore -m champ.json --split 0.5 < /dev/null 2> u3 && grep -q -- '--split is an option of --challenger' u3"
check "without --kcat, --split-key is required" \
	sh -c "! fsscore -m champ.json --challenger chal.json --split 0.5 < /dev/null 2> u4 && grep -q 'needs --split-key FIELD' u4"
check "a challenger is refused with --learn and with --serve" \
	sh -c "! fsscore --learn --label y --features a --challenger chal.json --split 0.5 --split-key user < /dev/null 2> u5 &&
	       grep -q 'learns the champion' u5 &&
	       ! fsscore --serve 0 -m champ.json --challenger chal.json < /dev/null 2> u6 && grep -q -- '--challenger' u6"
