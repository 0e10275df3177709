#!/bin/sh
# tests/cli/fspsi-report.sh: fspsi --report writes one self-contained page
# that headless Chromium renders with a section for every feature of the
# run's summary records, showing the same status, one histogram and one PSI
# line, and that refers to nothing outside itself. Skipped without chromium.
. "$(dirname "$0")/../lib.sh"
chromium=$(command -v chromium) || {
	echo "1..0 # SKIP chromium not installed: apt-get install -y chromium"
	exit 0
}
cd "$TMP"

# gen N SEED SHIFT: events whose feature a is N(SHIFT, 1), b is N(10, 2),
# c is x, y or z (50/30/20) and score is uniform; awk's srand makes it
# repeatable.
gen() {
	awk -v n="$1" -v seed="$2" -v ashift="$3" '
	function normal() { return sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand()) }
	BEGIN {
		srand(seed)
		for (i = 0; i < n; i++) {
			r = rand()
			c = r < 0.5 ? "x" : r < 0.8 ? "y" : "z"
			printf "{\"features\":{\"a\":%.6f,\"b\":%.6f,\"c\":\"%s\"},\"score\":%.6f}\n",
				ashift + normal(), 10 + 2 * normal(), c, rand()
		}
	}'
}
gen 5000 1 0 > train.ndjson
gen 5000 2 1 > stream.ndjson

fspsi --fit train.ndjson > baseline.json 2> fit.err
fit_status=$?
fspsi --baseline baseline.json --window 1000 --report report.html stream.ndjson \
	> out.ndjson 2> run.err
run_status=$?
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$TMP/profile" \
	--dump-dom "file://$TMP/report.html" > dom.html 2> chromium.err
dom_status=$?

# "feature status" of each summary record; fspsi writes compact, flat records.
grep '"kind": *"summary"' out.ndjson | while IFS= read -r line; do
	f=$(printf '%s\n' "$line" | sed -n 's/.*"feature": *"\([^"]*\)".*/\1/p')
	s=$(printf '%s\n' "$line" | sed -n 's/.*"status": *"\([^"]*\)".*/\1/p')
	printf '%s\t%s\n' "$f" "$s"
done > summary.tsv

# "feature status histograms psi-lines" of each section of the rendered page,
# attribute values unescaped.
awk '
function attr(tag, name,   v) {
	if (!match(tag, " " name "=\"[^\"]*\""))
		return ""
	v = substr(tag, RSTART + length(name) + 3, RLENGTH - length(name) - 4)
	gsub(/&lt;/, "<", v); gsub(/&gt;/, ">", v); gsub(/&quot;/, "\"", v)
	gsub(/&#39;/, "\047", v); gsub(/&amp;/, "\\&", v)
	return v
}
function count(s, re,   n) {
	for (n = 0; match(s, re); n++)
		s = substr(s, RSTART + RLENGTH)
	return n
}
BEGIN { RS = "</section>" }
match($0, /<section[^>]*>/) {
	tag = substr($0, RSTART, RLENGTH)
	body = substr($0, RSTART)
	printf "%s\t%s\t%d\t%d\n", attr(tag, "data-feature"), attr(tag, "data-status"),
		count(body, "<svg[^>]*class=\"histogram\""), count(body, "<svg[^>]*class=\"psi-line\"")
}' dom.html > sections.tsv

nsum=$(($(wc -l < summary.tsv)))
nsec=$(($(wc -l < sections.tsv)))
plan $((7 + 3 * nsum))
check "fspsi --fit: exit 0 (got $fit_status)" test "$fit_status" -eq 0
[ "$fit_status" -eq 0 ] || diag < fit.err
# 1 and 2 are the warn and alert statuses: the stream drifts on purpose.
check "fspsi --report: exit 0, 1 or 2 (got $run_status) and the page exists" \
	test "$run_status" -le 2 -a -s report.html
[ "$run_status" -le 2 ] || diag < run.err
check "headless chromium renders the page (exit $dom_status)" \
	grep -q '<section' dom.html
[ -s dom.html ] || diag < chromium.err
check "out.ndjson has the summary records of a, b and c" \
	sh -c 'cut -f1 summary.tsv | grep -qx a && cut -f1 summary.tsv | grep -qx b &&
		cut -f1 summary.tsv | grep -qx c'
check "one section per summary record ($nsum records, $nsec sections)" test "$nsum" -eq "$nsec"
check "a, shifted by one standard deviation, is not ok" \
	awk -F '\t' '$1 == "a" && ($2 == "warn" || $2 == "alert") { found = 1 } END { exit !found }' summary.tsv
# What the page must not hold: anything a browser would fetch or run.
check "the page refers to no external URL and holds no script" \
	sh -c '! cat report.html dom.html |
		grep -Eiq "https?:|ftp:|//[a-z0-9.-]+/|src=|<script|<link|@import|url\(|href=\"[^#]"'

tab=$(printf '\t')
while IFS="$tab" read -r f s; do
	row=$(awk -F '\t' -v f="$f" '$1 == f' sections.tsv | head -n 1)
	got=$(printf '%s\n' "$row" | cut -f2)
	check "$f: a section with data-status=\"$s\" like its summary record (got \"$got\")" \
		test -n "$row" -a "$got" = "$s"
	check "$f: one svg.histogram" test "$(printf '%s\n' "$row" | cut -f3)" = 1
	check "$f: one svg.psi-line" test "$(printf '%s\n' "$row" | cut -f4)" = 1
done < summary.tsv
exit 0
