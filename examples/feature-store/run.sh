#!/bin/sh
# run.sh: the three paths of a feature store with fstools, end to end on
# generated card payments (examples/gen-events.awk):
#
#   1. live: fsfeat writes the online store (Redis) and the offline rows in
#      one computation; a service reads the store (redis-cli, fsjoin --online);
#   2. training: the offline rows joined point in time to a label spine
#      (fsjoin --asof) give the features that were served live at each event;
#   3. batch: 30-day features from a nightly replay, loaded into the store by
#      backfill.sh (fsjoin --backfill), as cron would.
#
#   sh examples/feature-store/run.sh [DIR]
#
# DIR keeps the files (default: a temporary directory, removed at the end).
# FS_REDIS=redis://HOST:PORT[/DB] (or unix:///PATH) uses that Redis server: the
# run writes its hashes user:* and user30d:*, so give it a scratch database.
# Unset, a private redis-server (no persistence, a Unix socket in a temporary
# directory) is started and stopped at the end. FS_EVENTS sets how many events
# (default 60000: three days and a bit). Needs redis-cli, and redis-server
# when FS_REDIS is not set; fsfeat and fsjoin from the build tree or PATH.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ex=$(cd "$here/.." && pwd)
top=$(cd "$ex/.." && pwd)
[ -x "$top/fsfeat" ] && PATH="$top:$PATH"  # run from the build tree
n=${FS_EVENTS:-60000}

for tool in fsfeat fsjoin redis-cli; do
	command -v $tool >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done
if [ -z "${FS_REDIS:-}" ] && ! command -v redis-server >/dev/null; then
	echo "run.sh: redis-server not found: apt-get install -y redis-server, or set FS_REDIS=redis://HOST:PORT/DB" >&2
	exit 1
fi

srv=$(mktemp -d "${TMPDIR:-/tmp}/fs-redis.XXXXXX")  # a short path: a socket's is limited
if [ $# -gt 0 ]; then
	mkdir -p "$1"
	work=$(cd "$1" && pwd)
	keep=1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/fs-store.XXXXXX")
	keep=
fi
redis_pid=
cleanup() {
	if [ -n "$redis_pid" ]; then
		kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
		echo "(the private redis-server $redis_pid is stopped)"
	fi
	rm -rf "$srv"
	[ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work"

say() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/   /'; }

# ---------------------------------------------------------------- the store
if [ -n "${FS_REDIS:-}" ]; then
	url=$FS_REDIS
else
	redis-server --port 0 --unixsocket "$srv/redis.sock" --unixsocketperm 700 \
		--save '' --appendonly no --dir "$srv" > "$srv/redis.log" 2>&1 &
	redis_pid=$!
	i=0
	until [ "$(redis-cli -s "$srv/redis.sock" ping 2>/dev/null)" = PONG ]; do
		i=$((i + 1))
		if [ $i -gt 250 ] || ! kill -0 $redis_pid 2>/dev/null; then
			echo "run.sh: redis-server did not start:" >&2
			tail -n 5 "$srv/redis.log" >&2
			exit 1
		fi
		sleep 0.02
	done
	url="unix://$srv/redis.sock"
fi
# redis-cli for the same URL (the password through the environment, out of ps)
rcli() {
	case $url in
	unix://*)
		p=${url#unix://} db=0
		case $p in *\?db=*) db=${p##*\?db=} p=${p%%\?*} ;; esac
		redis-cli -s "$p" -n "$db" "$@" ;;
	*)
		r=${url#redis://} auth='' db=0 port=6379
		case $r in *@*) auth=${r%@*} r=${r##*@} ;; esac
		case $r in */*) db=${r#*/} r=${r%%/*} ;; esac
		case $r in
		\[*\]:*) port=${r##*]:} r=${r%]:*} r=${r#[} ;;
		\[*\]) r=${r%]} r=${r#[} ;;
		*:*) port=${r##*:} r=${r%:*} ;;
		esac
		case $auth in
		'') redis-cli -h "$r" -p "$port" -n "${db:-0}" "$@" ;;
		*:*) if [ -n "${auth%%:*}" ]; then
				REDISCLI_AUTH=${auth#*:} redis-cli --user "${auth%%:*}" -h "$r" -p "$port" -n "${db:-0}" "$@"
			else
				REDISCLI_AUTH=${auth#*:} redis-cli -h "$r" -p "$port" -n "${db:-0}" "$@"
			fi ;;
		*) REDISCLI_AUTH=$auth redis-cli -h "$r" -p "$port" -n "${db:-0}" "$@" ;;
		esac ;;
	esac
}
# every hash under a prefix, sorted "key field value" lines (one script in Redis)
dump() {
	rcli EVAL "local o = {} for _, k in ipairs(redis.call('KEYS', ARGV[1] .. '*')) do
		local h = redis.call('HGETALL', k) for i = 1, #h, 2 do o[#o + 1] = k .. ' ' .. h[i] .. ' ' .. h[i + 1] end end
		table.sort(o) return o" 0 "$1"
}
# the last line an fsjoin or fsfeat run wrote on stderr, without the tool's name
summary() { tail -n 1 "$1" | sed 's/^fs[a-z]*: //'; }

say "0. $n card payments, one file a day (examples/gen-events.awk); the store: $(echo "$url" | sed 's#//\([^/@]*\)@#//***@#')"
mkdir -p days
awk -v n="$n" -v keys=2000 -v ids=1 -f "$ex/gen-events.awk" |
	awk -F'"' '{ print > ("days/" substr($12, 1, 10) ".ndjson") }'
echo days/*.ndjson | indent
head -n 1 days/*01-01.ndjson | indent

# ---------------------------------------------------------------- 1. live
say "1. live: fsfeat writes the online store and the offline rows in one computation"
# The writer runs on, reading the stream (live: kcat ... | fsfeat --kcat ...;
# here a pipe fed a day at a time). Each event's features go to its output,
# to the store (the hash user:ID, newer wins) and to the offline rows, and its
# --state lets a restart continue exactly (fsfeat(1), STATE).
rm -f state.zst rows.ndjson.zst live.ndjson stream
had=$(rcli EVAL "return #redis.call('KEYS', 'user:*')" 0)
[ "$had" = 0 ] || echo "(the store holds $had user: hashes already: their newer values stay, newer wins)" | indent
mkfifo stream
fsfeat --spec "$ex/user.json" --online "$url" --rows rows.ndjson.zst \
	--state state.zst --checkpoint 30s < stream > live.ndjson 2> fsfeat.err &
writer=$!
exec 3> stream
for f in days/*.ndjson; do
	cat "$f" >&3
	# the day's writes are in the store once its last event's is (one
	# connection: Redis applies them in order); the times compare as text
	last=$(tail -n 1 "$f" | cut -d'"' -f8,12)
	want="${last#*\"}"
	want="${want%Z}.000000000Z"
	i=0
	until expr "$(rcli HGET "user:${last%%\"*}" @time)" \>= "$want" > /dev/null || [ $i -ge 500 ]; do
		kill -0 $writer 2>/dev/null || break
		i=$((i + 1))
		sleep 0.02
	done
	echo "$(basename "$f" .ndjson): $(wc -l < "$f") events in; the store: $(rcli EVAL "return #redis.call('KEYS', 'user:*')" 0) users, user:u42 as of $(rcli HGET user:u42 @time)"
done | indent
exec 3>&-
wait $writer || { echo "run.sh: fsfeat failed:" >&2; cat fsfeat.err >&2; exit 1; }
summary fsfeat.err | indent
echo "a service reads a user's features with one command, redis-cli HGETALL user:u42:" | indent
rcli HGETALL user:u42 | paste -d' ' - - | indent
# requests to score, after the last event: each gets its user's current features
cat > requests.ndjson <<'EOF'
{"req":"r1","user_id":"u42","ts":"2024-01-04T03:00:00Z","amount":30.00}
{"req":"r2","user_id":"u7","ts":"2024-01-04T03:00:01Z","amount":512.20}
{"req":"r3","user_id":"u999999","ts":"2024-01-04T03:00:02Z","amount":9.99}
EOF
echo "or enriches a stream of requests: fsjoin --online URL --online-prefix user: --key user_id --features ..." | indent
fsjoin --online "$url" --online-prefix user: --key user_id \
	--features amt_sum_1h,n_24h,merchants_24h,gap requests.ndjson > served.ndjson 2> fsjoin.err
indent < served.ndjson
summary fsjoin.err | indent

# ---------------------------------------------------------------- 2. training
say "2. training: the offline rows, joined as of each labeled event"
# the label spine: each payment, its time and its label (here: a chargeback
# for the largest amounts); in life the labels come days later (fsgroundtruth)
cat days/*.ndjson | awk -F'"' '{
	label = match($0, /"amount":[0-9.]+/) && substr($0, RSTART + 9, RLENGTH - 9) + 0 > 450
	printf "{\"tx\":\"%s\",\"user_id\":\"%s\",\"ts\":\"%s\",\"label\":%d}\n", $4, $8, $12, label }' > labels.ndjson
fsjoin --asof rows.ndjson.zst --key user_id labels.ndjson > train.ndjson 2> join.err
echo "$(wc -l < train.ndjson) training rows, e.g.:" | indent
head -n 1 train.ndjson | indent
# Each training row against the live output: the features the store was
# given at that very event (the events share the order of the labels).
awk -F'"' 'NR == FNR { f = $0; sub(/.*,"features":/, "", f); live[$4] = f; last[$8 " " $12] = f; next }
	{ f = $0; sub(/.*,"features":/, "", f)
	  if (f == live[$4]) own++; else if (f == last[$8 " " $12]) tied++; else diff++ }
	END { printf "%d rows have exactly the features served live at their event\n", own
	      printf "%d rows, of an event that shared its second with a later event of the same user,\n", tied
	      printf "  have that later event'"'"'s: an as-of join sees the last row of a time\n"
	      printf "%d rows differ\n", diff
	      exit (diff > 0) }' live.ndjson train.ndjson > skew.txt && same=1 || same=
indent < skew.txt
[ -n "$same" ] || { echo "run.sh: the training set DIFFERS from the live features" >&2; exit 1; }
echo "No training-serving skew: the rows are the bytes the live run computed and" | indent
echo "served, not a second implementation, and each is taken as of its event, never later." | indent

# ---------------------------------------------------------------- 3. backfill
say "3. batch: 30-day features replayed each night, loaded into the store by cron"
# The nightly batch: the archived days up to yesterday replayed with
# examples/user-30d.json (any warehouse export with a key, a time and a
# "features" object per line does as well). Today is 2024-01-04 here.
mkdir -p batch
for d in 2024-01-02 2024-01-03; do
	set --  # the days up to $d
	for f in days/*.ndjson; do
		set -- "$@" "$f"
		[ "$f" = "days/$d.ndjson" ] && break
	done
	fsfeat --spec "$ex/user-30d.json" --emit rows -o "batch/$d.ndjson.zst" "$@" 2> batch.err
	echo "batch/$d.ndjson.zst: $(summary batch.err)" | indent
done
backfill() { FS_LOG="$work/backfill.log" FS_TRIES=2 FS_PAUSE=1 sh "$here/backfill.sh" "$@"; }
: > backfill.log
FS_DAY=2024-01-03 backfill batch "$url" user30d:
echo "FS_DAY=2024-01-03 backfill.sh batch URL user30d: exit status 0; its log:" | indent
sed 's/^[^ ]* //' backfill.log | indent
rcli HGETALL user30d:u42 | paste -d' ' - - | paste -s -d' ' - | sed 's/^/HGETALL user30d:u42: /' | indent
before=$(dump user30d: | cksum)
: > backfill.log
FS_DAY=2024-01-03 backfill batch "$url" user30d:
FS_DAY=2024-01-02 backfill batch "$url" user30d:
echo "run again, then the night before's file, late: the same rows rewrite the same values," | indent
echo "and older ones are kept out (written: the users with no payment since):" | indent
sed 's/^[^ ]* //' backfill.log | indent
if [ "$(dump user30d: | cksum)" = "$before" ]; then
	echo "the user30d: hashes are unchanged" | indent
else
	echo "run.sh: the user30d: hashes CHANGED" >&2
	exit 1
fi
echo "serving both: two fsjoin --online stages, one per prefix" | indent
fsjoin --online "$url" --online-prefix user: --key user_id --features amt_sum_1h,n_24h \
	requests.ndjson 2>/dev/null |
	fsjoin --online "$url" --online-prefix user30d: --key user_id --features n_30d,amt_sum_30d \
		2>/dev/null | head -n 2 | indent
status=0
FS_DAY=2024-01-03 backfill batch "unix://$srv/down.sock" user30d: 2> down.err || status=$?
echo "with the store down, backfill.sh exits $status (cron mails its message):" | indent
indent < down.err

say "done: one computation feeds both stores; training rows equal what was served"
