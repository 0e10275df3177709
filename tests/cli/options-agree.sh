#!/bin/sh
# tests/cli/options-agree.sh: fsfeat --help, fsfeat(1) and both shell
# completions name the same options, and both manual pages lint clean.
#
# The option table in src/fsfeat.c (and FS_COMMON_OPTIONS in src/lib/cli.h)
# is the single source; --help prints it, and every other list is checked
# against --help here:
#   --help          "  -x, --long=ARG  text" and "      --long  text" lines
#   man/fsfeat.1    the ".It Fl ..." entries of the option list in DESCRIPTION
#   fsfeat.bash     the --long words of the script, the opts_short list
#   _fsfeat         the --long words of the _arguments specs, {-x,--long} pairs
. "$(dirname "$0")/../lib.sh"

bin="$top_builddir/fsfeat"
man1="$top_srcdir/man/fsfeat.1"
man7="$top_srcdir/man/fstools.7"
bashc="$top_srcdir/completions/fsfeat.bash"
zshc="$top_srcdir/completions/_fsfeat"
# Options the manual announces for a later release (MEMORY section).
future="state ttl"

plan 16

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

# --------------------------------------------------------------- --help
"$bin" --help >"$TMP/help" 2>"$TMP/help.err"
rc=$?
sed -n -e 's/^  -\(.\), --\([a-z][a-z0-9-]*\).*/\2/p' \
	-e 's/^      --\([a-z][a-z0-9-]*\).*/\1/p' "$TMP/help" >"$TMP/help.long"
sed -n 's/^  -\(.\), --\([a-z][a-z0-9-]*\).*/\1 \2/p' "$TMP/help" | sort >"$TMP/help.pairs"
cut -d' ' -f1 "$TMP/help.pairs" | sort >"$TMP/help.short"
sort "$TMP/help.long" >"$TMP/help.long.sorted"
if [ "$rc" -eq 0 ] && [ -s "$TMP/help.long" ] && [ ! -s "$TMP/help.err" ]; then
	ok "fsfeat --help exits 0 and lists $(wc -l <"$TMP/help.long" | tr -d ' ') options"
else
	not_ok "fsfeat --help exits 0 and lists its options (status $rc)"
	cat "$TMP/help.err" | diag
fi

# --------------------------------------------------------------- fsfeat(1)
section DESCRIPTION "$man1" | grep '^\.It Fl' >"$TMP/man.items"
sed -n 's/.*Fl -\([a-z][a-z0-9-]*\).*/\1/p' "$TMP/man.items" >"$TMP/man.long"
sed -n 's/^\.It Fl \([A-Za-z]\) .*Fl -\([a-z][a-z0-9-]*\).*/\1 \2/p' "$TMP/man.items" |
	sort >"$TMP/man.pairs"
sort "$TMP/man.long" >"$TMP/man.long.sorted"
same "fsfeat(1) documents every option of --help, and no other" \
	"$TMP/help.long.sorted" "$TMP/man.long.sorted"
same "fsfeat(1) lists the options in alphabetical order, as --help does" \
	"$TMP/help.long" "$TMP/man.long"
same "fsfeat(1) gives the short forms of --help" "$TMP/help.pairs" "$TMP/man.pairs"

# Every option named anywhere in the pages must exist (a renamed or dropped
# option leaves no stale mention behind).
{ cat "$TMP/help.long"; for f in $future; do echo "$f"; done; } | sort -u >"$TMP/known"
grep -o 'Fl -[a-z][a-z0-9-]*' "$man1" | sed 's/^Fl -//' | sort -u >"$TMP/man1.named"
comm -13 "$TMP/known" "$TMP/man1.named" >"$TMP/man1.unknown"
if [ ! -s "$TMP/man1.unknown" ]; then
	ok "every option fsfeat(1) names is an option of --help"
else
	not_ok "fsfeat(1) names options --help does not have"
	diag <"$TMP/man1.unknown"
fi
grep -o 'Fl -[a-z][a-z0-9-]*' "$man7" | sed 's/^Fl -//' | sort -u >"$TMP/man7.named"
comm -13 "$TMP/help.long.sorted" "$TMP/man7.named" >"$TMP/man7.unknown"
if [ ! -s "$TMP/man7.unknown" ]; then
	ok "every option fstools(7) names is an option of fsfeat --help"
else
	not_ok "fstools(7) names options fsfeat --help does not have"
	diag <"$TMP/man7.unknown"
fi

# --------------------------------------------------------------- SYNOPSIS
# The usage of --help: from "usage: " to the first blank line.
awk '/^usage: /{ on = 1; sub(/^usage: /, "") } on && /^$/ { exit } on' "$TMP/help" |
	words >"$TMP/usage"
# The option words of each: -x and --long.
tr ' []|' '\n\n\n\n' <"$TMP/usage" | grep -e '^-' | sort -u >"$TMP/usage.opts"
section SYNOPSIS "$man1" | grep -o 'Fl -\{0,1\}[A-Za-z][a-z0-9-]*' |
	sed 's/^Fl /-/' | sort -u >"$TMP/synopsis.opts"
same "the SYNOPSIS names the options of the --help usage, and no other" \
	"$TMP/usage.opts" "$TMP/synopsis.opts"
if command -v mandoc >/dev/null 2>&1; then
	bs=$(printf '\b')
	mandoc -Tascii -Owidth=1000 "$man1" | sed "s/.$bs//g" |
		awk '/^[A-Z]/{ on = ($0 == "SYNOPSIS"); next } on' | words >"$TMP/synopsis"
	same "the SYNOPSIS reads as the --help usage" "$TMP/usage" "$TMP/synopsis"
else
	skip "mandoc not installed"
fi

# --------------------------------------------------------------- bash
# the list it offers, and every --long word of the script (case labels)
sed -n "s/.*opts_long='\([^']*\)'.*/\1/p" "$bashc" | tr ' ' '\n' | sed -n 's/^--\([^=]*\)=\{0,1\}$/\1/p' |
	sort >"$TMP/bash.long"
grep -v '^[[:space:]]*#' "$bashc" | grep -o -- '--[a-z][a-z0-9-]*' | sed 's/^--//' |
	sort -u >"$TMP/bash.named"
sed -n "s/.*opts_short='\([^']*\)'.*/\1/p" "$bashc" | tr ' ' '\n' | sed -n 's/^-//p' |
	sort >"$TMP/bash.short"
comm -13 "$TMP/help.long.sorted" "$TMP/bash.named" >"$TMP/bash.unknown"
if cmp -s "$TMP/help.long.sorted" "$TMP/bash.long" && [ ! -s "$TMP/bash.unknown" ]; then
	ok "fsfeat.bash completes every option of --help, and no other"
else
	not_ok "fsfeat.bash completes every option of --help, and no other"
	{ diff "$TMP/help.long.sorted" "$TMP/bash.long"; sed 's/^/unknown: /' "$TMP/bash.unknown"; } | diag
fi
same "fsfeat.bash completes the short forms of --help" "$TMP/help.short" "$TMP/bash.short"
if command -v bash >/dev/null 2>&1; then
	# Run the completion function as bash would on "fsfeat -", "--emit ", ...
	mkdir "$TMP/bc" && : >"$TMP/bc/spec.json"
	(cd "$TMP/bc" && bash -c '
		. "$1" || exit 1
		t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		      _fsfeat fsfeat "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		      echo "$*: ${COMPREPLY[*]}"; }
		t fsfeat --emit ""
		t fsfeat --time-unit ""
		t fsfeat -u m
		t fsfeat --spec = ""
		t fsfeat --max-errors ""
	' sh "$bashc") >"$TMP/bash.run" 2>&1
	printf '%s\n' 'fsfeat --emit : events rows' 'fsfeat --time-unit : s ms us ns' \
		'fsfeat -u m: ms' 'fsfeat --spec = : spec.json' 'fsfeat --max-errors : ' \
		>"$TMP/bash.expected"
	bash -c '. "$1"; COMP_WORDS=(fsfeat -); COMP_CWORD=1; _fsfeat fsfeat - fsfeat
		printf "%s\n" "${COMPREPLY[@]}"' sh "$bashc" 2>/dev/null |
		sed 's/^--//; s/=$//; s/^-//' | sort >"$TMP/bash.offered"
	sort "$TMP/help.long" "$TMP/help.short" >"$TMP/help.all"
	if cmp -s "$TMP/bash.expected" "$TMP/bash.run" &&
		cmp -s "$TMP/help.all" "$TMP/bash.offered"; then
		ok "fsfeat.bash offers the options on '-', events rows for --emit, s ms us ns for --time-unit"
	else
		not_ok "fsfeat.bash completion when run"
		{ diff "$TMP/bash.expected" "$TMP/bash.run"; diff "$TMP/help.all" "$TMP/bash.offered"; } | diag
	fi
else
	skip "bash not installed"
fi

# --------------------------------------------------------------- zsh
grep -v '^[[:space:]]*#' "$zshc" | grep -o -- '--[a-z][a-z0-9-]*' | sed 's/^--//' |
	sort -u >"$TMP/zsh.long"
grep -o -- '{-[A-Za-z]+\{0,1\},--[a-z][a-z0-9-]*' "$zshc" |
	sed 's/^{-\([A-Za-z]\)+\{0,1\},--\(.*\)/\1 \2/' | sort >"$TMP/zsh.pairs"
same "_fsfeat completes every option of --help, and no other" \
	"$TMP/help.long.sorted" "$TMP/zsh.long"
same "_fsfeat gives the short forms of --help" "$TMP/help.pairs" "$TMP/zsh.pairs"
if command -v zsh >/dev/null 2>&1; then
	if zsh -n "$zshc" 2>"$TMP/zsh.err"; then
		ok "_fsfeat parses (zsh -n)"
	else
		not_ok "_fsfeat parses (zsh -n)"
		diag <"$TMP/zsh.err"
	fi
else
	skip "zsh not installed"
fi

# --------------------------------------------------------------- lint
for page in "$man1" "$man7"; do
	name=$(basename "$page")
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -Tlint -W warning "$page" >"$TMP/lint" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ] && ! grep -q -e WARNING -e ERROR -e UNSUPP "$TMP/lint"; then
			ok "mandoc -Tlint -W warning $name is clean"
		else
			not_ok "mandoc -Tlint -W warning $name is clean (status $rc)"
			diag <"$TMP/lint"
		fi
	else
		skip "mandoc not installed"
	fi
done
exit 0
