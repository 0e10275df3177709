#!/bin/sh
# examples/demo.sh: the fstools loop on generated data, run from the build tree.
#   sh examples/demo.sh [EVENTS]
# It shows fsfeat (features live and in replay, byte for byte the same) and
# fsscore (an XGBoost model trained in Python, scored without Python, exactly;
# a new model swapped in while the stream flows) and fspsi (drift of the
# features and scores against the training period, with cron exit codes) and
# fsjoin (a point-in-time training set equal to the live features) and
# fsgroundtruth (chargebacks that come days later, joined to the scores, and
# the model's quality per day once they are in) and the online store (Redis
# written by the same computation as the offline rows, read by a serving
# path, backfilled without regressing a value) and a sidecar (the model
# served over HTTP by fsscore --serve, the stream scored through it by
# fsscore --endpoint, byte for byte as embedded) and champion against
# challenger (a shadow comparison and an A/B split, judged with statistics).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
PATH="$top:$PATH"
n=${1:-200000}
work=$(mktemp -d "${TMPDIR:-/tmp}/fstools-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

say() { printf '\n== %s\n' "$*"; }

say "1. $n synthetic card transactions (a few malformed, as in life)"
awk -v n="$n" -v keys=5000 -v bad=0.001 -v ids=1 -f "$here/gen-events.awk" > events.ndjson
head -n 2 events.ndjson

say "2. live: user features, then merchant features, as two pipeline stages"
start=$(date +%s.%N)
fsfeat --spec "$here/user.json" --errors rejected.ndjson events.ndjson \
	| fsfeat --spec "$here/merchant.json" --errors rejected2.ndjson > live.ndjson
end=$(date +%s.%N)
head -n 1 live.ndjson
awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%d events through two stages in %.2f s\n", n, e - s }'
echo "rejected lines are reported, never dropped silently, e.g.:"
head -n 1 rejected.ndjson

say "3. replay: the same events from archives give byte-identical features"
zstd -q -c events.ndjson > events.ndjson.zst
split -l $((n / 3 + 1)) events.ndjson day- && tar czf days.tar.gz day-*
for input in events.ndjson.zst days.tar.gz; do
	fsfeat --spec "$here/user.json" --errors /dev/null "$input" 2>/dev/null \
		| fsfeat --spec "$here/merchant.json" --errors /dev/null 2>/dev/null > replay.ndjson
	if cmp -s live.ndjson replay.ndjson; then
		echo "$input: identical to live ($(sha256sum < replay.ndjson | cut -c1-16)...)"
	else
		echo "$input: DIFFERENT from live" >&2
		exit 1
	fi
done

say "4. offline-store rows for training (fsfeat --emit rows)"
fsfeat --spec "$here/user.json" --emit rows --errors /dev/null events.ndjson 2>/dev/null | head -n 2

say "5. restart without skew: kill -9 a run that checkpoints, run the same command again"
rm -f state.zst
fsfeat --spec "$here/user.json" --state state.zst --checkpoint 5000 --errors /dev/null \
	events.ndjson > first.ndjson 2>/dev/null &
pid=$!
sleep 0.2
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
fsfeat --spec "$here/user.json" --state state.zst --checkpoint 5000 --errors /dev/null \
	events.ndjson > second.ndjson 2>/dev/null
fsfeat --spec "$here/user.json" --errors /dev/null events.ndjson > once.ndjson 2>/dev/null
done_lines=$(wc -l < first.ndjson)
again=$(wc -l < second.ndjson)
echo "killed after $done_lines lines; the restart wrote $again lines, from the last checkpoint on"
if tail -n "$again" once.ndjson | cmp -s - second.ndjson &&
	[ $((done_lines + again)) -ge "$(wc -l < once.ndjson)" ]; then
	echo "first run + restart = one uninterrupted run, byte for byte"
else
	echo "restart DIFFERS from one uninterrupted run" >&2
	exit 1
fi
fsfeat --state state.zst --inspect | cut -c1-200

say "6. train an XGBoost model on those features with python3-xgboost, saved as JSON"
/usr/bin/python3 "$here/train_xgboost.py" live.ndjson model.json python.txt chargebacks.ndjson

say "7. score the stream with fsscore: no Python, the same predictions"
start=$(date +%s.%N)
fsscore --model model.json --threshold 0.5 live.ndjson > scored.ndjson
end=$(date +%s.%N)
tail -n 1 scored.ndjson | sed 's/.*"features"/... "features"/'
awk -v n="$(wc -l < scored.ndjson)" -v s="$start" -v e="$end" \
	'BEGIN { printf "%d events scored in %.2f s; ", n, e - s }'
echo "$(grep -c '"flag":true' scored.ndjson) flagged at 0.5"
sed 's/.*"score":\([^,]*\),.*/\1/' scored.ndjson | paste -d' ' - python.txt |
	awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d }
	     END { printf "fsscore vs Booster.predict on all %d events: largest difference %g\n", NR, m + 0 }'

say "8. hot reload: a retrained model renamed into place while events flow"
/usr/bin/python3 - model.json model2.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
# a "retrained" model: the same trees with leaves damped, as a stand-in
for t in m["learner"]["gradient_booster"]["model"]["trees"]:
    t["split_conditions"] = [c * 0.5 if l == -1 else c
                             for c, l in zip(t["split_conditions"], t["left_children"])]
json.dump(m, open(sys.argv[2], "w"))
PY
mkfifo stream
fsscore --model model.json --watch < stream > reloaded.ndjson 2> reload.log &
pid=$!
exec 3> stream
head -n 1000 live.ndjson >&3
sleep 0.5
cp model2.json next.json && mv next.json model.json
sleep 0.5
sed -n '1001,2000p' live.ndjson >&3
exec 3>&-
wait $pid
sed 's/^/  /' reload.log
sed 's/.*"model":"\([^"]*\)".*/\1/' reloaded.ndjson | uniq -c | sed 's/^ *\([0-9]*\) /  \1 events scored by /'

say "9. drift: a baseline from the training period, then a normal day and an odd one"
# Windows of up to a day are warm after the first day; 7-day ones are not,
# so the drift check watches the former and the score.
fields=amt_sum_1h,n_24h,merchants_24h,gap,amt_ewma_6h,m_n_1h,score
total=$(wc -l < scored.ndjson)
sed -n "$((total * 3 / 10)),$((total * 65 / 100))p" scored.ndjson > train-period.ndjson
tail -n +$((total * 65 / 100 + 1)) scored.ndjson > normal-day.ndjson
fspsi --fit --fields "$fields" train-period.ndjson > baseline.json
echo "baseline of $(grep -c '"name"' baseline.json) fields from $(wc -l < train-period.ndjson) events"
check() {
	fspsi --baseline baseline.json --window 20000 --format table "$@" | sed 's/^/  /'
	status=0
	fspsi --baseline baseline.json --window 20000 "$@" > /dev/null || status=$?
	echo "  exit status $status (0 ok, 1 warn, 2 alert)"
}
echo "a normal day:"
check normal-day.ndjson
# the same days with every amount 60% higher: features and scores move
awk -v from=$((n * 65 / 100 + 1)) 'NR >= from && match($0, /"amount":[0-9.]+/) {
	v = substr($0, RSTART + 9, RLENGTH - 9) * 1.6
	$0 = substr($0, 1, RSTART + 8) sprintf("%.2f", v) substr($0, RSTART + RLENGTH) } { print }' \
	events.ndjson |
	fsfeat --spec "$here/user.json" --errors /dev/null 2>/dev/null |
	fsfeat --spec "$here/merchant.json" --errors /dev/null 2>/dev/null |
	fsscore --model model.json | tail -n +$((total * 65 / 100 + 1)) > odd-day.ndjson
echo "a day when amounts inflate by 60%:"
check --report drift.html odd-day.ndjson
cp drift.html "${TMPDIR:-/tmp}/fstools-demo-drift.html"
echo "  the report, one self-contained page: ${TMPDIR:-/tmp}/fstools-demo-drift.html"

say "10. a training set, point in time: replayed rows joined as of each event"
# the offline store: rows replayed from the archive; the spine: the events
# as they were (here without their live features)
fsfeat --spec "$here/user.json" --emit rows --errors /dev/null events.ndjson.zst > store.ndjson 2>/dev/null
fsfeat --spec "$here/user.json" --errors /dev/null events.ndjson > live-user.ndjson 2>/dev/null
sed 's/,"features":{[^}]*}}$/}/' live-user.ndjson > spine.ndjson
fsjoin --asof store.ndjson --key user_id spine.ndjson > train-set.ndjson 2>/dev/null
head -n 1 train-set.ndjson
# two events of one user in the same second are one moment to an as-of join
awk -F'"' '{ k = $8 " " $12; n[k]++; key[NR] = k } END { for (i = 1; i <= NR; i++) print (n[key[i]] > 1) }' \
	spine.ndjson > tied.txt
paste -d'\t' tied.txt live-user.ndjson train-set.ndjson |
	awk -F'\t' '$1 == 1 { tied++; next } $2 == $3 { same++; next } { diff++ }
	END { printf "%d events: the joined features equal the live ones on %d, differ on %d; %d shared their second with another event of the user\n", NR, same, diff + 0, tied }'

say "11. ground truth: chargebacks come back days later; the model's quality per day"
# A payment without a chargeback within 3 days was legitimate (--absent-label 0).
# Predictions and labels are read together; here both are files (a replay),
# live they would be two pipes: --labels <(kcat -C -b ... -t chargebacks -f '%s\n')
status=0
fsgroundtruth --id tx --labels chargebacks.ndjson --maturity 3d --absent-label 0 \
	--window 1d --emit joined --alert 'recall<0.4' scored.ndjson > truth.ndjson 2> truth.err || status=$?
grep '"kind":"metrics"' truth.ndjson | awk -F'[:,]' '
	function f(x) { return x == "null" ? "-" : sprintf("%.3f", x) }
	BEGIN { printf "  %-10s %7s %7s %7s %9s %6s %7s %6s %9s\n", "day", "scored", "frauds", "mature", "precision", "recall", "roc_auc", "pr_auc", "delay_p50" }
	{ for (i = 1; i < NF; i++) v[$i] = $(i + 1)
	  printf "  %-10s %7s %7s %7s %9s %6s %7s %6s %8.1fh\n", substr(v["\"window_start\""], 2, 10),
		v["\"predictions\""], v["\"positives\""], v["\"mature\""], f(v["\"precision\""]), f(v["\"recall\""]),
		f(v["\"roc_auc\""]), f(v["\"pr_auc\""]), v["\"delay_p50\""] / 3600 }'
grep '"kind":"alert"' truth.ndjson | cut -c1-150 | sed 's/^/  /' || true
echo "  (the days not yet mature have only the chargebacks so far; their final record comes 3 days on)"
echo "  exit status $status (0: no alert; 2: an --alert fired, for cron)"
echo "  $(grep -c '"kind":"joined"' truth.ndjson) joined records: each scored event with its label, the next training set"
echo "  late or unmatched chargebacks go to the error output with file and line:"
tail -n 1 truth.err | sed 's/^/  /'
/usr/bin/python3 - truth.ndjson <<'PY'
import json, sys
from sklearn.metrics import roc_auc_score
rows = [json.loads(l) for l in open(sys.argv[1])]
mature = [r for r in rows if r.get("kind") == "metrics" and r["mature"]]
if not mature:
    print("  (no day is mature yet: give the demo more events)")
    sys.exit(0)
m = mature[-1]
last = {}
for r in rows:
    if r.get("kind") == "joined":
        last[r["tx"]] = r
day = [r for r in last.values() if m["window_start"][:10] == r["ts"][:10] and r["label"] is not None]
auc = roc_auc_score([r["label"] for r in day], [r["score"] for r in day])
print(f"  scikit-learn on the joined records of {m['window_start'][:10]}: roc_auc {auc:.12f}, "
      f"fsgroundtruth: {m['roc_auc']:.12f}")
PY

say "12. the online store: Redis written by the same computation as the offline rows"
if ! command -v redis-server >/dev/null; then
	echo "  (redis-server is not installed: apt-get install -y redis-server)"
else
	# a private server on a Unix socket, without persistence, stopped at the end
	redis-server --port 0 --unixsocket "$work/redis.sock" --save '' --appendonly no \
		--dir "$work" > redis.log 2>&1 &
	redis_pid=$!
	trap 'kill $redis_pid 2>/dev/null || true; rm -rf "$work"' EXIT
	for _ in $(seq 100); do redis-cli -s "$work/redis.sock" ping > /dev/null 2>&1 && break; sleep 0.05; done
	store="unix://$work/redis.sock"
	start=$(date +%s.%N)
	fsfeat --spec "$here/user.json" --online "$store" --rows rows.ndjson.zst --errors /dev/null \
		events.ndjson > /dev/null 2>&1
	end=$(date +%s.%N)
	awk -v n="$n" -v a="$start" -v b="$end" 'BEGIN { printf "%d events in %.2f s: each user'"'"'s latest features into Redis, the rows beside them\n", n, b - a }'
	user=$(head -n 1 events.ndjson | sed 's/.*"user_id":"\([^"]*\)".*/\1/')
	echo "  redis-cli HGETALL user:$user"
	redis-cli -s "$work/redis.sock" hgetall "user:$user" | paste -d' ' - - | head -n 4 | sed 's/^/    /'
	echo "  a serving path reads it (fsjoin --online), for a request of $user:"
	echo "{\"user_id\":\"$user\",\"amount\":80.00}" |
		fsjoin --online "$store" --online-prefix user: --key user_id --features amt_sum_1h,n_24h,gap |
		sed 's/^/    /'
	# every hash against the last offline row of its key
	redis-cli -s "$work/redis.sock" EVAL "local o = {} for _, k in ipairs(redis.call('KEYS', 'user:*')) do local h = redis.call('HGETALL', k) for i = 1, #h, 2 do if h[i] ~= '@time' then o[#o + 1] = k .. ' ' .. h[i] .. ' ' .. h[i + 1] end end end return o" 0 > store.txt
	zstd -dc rows.ndjson.zst | /usr/bin/python3 -c '
import json, sys
last = {}
for line in sys.stdin:
    row = json.loads(line, parse_float=str, parse_int=str)
    last["user:" + row["user_id"]] = row["features"]
have = set(open("store.txt").read().split("\n")) - {""}
want = {"%s %s %s" % (k, n, "null" if v is None else v) for k, f in last.items() for n, v in f.items()}
print("  %d users: Redis equals the last offline row of each on %d of %d feature values" % (len(last), len(have & want), len(want)))'
	# a nightly batch backfill as of the last midnight cannot take a value back
	# in time: users seen since keep their newer values; the others get the
	# same row again (at an equal time the later write wins)
	yesterday=$(zstd -dc rows.ndjson.zst | tail -n 1 | cut -d'"' -f8 | cut -c1-10)T00:00:00Z
	fsjoin --backfill rows.ndjson.zst --key user_id --as-of "$yesterday" --online "$store" \
		--online-prefix user: 2>&1 | sed 's/^fsjoin: /  backfill: /; s|unix://[^:]*redis.sock|the store|'
	kill $redis_pid
fi

say "13. online learning: a linear model that learns from the chargebacks as they come back"
# It starts from zero weights on inputs standardized by the training period,
# and learns from fsgroundtruth's joined records (each scored event with its
# label, in the order the labels matured); every example is scored before it
# is learned from, so the loss printed is an honest one.
/usr/bin/python3 - train-period.ndjson start.json <<'PY'
import json, statistics, sys
rows = [json.loads(line)["features"] for line in open(sys.argv[1])]
center, scale = {}, {}
for name in rows[0]:
    v = [r[name] for r in rows if r[name] is not None]
    center[name] = statistics.fmean(v)
    scale[name] = statistics.pstdev(v) or 1.0
json.dump({"format": "fstools-linear", "version": 1, "link": "logistic", "intercept": 0,
           "weights": {n: 0 for n in center}, "center": center, "scale": scale,
           "hashed": {"bits": 18, "fields": ["channel", "merchant_id"]}}, open(sys.argv[2], "w"))
PY
# It learns from the events of the training period (the first 80%) whose
# label was final by its end: 3 days old. Younger ones would be mostly frauds,
# whose chargebacks come within hours, while "no chargeback" is only known
# when 3 days have passed. Both models are then judged on the last 20%.
cut=$(sed -n "$((total * 8 / 10))p" scored.ndjson | sed 's/.*"ts":"\([^"]*\)".*/\1/')
final=$(date -u -d "@$(($(date -u -d "$cut" +%s) - 3 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
echo "  learning from the joined records of events before $final (final 3 days before $cut)"
grep '"kind":"joined"' truth.ndjson | awk -F'"ts":"' -v cut="$final" '{ split($2, t, "\""); if (t[1] < cut) print }' |
	fsscore --learn --label label --suffix _online --model start.json --save online.json \
		> /dev/null 2> learn.log
sed 's/^fsscore: /  /' learn.log
if ! grep -q '"learning":{[^}]*"examples":[1-9]' online.json; then
	echo "  (no label was final yet: give the demo more events, e.g. sh examples/demo.sh 200000)"
else
tail -n +$((total * 8 / 10 + 1)) scored.ndjson | fsscore --model online.json --suffix _online > holdout.ndjson
/usr/bin/python3 - holdout.ndjson chargebacks.ndjson <<'PY'
import json, sys
from sklearn.metrics import log_loss, roc_auc_score
fraud = {json.loads(line)["tx"] for line in open(sys.argv[2])}
rows = [json.loads(line) for line in open(sys.argv[1])]
y = [int(r["tx"] in fraud) for r in rows]
for k, name in (("score", "XGBoost, trained offline on the first 80% with every label"),
                ("score_online", "fsscore --learn, online from the final labels")):
    p = [r[k] for r in rows]
    print(f"  the last 20% ({len(rows)} events): {name}: roc_auc {roc_auc_score(y, p):.3f}, "
          f"log loss {log_loss(y, p):.4f}")
PY
fi
echo "  saved as $(fsscore --model online.json --check | sed 's/.*"kind":"\([^"]*\)".*/\1/'): a serving"
echo "  fsscore --model online.json --watch swaps in each version it saves (--save-every)"

say "14. a sidecar: the model as an HTTP service (KServe V2), the stream scored through it"
fsscore --serve 127.0.0.1:0 --model model.json 2> serve.log &
serve_pid=$!
trap 'kill ${redis_pid:-} $serve_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 200); do grep -q 'listening on' serve.log && break; sleep 0.05; done
sed 's/^fsscore: /  /' serve.log
url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' serve.log)/v2/models/model/infer
fsscore --model model.json --threshold 0.5 live.ndjson > embedded.ndjson  # model.json as step 8 left it
start=$(date +%s.%N)
fsscore --endpoint "$url" --batch 64 --threshold 0.5 live.ndjson > sidecar.ndjson
end=$(date +%s.%N)
head -n "$((n / 10))" live.ndjson > tenth.ndjson
start1=$(date +%s.%N)
fsscore --endpoint "$url" tenth.ndjson > /dev/null
end1=$(date +%s.%N)
awk -v n="$(wc -l < sidecar.ndjson)" -v s="$start" -v e="$end" -v m="$(wc -l < tenth.ndjson)" \
	-v s1="$start1" -v e1="$end1" 'BEGIN { printf "  %d events in batches of 64 in %.2f s; %d one request each in %.2f s\n", n, e - s, m, e1 - s1 }'
if cmp -s embedded.ndjson sidecar.ndjson; then
	echo "  every line equals embedded scoring (fsscore --model), byte for byte: the answers carry the model id"
else
	echo "  the sidecar's lines differ from embedded scoring" >&2
	exit 1
fi
kill "$serve_pid"

say "15. champion and challenger: the XGBoost model against the online-learned one, with statistics"
# per day: each model's ROC AUC with its 95% interval (DeLong), the difference, DeLong's
# test and a verdict that names a winner only when the difference is significant
compare_table() {
	/usr/bin/python3 - "$1" <<'PY'
import json, sys
def f(x): return "-" if x is None else f"{x:.4f}"
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("kind") != "compare" or not r["mature"]:
        continue
    a, b = r["champion"], r["challenger"]
    p = "-" if r["p_value"] is None else f"{r['p_value']:.2g}"
    d = "-" if r["challenger_auc_delta"] is None else f"{r['challenger_auc_delta']:+.4f}"
    print(f"  {r['window_start'][:10]} {r['labels']:6d}  {f(a['roc_auc'])} [{f(a['roc_auc_lo'])}, {f(a['roc_auc_hi'])}]"
          f"  {f(b['roc_auc'])} [{f(b['roc_auc_lo'])}, {f(b['roc_auc_hi'])}]  {d}  {p:>8}  {r['verdict']}")
PY
}
echo "  shadow: both score every payment (fsscore --shadow), a paired test (--compare-scores)"
echo "  day        labels  champion AUC [95%]        challenger AUC [95%]      delta     p_value  verdict"
fsscore --model model.json --shadow online.json live.ndjson 2>/dev/null \
	| fsgroundtruth --id tx --labels chargebacks.ndjson --maturity 3d --absent-label 0 \
		--compare-scores score,score_shadow 2>/dev/null > shadow-truth.ndjson
compare_table shadow-truth.ndjson
echo "  A/B: half of the users are served by the challenger (fsscore --challenger --split 0.5 --split-key user_id)"
fsscore --model model.json --challenger online.json --split 0.5 --split-key user_id live.ndjson 2>/dev/null > ab.ndjson
echo "  $(grep -c '"arm":"challenger"' ab.ndjson) payments in the challenger's arm, $(grep -c '"arm":"champion"' ab.ndjson) in the champion's;" \
	"$(sed -n 's/.*"user_id":"\([^"]*\)".*"arm":"\([a-z]*\)".*/\1 \2/p' ab.ndjson | sort -u | cut -d' ' -f1 | uniq -d | wc -l) users in both"
fsgroundtruth --id tx --labels chargebacks.ndjson --maturity 3d --absent-label 0 --compare arm ab.ndjson \
	2>/dev/null > ab-truth.ndjson
compare_table ab-truth.ndjson
echo "  (each arm is measured on its own half: wider intervals than the paired test; see examples/ab)"

say "done: features, scores, drift, delayed labels, the online store, online learning, a sidecar and champion against challenger, live and in replay"
