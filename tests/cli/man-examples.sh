#!/bin/sh
# tests/cli/man-examples.sh: the examples of every tool's manual run, and the
# output examples of fsfeat(1) are what fsfeat writes, byte for byte.
#
# For each tool, in a scratch directory holding the fixtures its EXAMPLES
# names (set up by fixtures_TOOL; those EXAMPLES shows are checked first),
# every .Dl line of EXAMPLES of man/TOOL.1 is run with sh -c, the built
# tools first on PATH, and must exit with status 0 (or one of the statuses
# fixtures_TOOL sets in ok_status: fspsi exits 1 or 2 for drift that warns or
# alerts, a normal outcome of its hourly windows, fsgroundtruth 2 when an
# --alert fired). Lines needing a program
# that is not installed (zstd, tar, jq, kcat), or a file such a line would
# have made, are skipped. Displays (.Bd -literal) are not run: that is where
# commands needing a service, such as a Kafka broker, go. A tool without a
# manual page yet gives one skip.
#
# Lines of the online store, those naming redis://localhost or redis-cli, run
# against a private redis-server started for the tool (tests/online/redis.sh):
# redis://localhost becomes its unix:// URL, and redis-cli talks to its
# socket. Without redis-server they are skipped like the lines above.
#
# Then the goldens of fsfeat (goldens_fsfeat): the input line of OUTPUT is a
# line of events.ndjson and its output line is the one fsfeat writes for it;
# the --emit rows line of OUTPUT starts the rows fsfeat writes; the error
# record of DIAGNOSTICS is the one fsfeat writes for the line {"ts":1}
# appended as line 6; and the HMGET display of EXAMPLES is what redis-cli
# prints on a terminal for the HMGET example, after the --online example.
#
# And the goldens of fsgroundtruth (goldens_fsgroundtruth): the metrics,
# joined and alert records of OUTPUT, and its alert line on standard error,
# are what fsgroundtruth writes for the predictions.ndjson and labels.ndjson
# of EXAMPLES with --maturity 2d --absent-label 0 (a display wrapped over
# lines is one line: each continuation line starts with a space).
. "$(dirname "$0")/../lib.sh"

# The online store's examples need a redis-server; tests/online/redis.sh
# skips the whole test without one, so it is read only when there is one.
have_redis=
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
	. "$top_srcdir/tests/online/redis.sh"
	have_redis=1
fi

tools="fsfeat fsscore fspsi fsjoin fsgroundtruth"

# fixtures_TOOL DIR: writes the fixtures of the examples of TOOL into DIR;
# sets files (those in DIR), shown_files (those EXAMPLES must show as they are),
# ngolden (the number of TAP lines of goldens_TOOL) and ok_status (the exit
# statuses of its examples that are success; 0 unless set).
fixtures_fsfeat() {
	work=$1
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
	shown_files=$files
	ngolden=4
}
# The models and events of the golden cases of fsscore.
fixtures_fsscore() {
	work=$1
	files="fraud.json challenger.json classes.json linear.json unnamed.json events.ndjson"
	for f in $files; do cp "$top_srcdir/tests/cli/fsscore/data/$f" "$work/"; done
	shown_files="events.ndjson"
	ngolden=0
}
# Training events and today's, from the generator of the fspsi cases: the
# same distributions, seeded apart. With 60 events per hour, the hourly
# windows of the examples warn and alert by chance alone: status 1 or 2 is
# the drift verdict, not a failure.
fixtures_fspsi() {
	work=$1
	gen="$top_srcdir/tests/cli/fspsi/data/gen.awk"
	awk -v n=3000 -f "$gen" >"$work/train.ndjson"
	awk -v n=2000 -v seed=2 -f "$gen" >"$work/today.ndjson"
	files="train.ndjson today.ndjson"
	shown_files=""
	ngolden=0
	ok_status="0 1 2"
}
# The rows, table and spine of the golden cases of fsjoin. EXAMPLES shows
# one line of each, not the files: shown_files is empty.
fixtures_fsjoin() {
	work=$1
	files="users.ndjson merchants.ndjson spine.ndjson"
	for f in $files; do cp "$top_srcdir/tests/cli/fsjoin/data/$f" "$work/"; done
	shown_files=""
	ngolden=0
}
# The predictions and labels EXAMPLES shows (shown_files): four days of scored
# payments and the chargebacks since. With --maturity 2d the first day
# matures (its metrics are those of OUTPUT, recall 0.5: an --alert
# 'recall<0.6' fires, status 2) and the label of t6 is too late.
fixtures_fsgroundtruth() {
	work=$1
	cat >"$work/predictions.ndjson" <<'EOF'
{"tx":"t1","user_id":"u1","ts":"2026-11-01T09:12:00Z","features":{"amount":120},"score":0.93}
{"tx":"t2","user_id":"u2","ts":"2026-11-01T10:30:00Z","features":{"amount":15.5},"score":0.08}
{"tx":"t3","user_id":"u1","ts":"2026-11-01T17:45:00Z","features":{"amount":480},"score":0.71}
{"tx":"t4","user_id":"u3","ts":"2026-11-01T21:03:00Z","features":{"amount":9.99},"score":0.35}
{"tx":"t5","user_id":"u2","ts":"2026-11-02T08:20:00Z","features":{"amount":60},"score":0.12}
{"tx":"t6","user_id":"u4","ts":"2026-11-02T14:00:00Z","features":{"amount":250},"score":0.64}
{"tx":"t7","user_id":"u3","ts":"2026-11-04T11:00:00Z","features":{"amount":30},"score":0.05}
EOF
	cat >"$work/labels.ndjson" <<'EOF'
{"tx":"t1","ts":"2026-11-02T15:00:00Z","label":1}
{"tx":"t3","ts":"2026-11-03T09:30:00Z","label":0}
{"tx":"t4","ts":"2026-11-03T12:00:00Z","label":1}
{"tx":"t6","ts":"2026-11-05T10:00:00Z","label":1}
EOF
	files="predictions.ndjson labels.ndjson"
	shown_files=$files
	ngolden=4
	ok_status="0 2"
}

# TAP lines through printf: descriptions quote commands, whose backslashes
# echo would interpret.
t_ok() { tap_n=$((tap_n + 1)); printf 'ok %d - %s\n' "$tap_n" "$*"; }
t_not_ok() { tap_n=$((tap_n + 1)); tap_failed=1; printf 'not ok %d - %s\n' "$tap_n" "$*"; }
t_skip() { tap_n=$((tap_n + 1)); printf 'ok %d # SKIP %s\n' "$tap_n" "$*"; }

# on_redis: a command of the online store (standard input) as it runs here:
# redis://localhost is the private server's URL, redis-cli talks to its socket.
on_redis() {
	sed -e "s|redis://localhost|$REDIS_URL|g" -e "s|redis-cli |redis-cli -s $REDIS_SOCK |g"
}
# needs_redis COMMAND: the command is one of the online store.
needs_redis() {
	case $1 in *redis://localhost* | *redis-cli*) return 0 ;; esac
	return 1
}

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

# The plan: for each tool, its shown fixtures, its examples and its goldens,
# or one skip when it has no page yet.
n_plan=0
for t in $tools; do
	mkdir -p "$TMP/$t/examples"
	"fixtures_$t" "$TMP/$t/examples"
	man="$top_srcdir/man/$t.1"
	if [ -f "$man" ]; then
		section EXAMPLES | sed -n 's/^\.Dl //p' | unescape >"$TMP/$t/commands"
		set -- $shown_files
		n_plan=$((n_plan + $# + $(wc -l <"$TMP/$t/commands") + ngolden))
	else
		n_plan=$((n_plan + 1))
	fi
done
plan $n_plan

# examples: in $work, the fixtures the EXAMPLES of $man shows, then every
# .Dl line of it run.
examples() {
	for f in $shown_files; do
		shown "$f" >"$T/shown.$f"
		if [ -s "$T/shown.$f" ] && cmp -s "$work/$f" "$T/shown.$f"; then
			ok "EXAMPLES shows the $f the examples run with"
		else
			not_ok "EXAMPLES shows the $f the examples run with"
			diff -u "$work/$f" "$T/shown.$f" | sed '1,2d' | diag
		fi
	done

	# Files that skipped examples would have made; later examples naming one skip too.
	missing_files=""
	n=0
	while IFS= read -r cmd; do
		n=$((n + 1))
		why=""
		for prog in zstd tar jq kcat; do
			if printf '%s\n' "$cmd" | grep -qw "$prog" && ! command -v "$prog" >/dev/null 2>&1; then
				why="$prog not installed"
			fi
		done
		if needs_redis "$cmd" && [ -z "$have_redis" ]; then
			why="redis-server not installed"
		fi
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
		run=$cmd
		needs_redis "$cmd" && run=$(printf '%s\n' "$cmd" | on_redis)
		(cd "$work" && sh -c "$run") >"$T/out.$n" 2>"$T/err.$n" </dev/null
		rc=$?
		good=""
		for s in ${ok_status:-0}; do [ "$rc" -eq "$s" ] && good=1; done
		if [ "$rc" -eq 0 ]; then
			t_ok "example runs: $cmd"
		elif [ -n "$good" ]; then
			t_ok "example runs: $cmd (status $rc, a success for $t)"
		else
			t_not_ok "example runs: $cmd (status $rc)"
			head -n 20 "$T/err.$n" | diag
		fi
	done <"$T/commands"
}

# --------------------------------------------------------------- goldens
goldens_fsfeat() {
	gold="$T/golden"
	mkdir -p "$gold"
	for f in $files; do cp "$work/$f" "$gold/"; done

	display OUTPUT 1 >"$T/in.line"
	display OUTPUT 2 >"$T/out.line"
	i=$(grep -n -F -x -f "$T/in.line" "$gold/events.ndjson" | cut -d: -f1 | head -n 1)
	(cd "$gold" && fsfeat --spec spec.json events.ndjson) >"$T/events.out" 2>"$T/events.err"
	if [ -z "$i" ] || [ "$(wc -l <"$T/in.line")" -ne 1 ]; then
		not_ok "the OUTPUT input line is one line of events.ndjson"
		diag <"$T/in.line"
	elif sed -n "${i}p" "$T/events.out" | cmp -s - "$T/out.line"; then
		ok "OUTPUT: fsfeat writes line $i of events.ndjson exactly as shown"
	else
		not_ok "OUTPUT: fsfeat writes line $i of events.ndjson exactly as shown"
		{ echo "man page:"; cat "$T/out.line"; echo "fsfeat:"; sed -n "${i}p" "$T/events.out"
		  cat "$T/events.err"; } | diag
	fi

	# The rows line is shown with its features elided: "{...}}".
	display OUTPUT 3 | sed 's/{\.\.\.}}$//' >"$T/rows.prefix"
	(cd "$gold" && fsfeat --spec spec.json --emit rows events.ndjson) >"$T/rows.out" 2>&1
	prefix=$(cat "$T/rows.prefix")
	first=$(head -n 1 "$T/rows.out")
	case $first in
	"$prefix"*) ok "OUTPUT: the --emit rows line starts the first row fsfeat writes" ;;
	*)
		not_ok "OUTPUT: the --emit rows line starts the first row fsfeat writes"
		printf 'man page: %s\nfsfeat:   %s\n' "$prefix" "$first" | diag
		;;
	esac

	display DIAGNOSTICS 1 >"$T/reject.shown"
	printf '%s\n' '{"ts":1}' >>"$gold/events.ndjson"
	(cd "$gold" && fsfeat --spec spec.json events.ndjson 2>&1 >/dev/null) | head -n 1 >"$T/reject.out"
	if [ -s "$T/reject.shown" ] && cmp -s "$T/reject.shown" "$T/reject.out"; then
		ok "DIAGNOSTICS: fsfeat writes the error record shown for line 6 {\"ts\":1}"
	else
		not_ok "DIAGNOSTICS: fsfeat writes the error record shown for line 6 {\"ts\":1}"
		{ echo "man page:"; cat "$T/reject.shown"; echo "fsfeat:"; cat "$T/reject.out"; } | diag
	fi

	# The display of EXAMPLES that starts "1) " is what redis-cli prints on a
	# terminal (--no-raw) for the HMGET example, the --online example before it.
	hmget=$(grep '^redis-cli HMGET ' "$T/commands" | head -n 1)
	section EXAMPLES | awk '/^\.Bd -literal/{ on = 1; k = 0; buf = ""; next }
		/^\.Ed/{ if (on && found) { printf "%s", buf; exit } on = 0; next }
		on { if (!k++ && /^1\) /) found = 1; buf = buf $0 "\n" }' | unescape >"$T/hmget.shown"
	if [ -z "$have_redis" ]; then
		skip "redis-server not installed: the HMGET display of EXAMPLES is not checked"
	elif [ -z "$hmget" ] || [ ! -s "$T/hmget.shown" ]; then
		not_ok "EXAMPLES has a redis-cli HMGET example and a display of what it prints"
	else
		(cd "$work" && sh -c "$(printf '%s\n' "$hmget" | on_redis | sed 's/^redis-cli /redis-cli --no-raw /')") \
			>"$T/hmget.out" 2>&1
		if cmp -s "$T/hmget.shown" "$T/hmget.out"; then
			ok "EXAMPLES: redis-cli prints what is shown for '$hmget' after the --online example"
		else
			not_ok "EXAMPLES: redis-cli prints what is shown for '$hmget' after the --online example"
			{ echo "man page:"; cat "$T/hmget.shown"; echo "redis-cli:"; cat "$T/hmget.out"; } | diag
		fi
	fi
}
# A display wrapped over lines as the one line it shows.
one_line() {
	awk 'NR > 1 { sub(/^ /, "") } { printf "%s", $0 } END { if (NR) print "" }'
}
goldens_fsgroundtruth() {
	gold="$T/golden"
	mkdir -p "$gold"
	for f in $files; do cp "$work/$f" "$gold/"; done
	(cd "$gold" && fsgroundtruth --id tx --labels labels.ndjson --maturity 2d --absent-label 0 \
		--emit joined --alert 'recall<0.6' predictions.ndjson) >"$T/gt.out" 2>"$T/gt.err"
	rc=$?
	for k in 1 2 3 4; do display OUTPUT $k | one_line >"$T/gt.shown.$k"; done
	grep '^{"kind":"metrics"' "$T/gt.out" | head -n 1 >"$T/gt.got.1"
	grep '"kind":"joined",' "$T/gt.out" | grep '^{"tx":"t1",' | head -n 1 >"$T/gt.got.2"
	grep '^{"kind":"alert"' "$T/gt.out" | head -n 1 >"$T/gt.got.3"
	grep '^fsgroundtruth: alert: ' "$T/gt.err" | head -n 1 >"$T/gt.got.4"
	for k in 1 2 3 4; do
		case $k in
		1) d="OUTPUT: the metrics record is the one fsgroundtruth writes for the first day" ;;
		2) d="OUTPUT: the joined record is the one fsgroundtruth writes for t1" ;;
		3) d="OUTPUT: the alert record is the one --alert 'recall<0.6' writes (status 2)" ;;
		4) d="OUTPUT: the alert line on standard error is the one fsgroundtruth writes" ;;
		esac
		if [ -s "$T/gt.shown.$k" ] && cmp -s "$T/gt.shown.$k" "$T/gt.got.$k" &&
			{ [ "$k" -ne 3 ] || [ "$rc" -eq 2 ]; }; then
			ok "$d"
		else
			not_ok "$d"
			{ echo "man page:"; cat "$T/gt.shown.$k"; echo "fsgroundtruth (status $rc):"
			  cat "$T/gt.got.$k"; head -n 5 "$T/gt.err"; } | diag
		fi
	done
}
goldens_fsscore() { :; }
goldens_fspsi() { :; }
goldens_fsjoin() { :; }

for t in $tools; do
	T="$TMP/$t"
	work="$T/examples"
	man="$top_srcdir/man/$t.1"
	ok_status=""
	"fixtures_$t" "$work" # again, for its files, shown_files and ngolden
	if [ -f "$man" ]; then
		started=
		if [ -n "$have_redis" ] && grep -q -e 'redis://localhost' -e 'redis-cli' "$T/commands"; then
			redis_start "redis-$t"
			started=1
		fi
		examples
		"goldens_$t"
		[ -n "$started" ] && redis_stop "redis-$t"
	else
		skip "man/$t.1 does not exist yet: no examples of $t to run"
	fi
done
exit 0
