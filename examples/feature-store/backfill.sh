#!/bin/sh
# backfill.sh: a night's batch features into the online store, for cron.
#
#   backfill.sh ROWS URL PREFIX
#
# ROWS is a file of rows, one per line with the key, the time and a
# "features" object (fsfeat --emit rows, fsfeat --rows, or a warehouse export
# of that shape; any compression fstools reads), or a directory holding one
# such file a day, DAY.ndjson*, of which DAY's is loaded. Each key's latest
# row as of the end of DAY is written into the hash PREFIX<key> of the Redis
# server at URL (redis://HOST[:PORT][/DB] or unix:///PATH) by fsjoin
# --backfill, through the newer-wins script of fstools(7), ONLINE STORE: a
# row older than what the hash holds (say, from the live fsfeat --online
# writer) changes nothing. A run again, an older night's file run late, or
# two runs at once therefore never set a value back.
#
# Environment (all optional):
#   FS_DAY          DAY, the day the batch covers (default: yesterday, UTC)
#   FS_AS_OF        the rows at or before this RFC 3339 time (default: the
#                   end of DAY); set but empty: every row
#   FS_KEY          the key fields (default: user_id)
#   FS_FEATURES     the features to write, a,b,c (default: all of the rows')
#   FS_TTL          --online-ttl: hashes not written again for FS_TTL expire
#   FS_ONLINE_TIMEOUT  how long a lost store is retried within a run (30s)
#   FS_TRIES        runs when the store is lost mid-way (default: 3)
#   FS_PAUSE        seconds between them (default: 60)
#   FS_LOG          append the log lines to this file (default: syslog)
#
# Exit status, and what cron should make of it (cron mails what the script
# prints, and it prints only on failure):
#   0   done; the log says how many keys were written
#   66  no rows for DAY (the batch did not run?)
#   69  the store was down at start (nothing written), or it refused a write
#       (a key of PREFIX holds another Redis type: another program uses the
#       prefix); run again once it is sorted out
#   75  the store went away mid-way and did not come back, FS_TRIES times; the
#       writes made are good, and running again finishes the job
#   64, 65 ...  fsjoin's status: a usage error, rows it could not read
set -u
[ $# -eq 3 ] || { echo "usage: backfill.sh ROWS URL PREFIX" >&2; exit 64; }
rows=$1 url=$2 prefix=$3
day=${FS_DAY:-$(date -u -d yesterday +%F)}
as_of=${FS_AS_OF-${day}T23:59:59.999999999Z}
tries=${FS_TRIES:-3} pause=${FS_PAUSE:-60}

log() {
	if [ -n "${FS_LOG:-}" ]; then
		echo "$(date -u +%FT%TZ) $*" >> "$FS_LOG"
	else
		logger -t fstools-backfill -- "$*" 2>/dev/null || :
	fi
}
# a failure: logged, and printed for cron to mail
fail() {
	status=$1
	shift
	log "$*"
	echo "backfill.sh: $*" >&2
	[ -s "$err" ] && grep -v '^{' "$err" | tail -n 3 >&2
	exit "$status"
}

err=$(mktemp "${TMPDIR:-/tmp}/backfill.XXXXXX")
trap 'rm -f "$err"' EXIT
: > "$err"

if [ -d "$rows" ]; then
	set -- "$rows/$day".ndjson*
	[ -e "$1" ] || fail 66 "no rows for $day in $rows"
	rows=$1
fi
[ -r "$rows" ] || fail 66 "$rows: no such file, or unreadable"

set -- --backfill "$rows" --key "${FS_KEY:-user_id}" --online "$url" --online-prefix "$prefix"
[ -n "$as_of" ] && set -- "$@" --as-of "$as_of"
[ -n "${FS_FEATURES:-}" ] && set -- "$@" --features "$FS_FEATURES"
[ -n "${FS_TTL:-}" ] && set -- "$@" --online-ttl "$FS_TTL"
[ -n "${FS_ONLINE_TIMEOUT:-}" ] && set -- "$@" --online-timeout "$FS_ONLINE_TIMEOUT"

try=1
while :; do
	fsjoin "$@" 2> "$err"
	status=$?
	case $status in
	0)
		# rejected lines are JSON records on stderr; the summary is the last line
		bad=$(grep -c '^{' "$err")
		[ "$bad" -gt 0 ] && log "$rows: $bad rejected lines, the first: $(grep -m 1 '^{' "$err")"
		log "$(tail -n 1 "$err" | sed 's/^fsjoin: //')"
		exit 0 ;;
	75)
		# lost mid-way: what was written stays, and a rerun writes the same
		# rows again through the newer-wins script, so it is safe to repeat
		[ "$try" -ge "$tries" ] &&
			fail 75 "$rows: the store was lost mid-way in $try runs; run again later"
		log "$rows: the store was lost mid-way (run $try of $tries), running again in $pause s: $(grep -v '^{' "$err" | tail -n 1 | sed 's/^fsjoin: //')"
		try=$((try + 1))
		sleep "$pause" ;;
	69)
		fail 69 "$rows: the store is down or refused a write (status 69); nothing more was written under $prefix" ;;
	*)
		fail "$status" "$rows: fsjoin --backfill failed with status $status" ;;
	esac
done
