#!/bin/sh
# tests/cli/learn-example.sh: examples/online-learning/run.sh, the whole loop.
#
# The example serves a zero-weight linear model with fsscore --watch, joins
# the delayed chargebacks to its predictions with fsgroundtruth, feeds the
# joined records to fsscore --learn, which saves the model the server picks
# up. Run at its default size in a scratch directory, it must exit 0 with
# every section shown; the server must have picked up versions while its
# stream flowed and lost no payment; the learner must have learned from
# every labelled joined record; and the served scores of the last mature day
# must beat those of the zero-weight start.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
plan 7
cd "$TMP"

sh "$top_srcdir/examples/online-learning/run.sh" run > out.txt 2> err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c '^== [0-5]\. ' out.txt)" -eq 6 ] && grep -q '^== done' out.txt &&
	[ ! -s err.txt ]; then
	ok "run.sh exits 0, shows its six sections, and writes nothing on stderr"
else
	not_ok "run.sh exits 0, shows its six sections, and writes nothing on stderr (status $rc)"
	tail -n 20 out.txt err.txt | diag
fi
cd run || exit 1

# --- the server -----------------------------------------------------------
# the ids of the versions, in the order the server took them
start=$(fsscore --model start.json --check | sed 's/{"model":"start.json@\([^"]*\)".*/served.json@\1/')
sed -n 's/.*now serving \([^ ]*\) .*/\1/p' server.err > picked.txt
picked=$(wc -l < picked.txt)
awk -F'"' '{ print $(NF - 1) }' served.ndjson | uniq > used.txt
scored=$(grep -vc "^$start\$" used.txt)
{ echo "$start"; cat picked.txt; } > known.txt
check "the server picked up $picked versions while its stream flowed, $scored of them scored payments (at least 2)" \
	sh -c "[ $picked -ge 2 ] && [ $scored -ge 2 ] && [ \$(grep -vcxFf known.txt used.txt) -eq 0 ] &&
		[ \"\$(head -n 1 used.txt)\" = '$start' ]"

in=$(wc -l < stream.ndjson)
out=$(wc -l < served.ndjson)
same=0
cmp -s <(cut -d'"' -f4 stream.ndjson) <(cut -d'"' -f4 served.ndjson) && same=1
with=$(grep -c '"score":[0-9.e-]*,"model":"served.json@[0-9a-f]*"}$' served.ndjson)
other=$(grep -vc 'now serving' server.err)
check "no payment lost by the server: $in in, $out out, the same ids in order, $with with a score, $other other messages" \
	test "$in" -gt 0 -a "$same" = 1 -a "$with" = "$in" -a "$other" = 0

# --- the learner ----------------------------------------------------------
labelled=$(grep '"kind":"joined"' truth.ndjson | grep -c '"label":[01],')
joined=$(grep -c '"kind":"joined"' truth.ndjson)
examples=$(sed -n 's/.*"learning":{[^}]*"examples":\([0-9]*\).*/\1/p' served.json)
check "the learner's last save learned from every labelled joined record ($examples = $labelled of $joined)" \
	sh -c "[ '$examples' = '$labelled' ] && [ $labelled -gt 0 ] && [ \$(wc -l < learned.ndjson) -eq $joined ]"
last=$(tail -n 1 progress.ndjson)
n=$(echo "$last" | sed 's/.*"labelled":\([0-9]*\).*/\1/')
ll=$(echo "$last" | sed 's/.*"log_loss":\([^,]*\).*/\1/')
check "its progress ends at $n examples learned, with a progressive log loss of $(printf %.3f "$ll") < ln 2 = 0.693" \
	awk -v e="$examples" -v n="$n" -v l="$ll" 'BEGIN { exit !(n == e && l > 0 && l < log(2)) }'

# --- the quality of the served scores --------------------------------------
grep '"kind":"metrics"' truth.ndjson > metrics.txt
get() { sed -n "${1}s/.*\"$2\":\"*\\([^,\"]*\\).*/\\1/p" metrics.txt; }
d1=$(get 1 window_start | cut -c1-10) l1=$(get 1 log_loss) a1=$(get 1 roc_auc)
dn=$(get '$' window_start | cut -c1-10) ln=$(get '$' log_loss) an=$(get '$' roc_auc)
pos=$(get '$' positives) pred=$(get '$' predictions)
base=$(awk -v p="$pos" -v n="$pred" 'BEGIN { q = p / n; printf "%.17g", -(q * log(q) + (1 - q) * log(1 - q)) }')
r() { printf %.3f "$1"; }
day=$(grep -c "\"ts\":\"$d1" served.ndjson)
half=$(grep "\"ts\":\"$d1" served.ndjson | grep -c "\"score\":0.5,\"model\":\"$start\"")
check "$d1, the first day, served by the zero-weight start: $half of $day scores 0.5, log loss $(r "$l1"), ROC AUC $(r "$a1")" \
	awk -v n="$day" -v h="$half" -v l="$l1" -v a="$a1" 'BEGIN {
		d = l - log(2); exit !(n > 0 && h == n && d < 1e-12 && d > -1e-12 && a == 0.5) }'
zero=$(grep "\"ts\":\"$dn" served.ndjson | grep -c "\"model\":\"$start\"")
check "$dn, the last mature day, served by learned versions only: log loss $(r "$ln") < $(r "$l1") (and < $(r "$base"), the fraud rate's alone), ROC AUC $(r "$an") > $(r "$a1") (and > 0.9)" \
	awk -v l1="$l1" -v a1="$a1" -v ln="$ln" -v an="$an" -v base="$base" -v n="$pred" -v z="$zero" 'BEGIN {
		exit !(n > 0 && z == 0 && ln < l1 && an > a1 && an > 0.9 && ln < base) }'
exit 0
