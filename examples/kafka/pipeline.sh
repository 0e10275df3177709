#!/bin/sh
# pipeline.sh: one member of the fraud-scoring pipeline on a real Kafka cluster.
#
#   BROKER=kafka1:9092 NAME=scorer-1 sh examples/kafka/pipeline.sh
#
# Reads the topic tx (partitioned by user_id) as one member of the consumer
# group fstools-scoring, computes the user features, scores them and writes
# the scored events to the topic scored. Run it on as many machines as there
# are to share the partitions, each with its own NAME: the group's fixed
# member identity (group.instance.id) gives a restarted member its own
# partitions back, and with them the keys its state holds.
#
# Offsets are never committed: each start is a re-delivery from the oldest
# retained message, and the state (STATE_DIR/NAME.state, saved every 30 s and
# at exit) skips everything it already reflects, so a crash at any moment
# changes no feature and counts no event twice. Events after the last
# checkpoint are scored again, with the same bytes (fstools(7): KAFKA PIPELINES).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
: "${BROKER:?set BROKER=host:port}" "${NAME:?set NAME to this member's fixed name}"
STATE_DIR=${STATE_DIR:-/var/lib/fstools}
MODEL=${MODEL:-$STATE_DIR/fraud.json}
mkdir -p "$STATE_DIR"

kcat -b "$BROKER" -G fstools-scoring -J -q \
	-X group.instance.id="$NAME" \
	-X enable.auto.commit=false -X auto.offset.reset=earliest \
	-X fetch.wait.max.ms=20 \
	tx |
	fsfeat --kcat --spec "$here/user.json" --state "$STATE_DIR/$NAME.state" --checkpoint 30s \
		--errors "$STATE_DIR/$NAME.rejected.ndjson" |
	fsscore --model "$MODEL" --watch |
	kcat -P -b "$BROKER" -t scored -X linger.ms=5
