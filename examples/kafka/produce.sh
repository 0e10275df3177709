#!/bin/sh
# produce.sh: events into the topic tx, keyed by user, so that each user's
# events go to one partition in order (what per-user features need).
#
#   BROKER=kafka1:9092 sh examples/kafka/produce.sh events.ndjson ...
#
# Any NDJSON with a user_id will do; examples/gen-events.awk makes some:
#   awk -v n=100000 -v keys=5000 -v ids=1 -f examples/gen-events.awk > events.ndjson
set -eu
: "${BROKER:?set BROKER=host:port}"
cat "$@" | jq -rc '[.user_id // "", tojson] | join("\t")' |
	kcat -P -b "$BROKER" -t tx -K '\t'
