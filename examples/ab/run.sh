#!/bin/sh
# run.sh: champion against challenger, end to end on generated card payments
# (examples/gen-events.awk), with the chargebacks that come back days later:
#
#   events -> fsfeat (features) -> train.py (champion.json, challenger.json,
#     no-gap.json; chargebacks.ndjson)
#   (a) shadow: fsscore --model champion.json --shadow challenger.json
#         -> fsgroundtruth --compare-scores score,score_shadow (paired test)
#   (b) A/B:    fsscore --model champion.json --challenger challenger.json
#                 --split 0.5 --split-key user_id
#         -> fsgroundtruth --compare arm [--horizon N] (unpaired test, per
#            day and running, its looks corrected by alpha spending)
#   (c) alert:  fsgroundtruth --compare arm --alert 'challenger_auc_delta<-0.02'
#         on that A/B (exit 0), then on a rollout of a regressed model (exit 2)
#
#   sh examples/ab/run.sh [DIR]
#
# DIR keeps the files (default: a temporary directory, removed at the end).
# FS_EVENTS sets how many payments (default 200000: ten days and a half; the
# labels take 3 days to mature, so fewer leave few days to compare) and
# FS_HORIZON the running comparison's planned labels (default 100000, about
# five days of payments). Needs fsfeat, fsscore and fsgroundtruth from the
# build tree or PATH, awk, and /usr/bin/python3 with xgboost, scikit-learn
# and numpy (python3-xxhash, if there, recomputes the arms). Exits 1 when a
# step fails or something it claims is not so (for one, when a verdict names
# the worse model).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ex=$(cd "$here/.." && pwd)
top=$(cd "$ex/.." && pwd)
[ -x "$top/fsscore" ] && PATH="$top:$PATH"  # run from the build tree
export LC_ALL=C
n=${FS_EVENTS:-200000}
horizon=${FS_HORIZON:-100000}
py=/usr/bin/python3
# the training period: the first two days of payments (gen-events.awk starts
# on 2024-01-01); the models serve from then on
cut=2024-01-03T00:00:00Z

die() { echo "run.sh: $*" >&2; exit 1; }
for tool in fsfeat fsscore fsgroundtruth; do
	command -v $tool >/dev/null || die "$tool not found"
done
"$py" -c 'import xgboost, sklearn, numpy' 2>/dev/null ||
	die "$py cannot import xgboost, sklearn and numpy: apt-get install -y python3-xgboost python3-sklearn"
if [ $# -gt 0 ]; then
	mkdir -p "$1"
	work=$(cd "$1" && pwd)
	keep=1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/fs-ab.XXXXXX")
	keep=
fi
trap '[ -n "$keep" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work"

say() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/   /'; }
table() { "$py" "$here/table.py" "$@" | indent; }
# the compare records of FILE with scope SCOPE, a line each (jq-free):
# window_start's day, mature or open, verdict, p_value, and for a running
# look: look, labels, information, alpha_look, final, its last day
verdicts() {
	"$py" -c 'import datetime, json, sys
for r in map(json.loads, open(sys.argv[1])):
    if r.get("kind") != "compare" or r["scope"] != sys.argv[2]:
        continue
    end = datetime.datetime.fromisoformat(r["window_end"].replace("Z", "+00:00"))
    print(r["window_start"][:10], "mature" if r["mature"] else "open", r["verdict"],
          "%.2g" % r["p_value"] if r["p_value"] is not None else "-", *(
          (r["look"], r["labels"], "%.3f" % r["information"], "%.2g" % r["alpha_look"],
           "final" if r["final"] else "-", (end - datetime.timedelta(seconds=1)).date())
          if sys.argv[2] == "running" else ()))' "$1" "$2"
}
# the fsgroundtruth run of every section: chargebacks 3 days at most after
# their payment, a payment without one by then legitimate, a window a day
truth() {
	fsgroundtruth --id tx --labels chargebacks.ndjson --maturity 3d --absent-label 0 --window 1d "$@"
}

say "0. $n card payments (examples/gen-events.awk), their features (fsfeat), three models"
awk -v n="$n" -v keys=5000 -v bad=0.001 -v ids=1 -f "$ex/gen-events.awk" > events.ndjson
fsfeat --spec "$ex/user.json" --errors rejected.ndjson events.ndjson 2> fsfeat.err |
	fsfeat --spec "$ex/merchant.json" --errors rejected2.ndjson > features.ndjson 2>> fsfeat.err
# the stream the models serve: the payments from $cut on (the times are
# ISO strings of one width, so they compare as text)
awk -F'"ts":"' -v cut="$cut" 'substr($2, 1, 20) >= cut' features.ndjson > serve.ndjson
echo "$(wc -l < features.ndjson) payments with features ($(cat rejected.ndjson rejected2.ndjson | wc -l)" \
	"malformed lines rejected); the models serve the $(wc -l < serve.ndjson)" | indent
echo "from $cut on, after two days of training period" | indent
"$py" "$here/train.py" features.ndjson "$cut" chargebacks.ndjson > train.txt
indent < train.txt
auc_of() { sed -n "s/^  $1 .*ROC AUC \\([0-9.]*\\)\$/\\1/p" train.txt; }
a_champ=$(auc_of champion.json) a_chal=$(auc_of challenger.json) a_nogap=$(auc_of no-gap.json)
[ -n "$a_champ" ] && [ -n "$a_chal" ] && [ -n "$a_nogap" ] || die "train.py did not print three AUCs"
better=$(awk -v a="$a_champ" -v b="$a_chal" 'BEGIN { print (b > a ? "challenger" : "champion") }')
[ "$better" = challenger ] || die "the challenger ($a_chal) is not better than the champion ($a_champ)"
echo "the challenger is the better model ($a_chal > $a_champ): the comparisons below must find it," \
	"from the labels as they come" | indent

say "1. shadow: both models score every payment; a paired test per day"
fsscore --model champion.json --shadow challenger.json serve.ndjson > shadow.ndjson
tail -n 1 shadow.ndjson | sed 's/.*}}*,"score"/... "score"/' | indent
truth --errors shadow-truth.err --compare-scores score,score_shadow shadow.ndjson \
	> shadow-truth.ndjson 2> shadow-truth.log
indent < shadow-truth.log
echo "(chargebacks more than 3 days late are not counted: shadow-truth.err)" | indent
echo "a compare record, abbreviated (each side's object has the metrics record's members):" | indent
grep '"kind":"compare"' shadow-truth.ndjson | head -n 1 |
	sed 's/"champion":{.*"challenger_auc_delta"/"champion":{...},"challenger":{...},"challenger_auc_delta"/' |
	fold -w 100 | indent
table window shadow-truth.ndjson
verdicts shadow-truth.ndjson window > shadow-verdicts.txt
mature=$(grep -c ' mature ' shadow-verdicts.txt || true)
named=$(grep -c " mature $better " shadow-verdicts.txt || true)
[ "$mature" -gt 0 ] || die "no day is mature: give it more FS_EVENTS"
[ "$named" -eq "$mature" ] ||
	die "the paired verdict named the $better in $named of $mature mature days, not all"
pmax=$(awk '$2 == "mature" { if ($4 > m) m = $4 } END { printf "%.2g", m }' shadow-verdicts.txt)
echo "each of the $mature mature days names the $better (p_value at most $pmax): two scores of the same" \
	"payments differ" | indent
echo "by the models alone. The last days are open: the labels so far (a payment's 0 comes 3 days on)" | indent

say "2. A/B: half of the users get the challenger's scores; an unpaired test per day, and running"
fsscore --model champion.json --challenger challenger.json --split 0.5 --split-key user_id \
	serve.ndjson > ab.ndjson
for arm in champion challenger; do
	grep -m 1 "\"arm\":\"$arm\"" ab.ndjson | sed 's/.*}}*,"score"/... "score"/' | indent
done
# each user's arms, then the users and payments of each arm
awk -F'"' '{ for (i = 2; i < NF; i += 2) if ($i == "user_id") u = $(i + 2); else if ($i == "arm") a = $(i + 2)
	events[a]++; if (!((u, a) in seen)) { seen[u, a] = 1; users[a]++; arms[u]++ } }
	END { for (u in arms) { all++; if (arms[u] > 1) both++ }
	      for (a in users) printf "%s %d %d %d %d %d\n", a, users[a], all, events[a], NR, both + 0 }' \
	ab.ndjson | sort > arms.txt
awk '{ printf "%-10s %5d users of %d (%.1f%%), %6d payments of %d (%.1f%%)\n", $1 ":", $2, $3,
	100 * $2 / $3, $4, $5, 100 * $4 / $5 }' arms.txt | indent
both=$(awk 'NR == 1 { print $6 }' arms.txt)
[ "$both" -eq 0 ] || die "$both users were scored in both arms"
echo "no user changes arm: each was in one only, all along (a user's arm is a hash of user_id," \
	"so heavy users" | indent
echo "make the payment shares differ from the users' more than the users' from one half)" | indent
if "$py" -c 'import xxhash' 2>/dev/null; then
	"$py" -c 'import json, sys, xxhash
arm, bad = {}, 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    arm[r["user_id"]] = r["arm"]
for user, a in arm.items():
    u = (xxhash.xxh64_intdigest(user, 0) >> 11) / 2**53
    bad += a != ("challenger" if u < 0.5 else "champion")
print(f"Python recomputes every user'"'"'s arm, (xxh64(user_id, seed 0) >> 11) / 2^53 < 0.5:",
      f"{len(arm) - bad} of {len(arm)} the same")
sys.exit(bad > 0)' ab.ndjson > xxhash.txt || { cat xxhash.txt >&2; die "an arm differs from its hash"; }
	indent < xxhash.txt
fi
truth --errors ab-truth.err --compare arm --horizon "$horizon" ab.ndjson > ab-truth.ndjson 2> ab-truth.log
echo "per day, DeLong's unpaired test of the two arms' AUCs (each on its own half of the payments):" | indent
table window ab-truth.ndjson
verdicts ab-truth.ndjson window > ab-verdicts.txt
wrong=$(grep -c ' mature champion ' ab-verdicts.txt || true)
[ "$wrong" -eq 0 ] || die "a day of the A/B named the champion, the worse model"
echo "$(grep -c " mature $better " ab-verdicts.txt || true) of $(grep -c ' mature ' ab-verdicts.txt)" \
	"mature days name the $better, the others none: each arm has half the payments, and" \
	"no pairs" | indent
echo "running: the labels of the mature days so far, up to $horizon; each look's level spent by" \
	"O'Brien-Fleming (obf)" | indent
table running ab-truth.ndjson
verdicts ab-truth.ndjson running > running.txt
[ -s running.txt ] || die "no running look: give it more FS_EVENTS"
# shellcheck disable=SC2046 # the words of the line, on purpose
set -- $(tail -n 1 running.txt)  # day mature verdict p_value look labels information alpha_look final last
[ "$3" != none ] || die "no verdict by look $5 ($6 labels): give it more FS_EVENTS or a smaller FS_HORIZON"
[ "$3" = "$better" ] && [ "$9" = final ] ||
	die "the running comparison ended with verdict $3 at look $5, not a final $better"
echo "the verdict came at look $5, after $6 labels (information $7; the days $1 to ${10}):" | indent
echo "the $3, its p_value $4 below the look's level $8; no look comes after a final one" | indent
# the same looks with each at the full alpha: the naive way, whose chance
# of a false verdict grows with every look
truth --errors /dev/null --compare arm --horizon "$horizon" --spending none ab.ndjson \
	> naive.ndjson 2> /dev/null
# shellcheck disable=SC2046
set -- $(verdicts naive.ndjson running | tail -n 1)
echo "(--spending none tests each look at the full 0.05: it stops at look $5 with the $3, rightly" \
	"here; but five" | indent
echo "looks at 0.05 give two equal models a verdict about 14% of the time, not 5%)" | indent

say "3. alerts for cron: --alert 'challenger_auc_delta<-0.02' (exit 2 when one fires)"
status=0
truth --errors /dev/null --compare arm --alert 'challenger_auc_delta<-0.02' ab.ndjson \
	> alert1.ndjson 2> alert1.log || status=$?
fired=$(grep -c '"kind":"alert"' alert1.ndjson || true)
echo "on the A/B above: $fired alerts, exit status $status" | indent
[ "$status" -eq 0 ] && [ "$fired" -eq 0 ] || die "the A/B of a better challenger raised an alert (status $status)"
# the challenger promoted; the next one is a regression (trained without
# gap, as if a change of the feature spec had lost it), tried on a fifth
# of the users, guarded by the same alert
echo "then challenger.json promoted to champion, and the next challenger a regression, no-gap.json" \
	"(AUC $a_nogap)," | indent
echo "tried on a fifth of the users:" | indent
echo "fsscore --model challenger.json --challenger no-gap.json --split 0.2 --split-key user_id" | indent | indent
fsscore --model challenger.json --challenger no-gap.json --split 0.2 --split-key user_id \
	serve.ndjson > rollout.ndjson
status=0
truth --errors /dev/null --compare arm --alert 'challenger_auc_delta<-0.02' rollout.ndjson \
	> alert2.ndjson 2> alert2.log || status=$?
table window alert2.ndjson
grep '^fsgroundtruth: alert:' alert2.log | indent
fired=$(grep -c '"kind":"alert"' alert2.ndjson || true)
verdicts alert2.ndjson window > alert2-verdicts.txt
echo "$fired alert records beside the compare records, on $fired of the" \
	"$(grep -c ' mature ' alert2-verdicts.txt) mature days (open days raise none; a day's" | indent
echo "difference is noisy); exit status $status: cron pages someone, who stops the rollout" | indent
[ "$status" -eq 2 ] && [ "$fired" -gt 0 ] || die "the regressed challenger raised no alert (status $status)"

say "done: a shadow and an A/B comparison from delayed labels, a running verdict, an alert"
