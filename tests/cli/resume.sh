#!/bin/sh
# tests/cli/resume.sh: a run killed at any moment and started again with the
# same command gives, after the lines the first run wrote, exactly the
# output of one uninterrupted run; and bad state files are refused.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
cd "$TMP"
awk -v n=20000 -v keys=300 -v bad=0.005 -f "$top_srcdir/examples/gen-events.awk" > events.ndjson
cp "$top_srcdir/examples/user.json" spec.json
fsfeat --spec spec.json events.ndjson > want.out 2>/dev/null
zstd -q -c events.ndjson > events.ndjson.zst 2>/dev/null || gzip -c events.ndjson > events.ndjson.zst
head -n 8000 events.ndjson > a.ndjson; tail -n +8001 events.ndjson > b.ndjson
tar czf events.tar.gz a.ndjson b.ndjson
# kcat envelopes of the same events over 3 partitions, each in offset order
awk '{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); p = NR % 3; o[p]++;
       printf "{\"topic\":\"tx\",\"partition\":%d,\"offset\":%d,\"tstype\":\"create\",\"ts\":%d,\"broker\":0,\"key\":null,\"payload\":\"%s\"}\n", p, o[p], 1700000000000 + NR, $0 }' \
	events.ndjson > events.kcat
fsfeat --kcat --spec spec.json events.kcat > want.kcat.out 2>/dev/null
fsfeat --spec spec.json --ttl 20m events.ndjson > want.ttl.out 2>/dev/null
cp "$top_srcdir/examples/user-30d.json" spec30.json
fsfeat --spec spec30.json events.ndjson > want.30d.out 2>/dev/null

rounds=${FS_RESUME_ROUNDS:-8}
plan $((6 * rounds + 2 + 1 + 8 + 2 + 3 + 2))

# complete lines of a file (a kill may cut the last one)
whole() { awk 'END { }1' "$1" | head -n "$(tr -cd '\n' < "$1" | wc -c)"; }

# resumed RUN: the first run's complete lines, then the resumed run's
# lines, must be the uninterrupted output with an overlap of at most the
# lines written after the last checkpoint
joined_equals() { # want first resumed
	w=$(wc -l < "$1"); f=$(whole "$2" | wc -l); r=$(wc -l < "$3")
	[ "$r" -le "$w" ] && [ $((f + r)) -ge "$w" ] &&
		whole "$2" | cmp -s - <(head -n "$f" "$1") &&
		cmp -s "$3" <(tail -n "$r" "$1")
}

kill_and_resume() { # name signal input want [options...]
	name=$1 sig=$2 input=$3 want=$4; shift 4
	rm -f s.zst first.out second.out
	fsfeat --spec "${SPEC:-spec.json}" --state s.zst --checkpoint 300 "$@" "$input" > first.out 2>/dev/null &
	pid=$!
	sleep "0.0$((RANDOM % 9 + 1))"
	kill -"$sig" $pid 2>/dev/null; wait $pid 2>/dev/null
	fsfeat --spec "${SPEC:-spec.json}" --state s.zst --checkpoint 300 "$@" "$input" > second.out 2>/dev/null
	if joined_equals "$want" first.out second.out; then
		ok "$name: SIG$sig after $(whole first.out | wc -l) lines, resumed with $(wc -l < second.out) lines: identical to one run"
	else
		not_ok "$name: SIG$sig after $(whole first.out | wc -l) lines, resumed with $(wc -l < second.out): differs"
	fi
}

# plain stdin has no identity: resuming feeds the rest of the input, from
# the record after those the state reflects
kill_and_resume_stdin() { # signal
	rm -f s.zst first.out second.out
	fsfeat --spec spec.json --state s.zst --checkpoint 300 < events.ndjson > first.out 2>/dev/null &
	pid=$!
	sleep "0.0$((RANDOM % 9 + 1))"
	kill -"$1" $pid 2>/dev/null; wait $pid 2>/dev/null
	done_records=0
	[ -f s.zst ] && done_records=$(fsfeat --state s.zst --inspect | sed 's/.*"records":\([0-9]*\).*/\1/')
	tail -n +$((done_records + 1)) events.ndjson | fsfeat --spec spec.json --state s.zst > second.out 2>/dev/null
	if joined_equals want.out first.out second.out; then
		ok "plain stdin: SIG$1 after $done_records records saved, the rest of the input resumed: identical to one run"
	else
		not_ok "plain stdin: SIG$1 after $done_records records saved: differs"
	fi
}

for i in $(seq "$rounds"); do
	sig=KILL; [ $((i % 3)) = 0 ] && sig=TERM
	kill_and_resume "plain file" $sig events.ndjson want.out
	kill_and_resume "compressed file" $sig events.ndjson.zst want.out
	kill_and_resume "kcat envelopes" $sig events.kcat want.kcat.out --kcat
	kill_and_resume "plain file, --ttl 20m" $sig events.ndjson want.ttl.out --ttl 20m
	SPEC=spec30.json kill_and_resume "plain file, bucketed 30-day windows" $sig events.ndjson want.30d.out
	kill_and_resume_stdin $sig
done

rm -f s.zst
fsfeat --spec spec.json --state s.zst events.tar.gz > tar.out 2>/dev/null
fsfeat --spec spec.json --state s.zst events.tar.gz > tar2.out 2> tar2.err
check "tar.gz: a second run of the same archive adds nothing and says so" \
	test ! -s tar2.out -a "$(grep -c 'already in the state skipped' tar2.err)" = 1
cmp -s tar.out want.out && ok "tar.gz with --state gives the plain output" || not_ok "tar.gz with --state differs"

# kcat: a consumer group that restarts from older offsets re-delivers them
rm -f s.zst
head -n 12000 events.kcat | fsfeat --kcat --spec spec.json --state s.zst > k1.out 2>/dev/null
tail -n +9001 events.kcat | fsfeat --kcat --spec spec.json --state s.zst > k2.out 2>/dev/null
cat k1.out k2.out | cmp -s - want.kcat.out && ok "kcat: re-delivered offsets are skipped, never counted twice" \
	|| not_ok "kcat: re-delivered offsets changed the output"

# refusals: the file on disk is left untouched
rm -f s.zst
fsfeat --spec spec.json --state s.zst a.ndjson > /dev/null 2>&1
cp s.zst s.orig
refused() { # description expected-status state-file [spec]
	cp "$3" s.try; before=$(cksum < s.try)
	fsfeat --spec "${4:-spec.json}" --state s.try b.ndjson > out.try 2> err.try
	st=$?
	if [ "$st" = "$2" ] && [ ! -s out.try ] && [ "$(cksum < s.try)" = "$before" ]; then
		ok "$1: refused with status $st, file untouched: $(head -c 120 err.try)"
	else
		not_ok "$1: status $st, want $2"; diag < err.try
	fi
}
printf '{"key":"user_id","features":[{"name":"n","agg":"count"}]}\n' > other.json
refused "a state written for another spec" 65 s.orig other.json
head -c $(($(wc -c < s.orig) / 2)) s.orig > s.trunc
refused "a truncated state" 65 s.trunc
cp s.orig s.bad; printf '\377\377\377\377' | dd of=s.bad bs=1 seek=200 conv=notrunc 2>/dev/null
refused "a corrupt state" 65 s.bad
if command -v zstd >/dev/null; then
	zstd -q -d -c s.orig > raw.state && printf '\143' | dd of=raw.state bs=1 seek=14 conv=notrunc 2>/dev/null &&
		zstd -q -c raw.state > s.newer
	refused "a state of a newer format" 65 s.newer
else
	skip "newer format: zstd command not installed"
fi
printf 'hello\n' > s.text
refused "a file that is not a state" 65 s.text
chmod 000 s.orig 2>/dev/null
if [ "$(id -u)" != 0 ]; then refused "an unreadable state" 66 s.orig; else skip "unreadable state: running as root"; fi
chmod 644 s.orig
rm -f new.zst
fsfeat --spec spec.json --state new.zst a.ndjson > /dev/null 2> new.err
check "a missing state is a first start, and the log says so" grep -q "first start" new.err
fsfeat --state new.zst --inspect > inspect.json
check "--inspect prints the keys, events, bytes and position of a state" \
	grep -q '"keys":[1-9].*"events_kept":[0-9].*"bytes":[1-9].*"sources":{"a.ndjson":8000}' inspect.json

# a timed checkpoint comes on time in a slow live stream
rm -f slow.zst; mkfifo slow.fifo
(head -n 3 events.ndjson; sleep 2; head -n 4 events.ndjson | tail -n 1; sleep 30) > slow.fifo &
writer=$!
fsfeat --spec spec.json --state slow.zst --checkpoint 1s < slow.fifo > /dev/null 2>&1 &
pid=$!
sleep 3.5
check "--checkpoint 1s saves during a slow stream, before its end" test -s slow.zst
kill $pid $writer 2>/dev/null; wait $pid $writer 2>/dev/null
# and when the stream stalls altogether, the records read so far are saved
rm -f stall.zst stall.fifo; mkfifo stall.fifo
(head -n 3 events.ndjson; sleep 30) > stall.fifo &
writer=$!
fsfeat --spec spec.json --state stall.zst --checkpoint 1s < stall.fifo > /dev/null 2>&1 &
pid=$!
sleep 2.5
check "--checkpoint 1s saves the records of a stalled stream while it waits" \
	sh -c 'fsfeat --state stall.zst --inspect 2>/dev/null | grep -q "\"records\":3,"'
kill $pid $writer 2>/dev/null; wait $pid $writer 2>/dev/null

# a checkpoint that falls on a rejected line writes nothing twice
awk -v n=3000 -v keys=50 -v bad=0.02 -f "$top_srcdir/examples/gen-events.awk" > bad.ndjson
fsfeat --spec spec.json bad.ndjson > bad.want 2>/dev/null
for every in 1 7 13; do
	rm -f c1.zst
	fsfeat --spec spec.json --state c1.zst --checkpoint $every bad.ndjson > bad.got 2>/dev/null
	cmp -s bad.want bad.got && ok "a checkpoint every $every records, rejected lines included, changes no output byte" \
		|| not_ok "a checkpoint every $every records changes the output ($(wc -l < bad.got) lines, want $(wc -l < bad.want))"
done

# --ttl bounds memory: idle keys leave the state
rm -f t1.zst t2.zst
fsfeat --spec spec.json --state t1.zst events.ndjson > /dev/null 2>&1
fsfeat --spec spec.json --state t2.zst --ttl 20m events.ndjson > /dev/null 2>&1
k1=$(fsfeat --state t1.zst --inspect | sed 's/.*"keys":\([0-9]*\).*/\1/')
k2=$(fsfeat --state t2.zst --inspect | sed 's/.*"keys":\([0-9]*\).*/\1/')
check "--ttl 20m keeps fewer keys ($k2) than no ttl ($k1)" test "$k2" -lt "$k1"
check "a state written without --ttl is refused with --ttl" \
	sh -c 'fsfeat --spec spec.json --state t1.zst --ttl 20m a.ndjson >/dev/null 2>&1; test $? = 65'
exit 0
