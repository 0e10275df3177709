#!/bin/sh
# tests/cli/ab-example.sh: examples/ab/run.sh, champion against challenger.
#
# The example trains a champion, a better challenger and a regressed model
# on generated payments, compares the first two by a shadow (paired) and an
# A/B split (unpaired, per day and running with alpha spending) from the
# delayed chargebacks, and guards a rollout of the third with an --alert.
# Run at its default size in a scratch directory, it must exit 0 with every
# section shown and nothing on stderr; and what it prints must be what its
# files hold: the paired verdict of every mature day names the challenger,
# no user is in both arms (and each arm is the documented XXH64 of user_id),
# the running comparison's final look is the one printed, with the O'Brien-
# Fleming levels of its information, and the alert exits 2 on the rollout
# only, with an alert record for each mature day whose difference is below
# the limit.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
py=/usr/bin/python3
if ! "$py" -c 'import xgboost, sklearn, numpy' 2>/dev/null; then
	echo "1..0 # SKIP $py cannot import xgboost, sklearn and numpy: apt-get install -y python3-xgboost python3-sklearn"
	exit 0
fi
plan 7
cd "$TMP"

sh "$top_srcdir/examples/ab/run.sh" run > out.txt 2> err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c '^== [0-3]\. ' out.txt)" -eq 4 ] && grep -q '^== done' out.txt &&
	[ ! -s err.txt ]; then
	ok "run.sh exits 0, shows its four sections, and writes nothing on stderr"
else
	not_ok "run.sh exits 0, shows its four sections, and writes nothing on stderr (status $rc)"
	tail -n 20 out.txt err.txt | diag
fi
cd run || exit 1

# --- the models -------------------------------------------------------------
auc() { sed -n "s/^ *$1 .*ROC AUC \\([0-9.]*\\)\$/\\1/p" ../out.txt; }
a=$(auc champion.json) b=$(auc challenger.json) c=$(auc no-gap.json)
check "with every label, the challenger beats the champion, which beats no-gap.json ($b > $a > $c)" \
	awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { exit !(a != "" && c != "" && b > a && a > c) }'

# --- (a) the shadow -----------------------------------------------------------
# every compare record: paired, one sample; every mature day names the challenger
"$py" - shadow-truth.ndjson > shadow.txt <<'PY'
import json, sys
recs = [r for r in map(json.loads, open(sys.argv[1])) if r.get("kind") == "compare"]
mature = [r for r in recs if r["mature"]]
ok = bool(mature) and all(
    r["test"] == "delong_paired" and r["champion"]["name"] == "score"
    and r["challenger"]["name"] == "score_shadow"
    and r["labels"] == r["champion"]["labels"] == r["challenger"]["labels"] for r in recs) \
    and all(r["verdict"] == "challenger" and r["p_value"] < 0.05 and r["challenger_auc_delta_lo"] > 0
            for r in mature)
print(len(mature), int(ok))
PY
read -r days good < shadow.txt
check "the shadow's paired test names the challenger on each of the $days mature days, as printed" \
	sh -c "[ '$good' = 1 ] && grep -q 'each of the $days mature days names the challenger' ../out.txt"

# --- (b) the A/B split --------------------------------------------------------
both=$(awk -F'"' '{ for (i = 2; i < NF; i += 2) if ($i == "user_id") u = $(i + 2); else if ($i == "arm") a = $(i + 2)
	if (!((u, a) in s)) { s[u, a] = 1; n[u]++ } } END { for (u in n) if (n[u] > 1) k++; print k + 0 }' ab.ndjson)
users=$(cut -d'"' -f8 ab.ndjson | sort -u | wc -l)
if "$py" -c 'import xxhash' 2>/dev/null; then
	same=$("$py" -c 'import json, sys, xxhash
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    u = (xxhash.xxh64_intdigest(r["user_id"], 0) >> 11) / 2**53
    n += r["arm"] == ("challenger" if u < 0.5 else "champion")
print(n)' ab.ndjson)
	hash="; each of its $same payments in the arm XXH64(user_id) gives"
else
	same=$(wc -l < ab.ndjson)
	hash=" (python3-xxhash missing: arms not recomputed)"
fi
check "A/B: none of the $users users in both arms$hash" \
	sh -c "[ '$both' = 0 ] && [ $users -gt 1000 ] && [ '$same' = $(wc -l < ab.ndjson) ] &&
		grep -q 'no user changes arm' ../out.txt"

# the running comparison: its looks spend O'Brien-Fleming's alpha by their
# information; the last is final, with the verdict and the look printed
"$py" - ab-truth.ndjson ../out.txt > running.txt <<'PY'
import json, sys
from statistics import NormalDist
N = NormalDist()
looks = [r for r in map(json.loads, open(sys.argv[1])) if r.get("scope") == "running"]
out = open(sys.argv[2]).read()
spent = lambda t: 2 * N.cdf(-N.inv_cdf(1 - 0.025) / t ** 0.5) if t > 0 else 0.0
ok, prev = bool(looks), 0.0
for k, r in enumerate(looks, 1):
    t = r["labels"] / r["horizon"]
    ok &= r["look"] == k and r["spending"] == "obf" and abs(r["information"] - t) < 1e-12
    ok &= abs(r["alpha_spent"] - spent(t)) <= 1e-9 * max(spent(t), 1e-300) + 1e-15
    ok &= abs(r["alpha_look"] - (spent(t) - prev)) <= 1e-9 * spent(t) + 1e-15
    ok &= r["final"] == (k == len(looks)) and (r["verdict"] != "none") == (k == len(looks))
    prev = spent(t)
last = looks[-1] if looks else {}
ok &= last.get("verdict") == "challenger" and last.get("p_value", 1) < last.get("alpha_look", 0)
ok &= f"the verdict came at look {last.get('look')}, after {last.get('labels')} labels" in out
print(last.get("look"), last.get("labels"), int(bool(ok)))
PY
read -r look labels good < running.txt
check "the running comparison: O'Brien-Fleming levels by information, a final challenger verdict at look $look after $labels labels, as printed" \
	test "$good" = 1

# --- (c) the alert --------------------------------------------------------------
# no alert on the better challenger; on the regression, an alert record for
# each mature day whose difference is below -0.02, and exit status 2
"$py" - alert1.ndjson alert2.ndjson > alert.txt <<'PY'
import json, sys
def recs(path):
    return [r for r in map(json.loads, open(path))]
a1, a2 = recs(sys.argv[1]), recs(sys.argv[2])
below = [r["window_start"] for r in a2 if r.get("kind") == "compare" and r["mature"]
         and r["challenger_auc_delta"] < -0.02]
fired = [r["window_start"] for r in a2 if r.get("kind") == "alert"]
ok = not [r for r in a1 if r.get("kind") == "alert"] and below and fired == below and all(
    r["value"] < -0.02 and r["metric"] == "challenger_auc_delta" for r in a2 if r.get("kind") == "alert")
print(len(fired), int(bool(ok)))
PY
read -r fired good < alert.txt
check "--alert 'challenger_auc_delta<-0.02': exit 0 and none on the A/B, exit 2 and $fired on the regressed rollout" \
	sh -c "[ '$good' = 1 ] && grep -q 'on the A/B above: 0 alerts, exit status 0' ../out.txt &&
		grep -q '^   $fired alert records beside the compare records' ../out.txt &&
		grep -q 'exit status 2: cron pages someone' ../out.txt &&
		[ \$(grep -c '^fsgroundtruth: alert: ' alert2.log) = '$fired' ]"

# --- a claim that does not hold, and the temporary directory ------------------
# 60000 payments are not four days: no day's labels mature, and run.sh says
# so, exits 1, and removes its directory all the same
mkdir "$TMP/tmpdir"
FS_EVENTS=60000 TMPDIR="$TMP/tmpdir" sh "$top_srcdir/examples/ab/run.sh" > small.out 2> small.err
rc=$?
check "with 60000 payments, run.sh exits 1 ($rc), saying no day is mature, and leaves nothing in \$TMPDIR" \
	sh -c "[ $rc = 1 ] && grep -q 'no day is mature' small.err && [ -z \"\$(ls -A '$TMP/tmpdir')\" ]"
exit 0
