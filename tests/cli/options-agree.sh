#!/bin/sh
# tests/cli/options-agree.sh: for every tool, TOOL --help, TOOL(1) and both
# shell completions name the same options, and the manual pages lint clean.
#
# The option table in src/TOOL.c (and FS_COMMON_OPTIONS in src/lib/cli.h)
# is the single source; --help prints it, and every other list is checked
# against --help here:
#   --help          "  -x, --long=ARG  text" and "      --long  text" lines
#   man/TOOL.1      the ".It Fl ..." entries of the option list in DESCRIPTION
#   TOOL.bash       the --long words of the script, the opts_short list
#   _TOOL           the --long words of the _arguments specs, {-x,--long} pairs
# fstools(7) may name the options of any tool.
. "$(dirname "$0")/../lib.sh"

tools="fsfeat fsscore fspsi fsjoin fsgroundtruth"
man7="$top_srcdir/man/fstools.7"

set -- $tools
plan $((14 * $# + 2))

# same DESCRIPTION EXPECTED ACTUAL: ok when the two files are equal,
# else not ok with the difference as diagnostics.
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		diff -u "$2" "$3" | sed '1,2d' | diag
	fi
}
# Joins the words of the input on one line, single spaces.
words() {
	awk '{ for (i = 1; i <= NF; i++) { printf "%s%s", sep, $i; sep = " " } } END { print "" }'
}
# The lines of a section of an mdoc page: section NAME FILE
section() {
	awk -v want=".Sh $1" '/^\.Sh /{ on = ($0 == want); next } on' "$2"
}
# lint PAGE: mandoc -Tlint finds nothing to say about the page.
lint() {
	name=$(basename "$1")
	if ! command -v mandoc >/dev/null 2>&1; then
		skip "mandoc not installed"
	elif [ ! -f "$1" ]; then
		not_ok "mandoc -Tlint -W warning $name is clean (man/$name is missing)"
	else
		mandoc -Tlint -W warning "$1" >"$TMP/lint" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ] && ! grep -q -e WARNING -e ERROR -e UNSUPP "$TMP/lint"; then
			ok "mandoc -Tlint -W warning $name is clean"
		else
			not_ok "mandoc -Tlint -W warning $name is clean (status $rc)"
			diag <"$TMP/lint"
		fi
	fi
}

# ----------------------------------------------------- bash, when run
# bash_runs_TOOL: runs the completion function of $bashc in $T/bc as bash
# would on a few command lines, the replies in $T/bash.run, what they must
# be in $T/bash.expected, and what that checks in $bash_desc.
bash_runs_fsfeat() {
	# Run the completion function as bash would on "fsfeat -", "--emit ", ...
	: >"$T/bc/spec.json"
	(cd "$T/bc" && bash -c '
		. "$1" || exit 1
		t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		      _fsfeat fsfeat "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		      echo "$*: ${COMPREPLY[*]}"; }
		t fsfeat --emit ""
		t fsfeat --time-unit ""
		t fsfeat -u m
		t fsfeat --spec = ""
		t fsfeat --max-errors ""
	' sh "$bashc") >"$T/bash.run" 2>&1
	printf '%s\n' 'fsfeat --emit : events rows' 'fsfeat --time-unit : s ms us ns' \
		'fsfeat -u m: ms' 'fsfeat --spec = : spec.json' 'fsfeat --max-errors : ' \
		>"$T/bash.expected"
	bash_desc="fsfeat.bash offers the options on '-', events rows for --emit, s ms us ns for --time-unit"
}
bash_runs_fsscore() {
	: >"$T/bc/model.json"
	: >"$T/bc/events.ndjson"
	(cd "$T/bc" && bash -c '
		. "$1" || exit 1
		t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		      _fsscore fsscore "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		      echo "$*: ${COMPREPLY[*]}"; }
		t fsscore --model = ""
		t fsscore -m ""
		t fsscore --shadow e
		t fsscore --output m
		t fsscore --errors e
		t fsscore --max-errors ""
		t fsscore --threshold ""
		t fsscore --from ""
	' sh "$bashc") >"$T/bash.run" 2>&1
	printf '%s\n' 'fsscore --model = : model.json' 'fsscore -m : model.json' \
		'fsscore --shadow e: events.ndjson' 'fsscore --output m: model.json' \
		'fsscore --errors e: events.ndjson' \
		'fsscore --max-errors : ' 'fsscore --threshold : ' 'fsscore --from : ' \
		>"$T/bash.expected"
	bash_desc="fsscore.bash offers the options on '-', *.json files first for --model and --shadow, nothing for numbers and names"
}

bash_runs_fspsi() {
	: >"$T/bc/baseline.json"
	: >"$T/bc/events.ndjson"
	: >"$T/bc/drift.html"
	(cd "$T/bc" && bash -c '
		. "$1" || exit 1
		t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		      _fspsi fspsi "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		      echo "$*: ${COMPREPLY[*]}"; }
		t fspsi --baseline = ""
		t fspsi -b ""
		t fspsi --report ""
		t fspsi --report e
		t fspsi --output b
		t fspsi --errors e
		t fspsi --format ""
		t fspsi --time-unit ""
		t fspsi -u m
		t fspsi --window ""
		t fspsi -w ""
		t fspsi --fields ""
		t fspsi --warn ""
		t fspsi --max-errors ""
	' sh "$bashc") >"$T/bash.run" 2>&1
	printf '%s\n' 'fspsi --baseline = : baseline.json' 'fspsi -b : baseline.json' \
		'fspsi --report : drift.html' 'fspsi --report e: events.ndjson' \
		'fspsi --output b: baseline.json' 'fspsi --errors e: events.ndjson' \
		'fspsi --format : ndjson table' 'fspsi --time-unit : s ms us ns' 'fspsi -u m: ms' \
		'fspsi --window : ' 'fspsi -w : ' 'fspsi --fields : ' 'fspsi --warn : ' \
		'fspsi --max-errors : ' \
		>"$T/bash.expected"
	bash_desc="fspsi.bash offers the options on '-', *.json first for --baseline, *.html first for --report, ndjson table for --format, s ms us ns for --time-unit, nothing for numbers and names"
}

bash_runs_fsjoin() {
	: >"$T/bc/users.ndjson"
	: >"$T/bc/spine.ndjson"
	(cd "$T/bc" && bash -c '
		. "$1" || exit 1
		t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		      _fsjoin fsjoin "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		      echo "$*: ${COMPREPLY[*]}"; }
		t fsjoin --asof = ""
		t fsjoin -a u
		t fsjoin --table s
		t fsjoin --output u
		t fsjoin --errors s
		t fsjoin --time-unit ""
		t fsjoin -u m
		t fsjoin --key ""
		t fsjoin -k ""
		t fsjoin --into ""
		t fsjoin --ttl ""
		t fsjoin --max-errors ""
		t fsjoin --regex ""
		t fsjoin --time-field ""
		t fsjoin --asof users.ndjson --key user_id s
	' sh "$bashc") >"$T/bash.run" 2>&1
	printf '%s\n' 'fsjoin --asof = : spine.ndjson users.ndjson' 'fsjoin -a u: users.ndjson' \
		'fsjoin --table s: spine.ndjson' 'fsjoin --output u: users.ndjson' \
		'fsjoin --errors s: spine.ndjson' 'fsjoin --time-unit : s ms us ns' 'fsjoin -u m: ms' \
		'fsjoin --key : ' 'fsjoin -k : ' 'fsjoin --into : ' 'fsjoin --ttl : ' \
		'fsjoin --max-errors : ' 'fsjoin --regex : ' 'fsjoin --time-field : ' \
		'fsjoin --asof users.ndjson --key user_id s: spine.ndjson' \
		>"$T/bash.expected"
	bash_desc="fsjoin.bash offers the options on '-', files for --asof, --table and the spine, s ms us ns for --time-unit, nothing for keys, names, durations and numbers"
}

bash_runs_fsgroundtruth() {
	: >"$T/bc/labels.ndjson"
	: >"$T/bc/predictions.ndjson"
	: >"$T/bc/truth.state"
	(cd "$T/bc" && bash -c '
		. "$1" || exit 1
		t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		      _fsgroundtruth fsgroundtruth "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		      echo "$*: ${COMPREPLY[*]}"; }
		q=$(printf "\047")
		t fsgroundtruth --labels = l
		t fsgroundtruth -l l
		t fsgroundtruth --state t
		t fsgroundtruth --output p
		t fsgroundtruth --errors l
		t fsgroundtruth --emit ""
		t fsgroundtruth --alert rec
		t fsgroundtruth --alert = de
		t fsgroundtruth --alert "${q}ro"
		t fsgroundtruth --maturity ""
		t fsgroundtruth -w ""
		t fsgroundtruth --time-unit ""
		t fsgroundtruth -u m
		t fsgroundtruth --id ""
		t fsgroundtruth --label-field ""
		t fsgroundtruth --classes ""
		t fsgroundtruth --absent-label ""
		t fsgroundtruth --threshold ""
		t fsgroundtruth --checkpoint ""
		t fsgroundtruth --max-errors ""
		t fsgroundtruth --id tx --labels labels.ndjson p
	' sh "$bashc") >"$T/bash.run" 2>&1
	printf '%s\n' 'fsgroundtruth --labels = l: labels.ndjson' \
		'fsgroundtruth -l l: labels.ndjson' 'fsgroundtruth --state t: truth.state' \
		'fsgroundtruth --output p: predictions.ndjson' 'fsgroundtruth --errors l: labels.ndjson' \
		'fsgroundtruth --emit : joined' 'fsgroundtruth --alert rec: recall\<' \
		'fsgroundtruth --alert = de: delay_p50\> delay_p95\>' \
		"fsgroundtruth --alert 'ro: 'roc_auc<" \
		'fsgroundtruth --maturity : 7d 14d 30d 60d 90d' 'fsgroundtruth -w : 1h 1d 1w' \
		'fsgroundtruth --time-unit : s ms us ns' 'fsgroundtruth -u m: ms' \
		'fsgroundtruth --id : ' 'fsgroundtruth --label-field : ' 'fsgroundtruth --classes : ' \
		'fsgroundtruth --absent-label : ' 'fsgroundtruth --threshold : ' \
		'fsgroundtruth --checkpoint : ' 'fsgroundtruth --max-errors : ' \
		'fsgroundtruth --id tx --labels labels.ndjson p: predictions.ndjson' \
		>"$T/bash.expected"
	bash_desc="fsgroundtruth.bash offers the options on '-', files for --labels, --state, the outputs and the predictions, joined for --emit, metric rules for --alert (escaped, or in the quote begun), durations for --maturity and --window, nothing for fields, names and numbers"
}

# check_tool TOOL: the checks of one tool, 14 TAP lines.
check_tool() {
	tool=$1
	T="$TMP/$tool"
	mkdir -p "$T"
	bin="$top_builddir/$tool"
	man1="$top_srcdir/man/$tool.1"
	bashc="$top_srcdir/completions/$tool.bash"
	zshc="$top_srcdir/completions/_$tool"
	# Options the manual announces for a later release (none today).
	future=""

	# ------------------------------------------------------- --help
	"$bin" --help >"$T/help" 2>"$T/help.err"
	rc=$?
	sed -n -e 's/^  -\(.\), --\([a-z][a-z0-9-]*\).*/\2/p' \
		-e 's/^      --\([a-z][a-z0-9-]*\).*/\1/p' "$T/help" >"$T/help.long"
	sed -n 's/^  -\(.\), --\([a-z][a-z0-9-]*\).*/\1 \2/p' "$T/help" | sort >"$T/help.pairs"
	cut -d' ' -f1 "$T/help.pairs" | sort >"$T/help.short"
	sort "$T/help.long" >"$T/help.long.sorted"
	cat "$T/help.long" >>"$TMP/all.long"
	if [ "$rc" -eq 0 ] && [ -s "$T/help.long" ] && [ ! -s "$T/help.err" ]; then
		ok "$tool --help exits 0 and lists $(wc -l <"$T/help.long" | tr -d ' ') options"
	else
		not_ok "$tool --help exits 0 and lists its options (status $rc)"
		diag <"$T/help.err"
	fi

	# ------------------------------------------------------- TOOL(1)
	if [ -f "$man1" ]; then
		section DESCRIPTION "$man1" | grep '^\.It Fl' >"$T/man.items"
		sed -n 's/.*Fl -\([a-z][a-z0-9-]*\).*/\1/p' "$T/man.items" >"$T/man.long"
		sed -n 's/^\.It Fl \([A-Za-z]\) .*Fl -\([a-z][a-z0-9-]*\).*/\1 \2/p' "$T/man.items" |
			sort >"$T/man.pairs"
		sort "$T/man.long" >"$T/man.long.sorted"
		same "$tool(1) documents every option of --help, and no other" \
			"$T/help.long.sorted" "$T/man.long.sorted"
		same "$tool(1) lists the options in alphabetical order, as --help does" \
			"$T/help.long" "$T/man.long"
		same "$tool(1) gives the short forms of --help" "$T/help.pairs" "$T/man.pairs"

		# Every option named anywhere in the page must exist (a renamed or
		# dropped option leaves no stale mention behind).
		{ cat "$T/help.long"; for f in $future; do echo "$f"; done; } | sort -u >"$T/known"
		grep -o 'Fl -[a-z][a-z0-9-]*' "$man1" | sed 's/^Fl -//' | sort -u >"$T/man1.named"
		comm -13 "$T/known" "$T/man1.named" >"$T/man1.unknown"
		if [ ! -s "$T/man1.unknown" ]; then
			ok "every option $tool(1) names is an option of --help"
		else
			not_ok "$tool(1) names options --help does not have"
			diag <"$T/man1.unknown"
		fi
	else
		for d in "documents every option of --help, and no other" \
			"lists the options in alphabetical order, as --help does" \
			"gives the short forms of --help" "names only options of --help"; do
			not_ok "$tool(1) $d (man/$tool.1 is missing)"
		done
	fi

	# ------------------------------------------------------- SYNOPSIS
	# The usage of --help: from "usage: " to the first blank line.
	awk '/^usage: /{ on = 1; sub(/^usage: /, "") } on && /^$/ { exit } on' "$T/help" |
		words >"$T/usage"
	# The option words of each: -x and --long.
	tr ' []|' '\n\n\n\n' <"$T/usage" | grep -e '^-' | sort -u >"$T/usage.opts"
	if [ -f "$man1" ]; then
		section SYNOPSIS "$man1" | grep -o 'Fl -\{0,1\}[A-Za-z][a-z0-9-]*' |
			sed 's/^Fl /-/' | sort -u >"$T/synopsis.opts"
		same "the SYNOPSIS of $tool(1) names the options of the --help usage, and no other" \
			"$T/usage.opts" "$T/synopsis.opts"
	else
		not_ok "the SYNOPSIS of $tool(1) names the options of the --help usage (man/$tool.1 is missing)"
	fi
	if ! command -v mandoc >/dev/null 2>&1; then
		skip "mandoc not installed"
	elif [ -f "$man1" ]; then
		bs=$(printf '\b')
		mandoc -Tascii -Owidth=1000 "$man1" | sed "s/.$bs//g" |
			awk '/^[A-Z]/{ on = ($0 == "SYNOPSIS"); next } on' | words >"$T/synopsis"
		same "the SYNOPSIS of $tool(1) reads as the --help usage" "$T/usage" "$T/synopsis"
	else
		not_ok "the SYNOPSIS of $tool(1) reads as the --help usage (man/$tool.1 is missing)"
	fi

	# ------------------------------------------------------- bash
	# the list it offers, and every --long word of the script (case labels)
	sed -n "s/.*opts_long='\([^']*\)'.*/\1/p" "$bashc" | tr ' ' '\n' |
		sed -n 's/^--\([^=]*\)=\{0,1\}$/\1/p' | sort >"$T/bash.long"
	grep -v '^[[:space:]]*#' "$bashc" | grep -o -- '--[a-z][a-z0-9-]*' | sed 's/^--//' |
		sort -u >"$T/bash.named"
	sed -n "s/.*opts_short='\([^']*\)'.*/\1/p" "$bashc" | tr ' ' '\n' | sed -n 's/^-//p' |
		sort >"$T/bash.short"
	comm -13 "$T/help.long.sorted" "$T/bash.named" >"$T/bash.unknown"
	if cmp -s "$T/help.long.sorted" "$T/bash.long" && [ ! -s "$T/bash.unknown" ]; then
		ok "$tool.bash completes every option of --help, and no other"
	else
		not_ok "$tool.bash completes every option of --help, and no other"
		{ diff "$T/help.long.sorted" "$T/bash.long"; sed 's/^/unknown: /' "$T/bash.unknown"; } | diag
	fi
	same "$tool.bash completes the short forms of --help" "$T/help.short" "$T/bash.short"
	if command -v bash >/dev/null 2>&1; then
		mkdir "$T/bc"
		"bash_runs_$tool"
		bash -c '. "$1"; COMP_WORDS=("$2" -); COMP_CWORD=1; "_$2" "$2" - "$2"
			printf "%s\n" "${COMPREPLY[@]}"' sh "$bashc" "$tool" 2>/dev/null |
			sed 's/^--//; s/=$//; s/^-//' | sort >"$T/bash.offered"
		sort "$T/help.long" "$T/help.short" >"$T/help.all"
		if cmp -s "$T/bash.expected" "$T/bash.run" &&
			cmp -s "$T/help.all" "$T/bash.offered"; then
			ok "$bash_desc"
		else
			not_ok "$tool.bash completion when run"
			{ diff "$T/bash.expected" "$T/bash.run"; diff "$T/help.all" "$T/bash.offered"; } | diag
		fi
	else
		skip "bash not installed"
	fi

	# ------------------------------------------------------- zsh
	grep -v '^[[:space:]]*#' "$zshc" | grep -o -- '--[a-z][a-z0-9-]*' | sed 's/^--//' |
		sort -u >"$T/zsh.long"
	grep -o -- '{-[A-Za-z]+\{0,1\},--[a-z][a-z0-9-]*' "$zshc" |
		sed 's/^{-\([A-Za-z]\)+\{0,1\},--\(.*\)/\1 \2/' | sort >"$T/zsh.pairs"
	same "_$tool completes every option of --help, and no other" \
		"$T/help.long.sorted" "$T/zsh.long"
	same "_$tool gives the short forms of --help" "$T/help.pairs" "$T/zsh.pairs"
	if command -v zsh >/dev/null 2>&1; then
		if zsh -n "$zshc" 2>"$T/zsh.err"; then
			ok "_$tool parses (zsh -n)"
		else
			not_ok "_$tool parses (zsh -n)"
			diag <"$T/zsh.err"
		fi
	else
		skip "zsh not installed"
	fi

	# ------------------------------------------------------- lint
	lint "$man1"
}

: >"$TMP/all.long"
for tool in $tools; do
	check_tool "$tool"
done

# --------------------------------------------------------------- fstools(7)
sort -u "$TMP/all.long" >"$TMP/all.long.sorted"
grep -o 'Fl -[a-z][a-z0-9-]*' "$man7" | sed 's/^Fl -//' | sort -u >"$TMP/man7.named"
comm -13 "$TMP/all.long.sorted" "$TMP/man7.named" >"$TMP/man7.unknown"
if [ ! -s "$TMP/man7.unknown" ]; then
	ok "every option fstools(7) names is an option of some tool's --help"
else
	not_ok "fstools(7) names options no tool's --help has"
	diag <"$TMP/man7.unknown"
fi
lint "$man7"
exit 0
