#!/bin/sh
# tests/cli/man-examples.sh: the examples of fsfeat(1) run, and its output
# examples are what fsfeat writes, byte for byte.
#
# In a scratch directory holding the spec.json, events.ndjson and
# merchant.json that EXAMPLES shows (checked first), every .Dl line of
# EXAMPLES is run with sh -c, the built fsfeat first on PATH, and must exit
# with status 0. Lines needing a program that is not installed (zstd, tar,
# jq, kcat), or a file such a line would have made, are skipped. Displays
# (.Bd -literal) are not run: that is where commands needing a service,
# such as a Kafka broker, go.
#
# Then the goldens: the input line of OUTPUT is a line of events.ndjson and
# its output line is the one fsfeat writes for it; the --emit rows line of
# OUTPUT starts the rows fsfeat writes; the error record of DIAGNOSTICS is
# the one fsfeat writes for the line {"ts":1} appended as line 6.
. "$(dirname "$0")/../lib.sh"

man="$top_srcdir/man/fsfeat.1"
work="$TMP/examples"
mkdir -p "$work"

cat >"$work/spec.json" <<'EOF'
{"key": "user_id",
 "description": "per-user spending",
 "features": [
  {"name": "n_1h", "agg": "count", "window": "1h"},
  {"name": "amount_sum_1h", "agg": "sum", "field": "amount", "window": "1h"},
  {"name": "amount_max_before_1d", "agg": "max", "field": "amount",
   "window": "1d", "include_current": false},
  {"name": "gap_s", "agg": "time_since_last"}
 ]}
EOF
cat >"$work/events.ndjson" <<'EOF'
{"user_id":"u1","merchant":"m1","ts":"2024-01-01T00:00:00Z","amount":10}
{"user_id":"u2","merchant":"m1","ts":"2024-01-01T00:10:00Z","amount":5}
{"user_id":"u1","merchant":"m2","ts":"2024-01-01T00:30:00Z","amount":"12.50"}
{"user_id":"u1","merchant":"m1","ts":"2024-01-01T01:00:00Z","amount":null}
{"user_id":"u1","merchant":"m1","ts":"2024-01-01T01:30:00Z","amount":2.25}
EOF
cat >"$work/merchant.json" <<'EOF'
{"key": "merchant",
 "features": [
  {"name": "merchant_amount_mean_1d", "agg": "mean", "field": "amount",
   "window": "1d"}
 ]}
EOF
files="spec.json events.ndjson merchant.json"

# TAP lines through printf: descriptions quote commands, whose backslashes
# echo would interpret.
t_ok() { tap_n=$((tap_n + 1)); printf 'ok %d - %s\n' "$tap_n" "$*"; }
t_not_ok() { tap_n=$((tap_n + 1)); tap_failed=1; printf 'not ok %d - %s\n' "$tap_n" "$*"; }
t_skip() { tap_n=$((tap_n + 1)); printf 'ok %d # SKIP %s\n' "$tap_n" "$*"; }

# mdoc escapes back to plain text: \e is a backslash, \- a minus, \& nothing.
unescape() {
	soh=$(printf '\001')
	sed -e "s/\\\\e/$soh/g" -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\(dq/"/g' \
		-e "s/\\\\(aq/'/g" -e "s/$soh/\\\\/g"
}
# The lines of a section: section NAME
section() {
	awk -v want=".Sh $1" '/^\.Sh /{ on = ($0 == want); next } on' "$man"
}
# The N-th literal display of a section: display SECTION N
display() {
	section "$1" | awk -v n="$2" '/^\.Bd -literal/{ k++; on = (k == n); next }
		/^\.Ed/{ if (on) exit; next } on' | unescape
}
# The literal display that follows ".Pa FILE" in EXAMPLES: shown FILE
shown() {
	section EXAMPLES | awk -v f="$1" '$1 == ".Pa" { want = ($2 == f); next }
		/^\.Bd -literal/{ on = want; want = 0; next } /^\.Ed/{ if (on) exit; next } on' |
		unescape
}

section EXAMPLES | sed -n 's/^\.Dl //p' | unescape >"$TMP/commands"
ncmd=$(wc -l <"$TMP/commands" | tr -d ' ')
set -- $files
plan $(($# + ncmd + 3))

for f in $files; do
	shown "$f" >"$TMP/shown.$f"
	if [ -s "$TMP/shown.$f" ] && cmp -s "$work/$f" "$TMP/shown.$f"; then
		ok "EXAMPLES shows the $f the examples run with"
	else
		not_ok "EXAMPLES shows the $f the examples run with"
		diff -u "$work/$f" "$TMP/shown.$f" | sed '1,2d' | diag
	fi
done

# Files that skipped examples would have made; later examples naming one skip too.
missing_files=""
n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	why=""
	for tool in zstd tar jq kcat; do
		if printf '%s\n' "$cmd" | grep -qw "$tool" && ! command -v "$tool" >/dev/null 2>&1; then
			why="$tool not installed"
		fi
	done
	for f in $missing_files; do
		case " $cmd " in *" $f "*) why="needs $f from a skipped example" ;; esac
	done
	if [ -n "$why" ]; then
		t_skip "$why: $cmd"
		for w in $cmd; do
			case $w in *.*) [ -e "$work/$w" ] || missing_files="$missing_files $w" ;; esac
		done
		continue
	fi
	(cd "$work" && sh -c "$cmd") >"$TMP/out.$n" 2>"$TMP/err.$n" </dev/null
	rc=$?
	if [ "$rc" -eq 0 ]; then
		t_ok "example runs: $cmd"
	else
		t_not_ok "example runs: $cmd (status $rc)"
		head -n 20 "$TMP/err.$n" | diag
	fi
done <"$TMP/commands"

# --------------------------------------------------------------- goldens
gold="$TMP/golden"
mkdir -p "$gold"
for f in $files; do cp "$work/$f" "$gold/"; done

display OUTPUT 1 >"$TMP/in.line"
display OUTPUT 2 >"$TMP/out.line"
i=$(grep -n -F -x -f "$TMP/in.line" "$gold/events.ndjson" | cut -d: -f1 | head -n 1)
(cd "$gold" && fsfeat --spec spec.json events.ndjson) >"$TMP/events.out" 2>"$TMP/events.err"
if [ -z "$i" ] || [ "$(wc -l <"$TMP/in.line")" -ne 1 ]; then
	not_ok "the OUTPUT input line is one line of events.ndjson"
	diag <"$TMP/in.line"
elif sed -n "${i}p" "$TMP/events.out" | cmp -s - "$TMP/out.line"; then
	ok "OUTPUT: fsfeat writes line $i of events.ndjson exactly as shown"
else
	not_ok "OUTPUT: fsfeat writes line $i of events.ndjson exactly as shown"
	{ echo "man page:"; cat "$TMP/out.line"; echo "fsfeat:"; sed -n "${i}p" "$TMP/events.out"
	  cat "$TMP/events.err"; } | diag
fi

# The rows line is shown with its features elided: "{...}}".
display OUTPUT 3 | sed 's/{\.\.\.}}$//' >"$TMP/rows.prefix"
(cd "$gold" && fsfeat --spec spec.json --emit rows events.ndjson) >"$TMP/rows.out" 2>&1
prefix=$(cat "$TMP/rows.prefix")
first=$(head -n 1 "$TMP/rows.out")
case $first in
"$prefix"*) ok "OUTPUT: the --emit rows line starts the first row fsfeat writes" ;;
*)
	not_ok "OUTPUT: the --emit rows line starts the first row fsfeat writes"
	printf 'man page: %s\nfsfeat:   %s\n' "$prefix" "$first" | diag
	;;
esac

display DIAGNOSTICS 1 >"$TMP/reject.shown"
printf '%s\n' '{"ts":1}' >>"$gold/events.ndjson"
(cd "$gold" && fsfeat --spec spec.json events.ndjson 2>&1 >/dev/null) | head -n 1 >"$TMP/reject.out"
if [ -s "$TMP/reject.shown" ] && cmp -s "$TMP/reject.shown" "$TMP/reject.out"; then
	ok "DIAGNOSTICS: fsfeat writes the error record shown for line 6 {\"ts\":1}"
else
	not_ok "DIAGNOSTICS: fsfeat writes the error record shown for line 6 {\"ts\":1}"
	{ echo "man page:"; cat "$TMP/reject.shown"; echo "fsfeat:"; cat "$TMP/reject.out"; } | diag
fi
exit 0
