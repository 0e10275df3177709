#!/bin/sh
# tests/cli/fsgroundtruth-cron.sh: examples/cron/quality-check.sh as cron
# runs it: yesterday's scores and labels in, matured days and alerts out,
# a line to syslog, a mail on an alert, the state kept for the next morning.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
plan 6
cd "$TMP"
mkdir -p bin scored labels out
# logger and mail stand-ins that record what they were given
printf '#!/bin/sh\necho "$*" >> %s/syslog\n' "$TMP" > bin/logger
printf '#!/bin/sh\n{ echo "$*"; cat; } >> %s/mailbox\n' "$TMP" > bin/mail
chmod +x bin/logger bin/mail
PATH="$TMP/bin:$PATH"
day=$(date -d yesterday +%F)
# 40 days of scores; the model misses most frauds in the first days
awk 'BEGIN { srand(3)
	for (i = 0; i < 4000; i++) {
		t = 1767225600 + i * 864; s = rand(); y = rand() < 0.3
		if (y && i < 1000) s = s * 0.4
		printf "{\"tx\":\"t%d\",\"ts\":%d,\"score\":%.3f}\n", i, t, s > "scored.tmp"
		if (y) print t + int(rand() * 20 * 86400), i > "labels.tmp" } }'
gzip -c scored.tmp > "scored/$day.ndjson.gz"
sort -n labels.tmp | awk '{ printf "{\"tx\":\"t%d\",\"ts\":%d,\"label\":1}\n", $2, $1 }' > "labels/$day.ndjson"
sh "$top_srcdir/examples/cron/quality-check.sh" "$TMP/q.state" scored labels out ops@example.com
status=$?
check "an alert fired in a matured day: exit 2 (got $status)" test "$status" -eq 2
# the last score is of 2026-02-09T23:45Z: 1 to 9 January are 30 days behind it
check "the days past their 30-day maturity are written, once each" \
	test "$(grep -c '"kind":"metrics"' out/quality.ndjson)" -eq 9
check "... and none that is not mature (the state keeps those)" \
	test "$(grep -c '"mature":false' out/quality.ndjson)" -eq 0
check "syslog says so" grep -q "$day: quality ALERT" syslog
check "the alert records are mailed" grep -q '"kind":"alert","window_start":"2026-01-01' mailbox
check "the state is kept for the next morning" test -s q.state
exit 0
