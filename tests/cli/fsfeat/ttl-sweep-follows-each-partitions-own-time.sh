# --ttl with --kcat: idle keys are swept by their partition's time, so how
# partitions interleave (or are split between pipelines) changes nothing.
# Partition 1's user u1 pauses 30 minutes (< --ttl 1h) while partition 0 runs
# ten hours ahead.
env() { printf '{"topic":"tx","partition":%d,"offset":%d,"ts":0,"key":"%s","payload":"{\\"user\\":\\"%s\\",\\"ts\\":%d,\\"amount\\":%d}"}\n' "$1" "$2" "$3" "$3" "$4" "$5"; }
{ env 1 0 u1 0 10; } > p1a
{ for i in 0 1 2 3 4 5 6 7 8 9 10; do env 0 $i u0 $((i * 3600)) 1; done; } > p0
{ env 1 1 u1 1800 20; } > p1b
printf '{"key":"user","features":[{"name":"n","agg":"count","window":"2h"},{"name":"sum","agg":"sum","field":"amount","window":"2h"}]}\n' > spec.json
# partition 1's first event, all of partition 0, then partition 1 again
cat p1a p0 p1b | fsfeat --kcat --spec spec.json --ttl 1h | sort > ahead.out
# the partitions in turn, as one pipeline each
cat p1a p1b | fsfeat --kcat --spec spec.json --ttl 1h > p1.out
fsfeat --kcat --spec spec.json --ttl 1h p0 > p0.out
sort p0.out p1.out > split.out
cmp ahead.out split.out && echo "interleaved or split: the same lines"
grep '"u1"' ahead.out
