#!/bin/sh
# run.sh: a model that learns from its own delayed labels while it serves,
# end to end on generated card payments (examples/gen-events.awk):
#
#   events -> fsfeat (features) -> fsscore --watch (serves served.json)
#     -> predictions -> fsgroundtruth (joins the chargebacks, days later)
#     -> joined records -> fsscore --learn (saves served.json every N examples)
#     -> the serving fsscore picks each version up, without stopping.
#
#   sh examples/online-learning/run.sh [DIR]
#
# DIR keeps the files (default: a temporary directory, removed at the end).
# FS_EVENTS sets how many payments (default 240000: twelve days and a
# half), FS_STEP how many hours of payments go through the loop at a time
# (default 12; a divisor of 24), FS_SAVE_EVERY how many examples the learner
# learns between two saves (default 2000). Needs fsfeat, fsscore and
# fsgroundtruth from the build tree or PATH, and awk; no Python.
#
# Live, each stage is a process reading a pipe. Here the payments are a
# replay: the server and the learner run all along, fed through FIFOs, while
# fsgroundtruth runs once a step (as cron would), on the predictions and the
# chargebacks that have come in by then, going on from its --state. Each
# step waits for the server, then for the learner, and then for the server
# to serve the learner's last save, so that every run gives the same scores.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ex=$(cd "$here/.." && pwd)
top=$(cd "$ex/.." && pwd)
[ -x "$top/fsscore" ] && PATH="$top:$PATH"  # run from the build tree
export LC_ALL=C
n=${FS_EVENTS:-240000}
step=${FS_STEP:-12}
every=${FS_SAVE_EVERY:-2000}
case $step in 1|2|3|4|6|8|12|24) ;; *) echo "run.sh: FS_STEP must divide 24 (hours)" >&2; exit 1 ;; esac

for tool in fsfeat fsscore fsgroundtruth; do
	command -v $tool >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done
if [ $# -gt 0 ]; then
	mkdir -p "$1"
	work=$(cd "$1" && pwd)
	keep=1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/fs-learn.XXXXXX")
	keep=
fi
server='' learner=''
cleanup() {
	exec 3>&- 4>&-
	for p in $server $learner; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
	[ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work"
rm -rf steps labels serve.fifo learn.fifo truth.state known.ndjson truth.ndjson truth.err

say() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/   /'; }
die() { echo "run.sh: $*" >&2; exit 1; }
# until FILE has N lines (at most 60 s)
wait_lines() {
	i=0
	until [ "$(wc -l < "$1")" -ge "$2" ]; do
		i=$((i + 1))
		[ $i -le 3000 ] || die "$1 has $(wc -l < "$1") lines, not $2, after 60 s"
		sleep 0.02
	done
}
# the examples a learner-saved model counts (0 for the start model)
examples() { sed -n 's/.*"learning":{[^}]*"examples":\([0-9]*\).*/\1/p' "$1" | grep . || echo 0; }
model_id() { fsscore --model "$1" --check | sed 's/{"model":"\([^"]*\)".*/\1/'; }

say "0. $n card payments (examples/gen-events.awk), their features (fsfeat), their chargebacks"
awk -v n="$n" -v keys=5000 -v ids=1 -f "$ex/gen-events.awk" > events.ndjson
# Live, these two stages sit in front of the server; fsfeat gives the same
# bytes live and in a replay (examples/demo.sh, step 3), so they run first.
fsfeat --spec "$ex/user.json" --errors rejected.ndjson events.ndjson 2> fsfeat.err |
	fsfeat --spec "$ex/merchant.json" --errors rejected2.ndjson > features.ndjson 2>> fsfeat.err
# The first 10% are the training period, history by the time the model is
# deployed (and long enough to fill the features' windows of up to a day);
# the rest is the stream the loop serves.
train=$((n / 10))
head -n "$train" features.ndjson > training.ndjson
tail -n +$((train + 1)) features.ndjson > stream.ndjson
awk -f "$here/chargebacks.awk" stream.ndjson > chargebacks.ndjson
echo "$(wc -l < training.ndjson) payments for the training period," \
	"from $(head -n 1 training.ndjson | cut -d'"' -f12)" | indent
echo "$(wc -l < stream.ndjson) payments to serve, from $(head -n 1 stream.ndjson | cut -d'"' -f12)" \
	"to $(tail -n 1 stream.ndjson | cut -d'"' -f12)" | indent
echo "$(wc -l < chargebacks.ndjson) of them frauds, whose chargebacks come 1 hour to days later" | indent
# a file of payments and one of chargebacks per step of $step hours, by time
mkdir steps labels
awk -F'"' -v step="$step" '{ h = int(substr($12, 12, 2) / step) * step
	print > sprintf("steps/%sT%02d.ndjson", substr($12, 1, 10), h) }' stream.ndjson
awk -F'"' -v step="$step" '{ h = int(substr($8, 12, 2) / step) * step
	print > sprintf("labels/%sT%02d.ndjson", substr($8, 1, 10), h) }' chargebacks.ndjson

say "1. the start model: zero weights, inputs standardized on the training period"
# Each numeric feature's mean and standard deviation over the training period
# become the model's centre and scale, so that the learner sees inputs of
# about one unit (an amount in the hundreds would make its first steps far
# too large for the counts); the weights start at 0, and channel and
# merchant_id are hashed into 2^18 buckets. Every score is 0.5 until the
# learner has learned something.
awk -v hashed=channel,merchant_id -f "$here/start-model.awk" training.ndjson > served.json
cp served.json start.json
fsscore --model served.json --check | indent
start_id=$(model_id served.json)

say "2. the loop: serve, join the chargebacks, learn, serve the new version"
mkfifo serve.fifo learn.fifo
# the server: scores each payment with the version it has, reloads served.json
# when it is replaced; "model" in each line names the version
fsscore --model served.json --watch < serve.fifo > served.ndjson 2> server.err &
server=$!
# the learner: learns from each joined record (the payment as served, with its
# label) after scoring it (score_online: the joined records already hold the
# served "score" and "model"), saves served.json every $every examples
fsscore --learn --label label --suffix _online --model served.json --save served.json \
	--save-every "$every" --progress progress.ndjson < learn.fifo > learned.ndjson 2> learner.err &
learner=$!
exec 3> serve.fifo 4> learn.fifo

sent=0 joined=0 serving=$start_id
day_cb=0 day_joined=0
: > known.ndjson
: > truth.ndjson
: > day-models.txt
: > days.txt
echo "$start_id 0" > versions.txt  # each version served: its id and the examples it learned
printf '%-10s %8s %11s %8s %8s  %s\n' day payments chargebacks joined learned \
	"the versions that served it (by examples learned)" | indent
last_step=$(ls steps | tail -n 1)
for f in steps/*.ndjson; do
	key=$(basename "$f" .ndjson)
	# the step's payments through the server, which scores them as they come
	cat "$f" >&3
	wait_lines served.ndjson $((sent + $(wc -l < "$f")))
	tail -n +$((sent + 1)) served.ndjson > step-served.ndjson
	sent=$((sent + $(wc -l < "$f")))
	awk -F'"' '{ print $(NF - 1) }' step-served.ndjson | uniq >> day-models.txt
	# the chargebacks that came in meanwhile; fsgroundtruth reads on in both
	# files where its last run stopped: it joins the labels to their payments,
	# and gives the payments 3 days old without one label 0 (legitimate)
	if [ -f "labels/$key.ndjson" ]; then
		cat "labels/$key.ndjson" >> known.ndjson
		day_cb=$((day_cb + $(wc -l < "labels/$key.ndjson")))
	fi
	status=0
	fsgroundtruth --id tx --labels known.ndjson --maturity 3d --absent-label 0 --window 1d \
		--emit joined --state truth.state served.ndjson > step.ndjson 2>> truth.err || status=$?
	[ $status -eq 0 ] || die "fsgroundtruth failed (status $status): $(tail -n 1 truth.err)"
	cat step.ndjson >> truth.ndjson
	# its joined records to the learner, which scores, learns, and saves
	k=$(grep -c '"kind":"joined"' step.ndjson || true)
	grep '"kind":"joined"' step.ndjson >&4 || true
	joined=$((joined + k)) day_joined=$((day_joined + k))
	wait_lines learned.ndjson "$joined"
	i=0
	until [ "$(examples served.json)" -ge $((joined / every * every)) ]; do
		i=$((i + 1))
		[ $i -le 3000 ] || die "the learner did not save after $((joined / every * every)) examples"
		sleep 0.02
	done
	# the server takes the learner's last version before the next payments
	id=$(model_id served.json)
	if [ "$id" != "$serving" ]; then
		i=0
		until grep -q "now serving $id" server.err; do
			i=$((i + 1))
			[ $i -le 3000 ] || die "the server did not pick up $id"
			sleep 0.02
		done
		serving=$id
		echo "$id $(examples served.json)" >> versions.txt
	fi
	# the day is over (or the stream): a line for it
	if [ "${key#*T}" = "$(printf %02d $((24 - step)))" ] || [ "$key.ndjson" = "$last_step" ]; then
		day=${key%T*}
		by=$(uniq day-models.txt |
			awk 'NR == FNR { e[$1] = $2; next } { printf "%s%s", (FNR > 1 ? " " : ""), e[$1] }' versions.txt -)
		echo "$day $by" >> days.txt
		printf '%-10s %8d %11d %8d %8d  %s\n' "$day" "$(cat steps/"$day"T*.ndjson | wc -l)" \
			"$day_cb" "$day_joined" "$joined" "$by" | indent
		: > day-models.txt
		day_cb=0 day_joined=0
	fi
done
# the end of the stream: the learner saves all it learned, the server serves it
exec 4>&-
status=0
wait $learner || status=$?
learner=
[ $status -eq 0 ] || die "the learner failed (status $status): $(tail -n 1 learner.err)"
id=$(model_id served.json)
i=0
until grep -q "now serving $id" server.err; do
	i=$((i + 1))
	[ $i -le 3000 ] || die "the server did not pick up $id"
	sleep 0.02
done
exec 3>&-
status=0
wait $server || status=$?
server=
[ $status -eq 0 ] || die "the server failed (status $status): $(tail -n 1 server.err)"
late=$(grep -c '"reason":"label at' truth.err || true)
echo "$late chargebacks came more than 3 days after their payment: not counted (truth.err)" | indent

say "3. the learner: each joined record scored before it is learned from (progressive validation)"
indent < learner.err
echo "(score_online in learned.ndjson; log_loss: the mean so far, since_last: since the row before)" | indent
echo "what it learned: the weights of the standardized features, in the last version," | indent
sed -n 's/^"weights":{\(.*\)},*$/\1/p' served.json | tr ',' '\n' | tr -d '"' |
	awk -F: '{ printf "%s %s %+.2f\n", ($2 < 0 ? -$2 : $2), $1, $2 }' | sort -rn |
	awk '{ printf "%-18s %s%s", $2, $3, (NR % 4 ? "   " : "\n") } END { if (NR % 4) printf "\n" }' | indent | indent
# a hashed value's weight, read through the served model: an event with only
# that field (every numeric input 0) scores logistic(intercept + its weight)
echo "and of the hashed values (less their field's mean: the intercept takes that), by scoring" \
	"an event with only the field:" | indent
{ echo '{"features":{}}'
  for c in web ios android pos; do echo "{\"channel\":\"$c\",\"features\":{}}"; done
  for m in $(seq 0 19); do echo "{\"merchant_id\":\"m$m\",\"features\":{}}"; done; } |
	fsscore --model served.json 2>/dev/null |
	awk -F'"' '{ p = $0; sub(/.*"score":/, "", p); w = log(p / (1 - p)) }
	NR == 1 { b = w; next }
	{ n[$2]++; s[$2] += w - b; v[NR] = $4; f[NR] = $2; x[NR] = w - b }
	END { for (i = 2; i <= NR; i++) print f[i], x[i] - s[f[i]] / n[f[i]], v[i] }' |
	sort -k1,1 -k2,2nr | awk '$1 != last { if (last != "") printf "\n"; printf "%-12s", $1 ":"; last = $1; k = 0 }
		{ if (k++ == 10) printf "\n%12s", ""; printf " %s %+.2f", $3, $2 } END { printf "\n" }' | indent | indent

say "4. the server: every payment scored once, by the version it had then"
in=$(wc -l < stream.ndjson)
out=$(wc -l < served.ndjson)
if [ "$(cut -d'"' -f4 stream.ndjson | cksum)" = "$(cut -d'"' -f4 served.ndjson | cksum)" ]; then
	echo "$in payments in, $out scored, in order: none lost, none twice" | indent
else
	die "the server's output is not its input in order ($in in, $out out)"
fi
picked=$(grep -c 'now serving' server.err || true)
scored=$(awk -F'"' '{ print $(NF - 1) }' served.ndjson | uniq | grep -vc "^$start_id\$" || true)
echo "$picked versions picked up by fsscore --watch while the stream flowed, without a stop;" \
	"$scored of them scored payments (the others came while none did), e.g.:" |
	fold -s -w 100 | indent
grep 'now serving' server.err | tail -n 1 | fold -s -w 100 | indent

say "5. the served scores' quality per day, once its chargebacks are in (fsgroundtruth's metrics)"
# the metrics records of the days that matured during the run: a day's is
# written once the payments are 3 days past its end
if ! grep '"kind":"metrics"' truth.ndjson > metrics.ndjson; then
	echo "(no day is mature yet: its payments must be 3 days past its end; give it more FS_EVENTS)" | indent
else
	printf '%-10s %8s %6s %8s %9s %7s %6s  %s\n' day payments frauds log_loss base_rate roc_auc pr_auc \
		"served by (examples learned)" | indent
	awk -F'[:,]' 'NR == FNR { d = substr($0, 1, 10); by[d] = substr($0, 12); next }
		function f(x) { return x == "null" ? "-" : sprintf("%.3f", x) }
		{ for (i = 1; i < NF; i++) v[$i] = $(i + 1)
		  d = substr(v["\"window_start\""], 2, 10); p = v["\"positives\""] / v["\"predictions\""]
		  # base_rate: the log loss of a model that knew the day'"'"'s fraud rate, nothing else
		  printf "%-10s %8d %6d %8s %9.3f %7s %6s  %s\n", d, v["\"predictions\""], v["\"positives\""],
			f(v["\"log_loss\""]), (p > 0 && p < 1 ? -(p * log(p) + (1 - p) * log(1 - p)) : 0), f(v["\"roc_auc\""]),
			f(v["\"pr_auc\""]), by[d] }' days.txt metrics.ndjson | indent
	first=$(head -n 1 metrics.ndjson) last=$(tail -n 1 metrics.ndjson)
	metric() { echo "$1" | sed "s/.*\"$2\":\"*\\([^,\"]*\\).*/\\1/"; }
	d1=$(metric "$first" window_start | cut -c1-10) dn=$(metric "$last" window_start | cut -c1-10)
	by() { b=$(sed -n "s/^$1 //p" days.txt); [ "$b" = 0 ] && echo "zero weights" || echo "versions $b"; }
	printf '%s (%s): log loss %.3f, ROC AUC %.3f; %s (%s): log loss %.3f, ROC AUC %.3f\n' \
		"$d1" "$(by "$d1")" "$(metric "$first" log_loss)" "$(metric "$first" roc_auc)" \
		"$dn" "$(by "$dn")" "$(metric "$last" log_loss)" "$(metric "$last" roc_auc)" | indent
	echo "(the later days mature 3 days after their end, past this run's last payment)" | indent
fi

say "done: the model learned from its delayed labels while it served, without a stop"
