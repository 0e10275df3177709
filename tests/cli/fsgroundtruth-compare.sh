#!/bin/sh
# tests/cli/fsgroundtruth-compare.sh: champion and challenger in fsgroundtruth.
#
# The compare record's shape and its place (after each window's metrics),
# the verdict's rules (--min-labels, --alpha), a running comparison that
# ends at its first verdict or its horizon, alerts on comparison numbers
# and their exit status, rejects for an unknown arm or a missing second
# score, usage errors, and a --state that carries arms, paired scores and
# the running comparison across runs. Its numbers are held to scikit-learn,
# statsmodels and a transcription of DeLong et al. in
# tests/oracle/fsgroundtruth-compare.sh, its error rates in
# tests/oracle/ab-simulation.sh.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
plan 13
cd "$TMP"

# 6 days of 400 predictions; the challenger's score (and arm "challenger")
# separates the classes better than the champion's
awk 'BEGIN { srand(11); t0 = 1700006400
	for (i = 0; i < 2400; i++) {
		y = rand() < 0.3; u = rand(); v = rand(); w = rand()
		a = 0.35 * y + 0.65 * u; b = 0.6 * y + 0.4 * v
		arm = w < 0.5 ? "champion" : "challenger"
		printf "{\"id\":%d,\"ts\":%d,\"score\":%.4f,\"score_shadow\":%.4f,\"arm\":\"%s\"}\n", i, t0 + i * 216, arm == "champion" ? a : b, b, arm
		printf "{\"id\":%d,\"ts\":%d,\"label\":%d}\n", i, t0 + i * 216 + 3600, y > "/dev/stderr" } }' > p.ndjson 2> l.ndjson
gt() { fsgroundtruth --id id --labels l.ndjson --maturity 2h --window 1d "$@"; }

gt --compare arm p.ndjson > arm.out
check "a compare record follows each window's metrics record" \
	test "$(grep -o '"kind":"[a-z]*"' arm.out | uniq -c | awk '{ print $1 }' | sort -u | tr '\n' ' ')" = "1 "
check "... with both arms, the unpaired test and a verdict" \
	test "$(grep -c '"scope":"window","compare":"arm","test":"delong_unpaired","alpha":0.05,"labels":[0-9]*,"champion":{"name":"champion","predictions":[0-9]*,"labels".*"challenger":{"name":"challenger".*"challenger_auc_delta":0\.[0-9]*,.*"p_value":[0-9.e-]*,"verdict":"challenger","why":"p_value [0-9.e-]* is below 0.05"}' arm.out)" = 6
gt --compare-scores score,score_shadow --min-labels 1000 p.ndjson > few.out
check "--min-labels: no verdict from a window of fewer labels, and why" \
	test "$(grep -c '"verdict":"none","why":"400 labels, fewer than --min-labels 1000"' few.out)" = 6
gt --compare-scores score,score_shadow --horizon 2000 --spending fixed p.ndjson > run.out
check "a fixed horizon: running looks give no verdict before the horizon, then one final verdict" \
	test "$(grep '"scope":"running"' run.out | sed 's/.*"look":\([0-9]*\).*"alpha_look":\([0-9.e-]*\),"final":\([a-z]*\).*"verdict":"\([a-z]*\)".*/\1 \2 \3 \4/' | tr '\n' ' ')" = \
	     "1 0 false none 2 0 false none 3 0 false none 4 0 false none 5 0.05 true challenger "
gt --compare-scores score,score_shadow --horizon 2000 p.ndjson > obf.out
check "obf spending: the running comparison ends at its first verdict, the only final look" \
	test "$(grep '"scope":"running"' obf.out | sed 's/.*"final":\([a-z]*\).*"verdict":"\([a-z]*\)".*/\1 \2/' | tr '\n' ' ')" = \
	     "false none true challenger "

gt --compare arm --alert 'challenger_auc_delta>0.05' --alert 'champion_roc_auc<0.5' p.ndjson > alert.out 2> alert.err
status=$?
check "an alert on a comparison number fires in each mature window it holds for (exit 2)" \
	sh -c "test $status = 2 && test \$(grep -c '\"kind\":\"alert\",.*\"metric\":\"challenger_auc_delta\"' alert.out) = 5 &&
	       grep -q 'alert: challenger_auc_delta>0.05: challenger_auc_delta is' alert.err"

printf '%s\n' '{"id":"x","ts":1700006400,"score":0.5,"score_shadow":0.4,"arm":"B"}' \
	'{"id":"y","ts":1700006401,"score":0.5,"arm":"champion"}' > bad.ndjson
echo '{"id":"x","ts":1700006500,"label":1}' > bl.ndjson
fsgroundtruth --id id --labels bl.ndjson --compare arm --errors r1 bad.ndjson > /dev/null 2>&1
check "an arm that is not one of --arms is rejected, reason key" \
	grep -q '"line":1,"reason":"arm \\"B\\" is neither champion nor challenger' r1
fsgroundtruth --id id --labels bl.ndjson --compare-scores score,score_shadow --errors r2 bad.ndjson > /dev/null 2>&1
check "a prediction without the challenger's score is rejected" \
	grep -q '"line":2,"reason":"challenger \\"score_shadow\\" is missing' r2

# --state: the same input in two runs equals one run
head -n 1300 p.ndjson > p1.ndjson; tail -n +1301 p.ndjson > p2.ndjson
opts="--compare arm --horizon 1500 --spending pocock"
gt $opts p.ndjson > one.out
gt $opts --state s p1.ndjson > two.out 2> /dev/null
gt $opts --state s p2.ndjson >> two.out 2> /dev/null
gt $opts p.ndjson | grep '"mature":true' > one.mature
grep '"mature":true' two.out > two.mature
check "two runs through --state give one run's mature comparisons, running looks included" \
	sh -c 'cmp -s one.mature two.mature && grep -q "\"scope\":\"running\"" two.mature'
check "a state of another comparison is refused" \
	sh -c "$(declare -f gt); ! gt --compare-scores score,score_shadow --state s p2.ndjson > /dev/null 2> st.err && grep -q 'compare-scores' st.err"

ue() { fsgroundtruth --id id --labels l.ndjson "$@" < /dev/null > /dev/null 2> ue.err; test $? = 64; }
check "--compare and --compare-scores exclude each other; --arms needs two values" \
	sh -c "$(declare -f ue); ue --compare arm --compare-scores a,b && grep -q 'exclude each other' ue.err &&
	       ue --compare arm --arms a && grep -q 'name two different values' ue.err"
check "--horizon, --spending and comparison alerts need a comparison" \
	sh -c "$(declare -f ue); ue --horizon 10 && grep -q 'option of --compare' ue.err &&
	       ue --compare arm --spending obf && grep -q 'give --horizon N' ue.err &&
	       ue --alert 'p_value<0.01' && grep -q 'add --compare FIELD' ue.err &&
	       ue --compare arm --alpha 2 && grep -q 'not a level between 0 and 1' ue.err"
echo '{"id":1,"ts":1700006400,"scores":[0.2,0.8],"arm":"champion"}' | \
	fsgroundtruth --id id --labels bl.ndjson --compare arm > /dev/null 2> mc.err
check "a multiclass model is refused: comparisons are of binary models" \
	grep -q 'compares binary models' mc.err
