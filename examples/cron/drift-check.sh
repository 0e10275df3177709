#!/bin/sh
# drift-check.sh: yesterday's drift against the training baseline, for cron.
#
#   drift-check.sh BASELINE DATA_DIR REPORT_DIR [MAILTO]
#
# Reads DATA_DIR/YYYY-MM-DD.ndjson* (any compression fstools reads) for
# yesterday, writes REPORT_DIR/drift-YYYY-MM-DD.html and .ndjson, and logs
# one line to syslog (logger). On a warning or an alert it mails the table
# and attaches nothing: the report is one self-contained page, linked from
# the mail (or mail it as the body of a multipart message if you prefer).
# The exit status is fspsi's: 0 ok, 1 warn, 2 alert, 64 and up an error.
set -u
baseline=$1 data=$2 out=$3 mailto=${4:-}
day=$(date -d yesterday +%F)
set -- "$data/$day".ndjson*
[ -e "$1" ] || { logger -t fspsi "no data for $day in $data"; exit 66; }
fspsi --baseline "$baseline" --window 1h --report "$out/drift-$day.html" "$@" \
	> "$out/drift-$day.ndjson" 2> "$out/drift-$day.err"
status=$?
table=$(fspsi --baseline "$baseline" --format table "$@" 2>/dev/null)
case $status in
0) logger -t fspsi "$day: no drift" ;;
1 | 2)
	level=$([ $status -eq 2 ] && echo ALERT || echo warning)
	logger -t fspsi "$day: drift $level, see $out/drift-$day.html"
	if [ -n "$mailto" ] && command -v mail >/dev/null; then
		printf 'Drift %s for %s.\nReport: %s\n\n%s\n' "$level" "$day" \
			"$out/drift-$day.html" "$table" | mail -s "fspsi: drift $level $day" "$mailto"
	fi ;;
*) logger -t fspsi "$day: fspsi failed with status $status: $(tail -n 1 "$out/drift-$day.err")" ;;
esac
exit $status
