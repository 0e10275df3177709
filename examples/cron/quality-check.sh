#!/bin/sh
# quality-check.sh: the model's quality once the labels are in, for cron.
#
#   quality-check.sh STATE SCORED_DIR LABELS_DIR OUT_DIR [MAILTO]
#
# Each morning, feeds yesterday's scored events (SCORED_DIR/YYYY-MM-DD.ndjson*,
# fsscore's output, any compression fstools reads) and yesterday's labels
# (LABELS_DIR/YYYY-MM-DD.ndjson*, chargebacks with "tx", "ts" and "label")
# to fsgroundtruth, which keeps what is still pending in STATE between runs:
# a day's metrics are written once, on the morning its 30-day maturity has
# passed, to OUT_DIR/quality.ndjson (one record per day), with any alerts.
# Payments without a chargeback by then count as legitimate.
# Logs one line to syslog; on an alert, mails the record. The exit status is
# fsgroundtruth's: 0 no alert, 2 an alert, 64 and up an error.
set -u
state=$1 scored=$2 labels=$3 out=$4 mailto=${5:-}
day=$(date -d yesterday +%F)
set -- "$scored/$day".ndjson*
[ -e "$1" ] || { logger -t fsgroundtruth "no scored events for $day in $scored"; exit 66; }
lab=$(ls "$labels/$day".ndjson* 2>/dev/null | head -n 1)
[ -n "$lab" ] || lab=/dev/null  # no labels that day: the predictions still go in
fsgroundtruth --state "$state" --id tx --labels "$lab" --maturity 30d --absent-label 0 \
	--window 1d --alert 'recall<0.6' --alert 'pr_auc<0.5' --alert 'labeled_share<0.001' \
	"$@" > "$out/quality-$day.ndjson" 2> "$out/quality-$day.err"
status=$?
cat "$out/quality-$day.ndjson" >> "$out/quality.ndjson"
written=$(grep -c '"kind":"metrics"' "$out/quality-$day.ndjson")
case $status in
0) logger -t fsgroundtruth "$day: $written day(s) matured, no alert" ;;
2)
	logger -t fsgroundtruth "$day: quality ALERT, see $out/quality-$day.ndjson"
	if [ -n "$mailto" ] && command -v mail >/dev/null; then
		grep -h '"kind":"alert"' "$out/quality-$day.ndjson" |
			mail -s "fsgroundtruth: model quality alert $day" "$mailto"
	fi ;;
*) logger -t fsgroundtruth "$day: fsgroundtruth failed with status $status: $(tail -n 1 "$out/quality-$day.err")" ;;
esac
exit $status
