#!/bin/sh
# run.sh: a PyTorch model scored by fsscore through libtorch, end to end on
# generated card payments (examples/gen-events.awk), and checked against
# PyTorch's own predictions:
#
#   events -> fsfeat (features) -> train.py (PyTorch: mlp.pt, mlp.pt.json,
#     python.txt) -> fsscore --model mlp.pt --batch 64 -> the largest
#     difference from PyTorch, which must be at most 1e-5
#
#   sh examples/torch/run.sh [DIR]
#
# DIR keeps the files (default: a temporary directory, removed at the end).
# FS_EVENTS sets how many payments (default 100000). Needs fsfeat and an
# fsscore built with libtorch (./configure --with-libtorch), from the build
# tree or PATH, awk, and /usr/bin/python3 with python3-torch and numpy.
# Exits 1 when a step fails or a score differs from PyTorch's by more than
# 1e-5.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ex=$(cd "$here/.." && pwd)
top=$(cd "$ex/.." && pwd)
[ -x "$top/fsscore" ] && PATH="$top:$PATH"  # run from the build tree
export LC_ALL=C
n=${FS_EVENTS:-100000}
py=/usr/bin/python3

die() { echo "run.sh: $*" >&2; exit 1; }
for tool in fsfeat fsscore; do
	command -v $tool >/dev/null || die "$tool not found"
done
"$py" -c 'import torch, numpy' 2>/dev/null || die "$py cannot import torch and numpy: apt-get install -y python3-torch"
if [ $# -gt 0 ]; then
	mkdir -p "$1"
	work=$(cd "$1" && pwd)
	keep=1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/fs-torch.XXXXXX")
	keep=
fi
trap '[ -n "$keep" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work"

say() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/   /'; }

say "1. $n card payments (examples/gen-events.awk) and their features (fsfeat), as examples/demo.sh"
awk -v n="$n" -v keys=5000 -v bad=0.001 -v ids=1 -f "$ex/gen-events.awk" > events.ndjson
fsfeat --spec "$ex/user.json" --errors rejected.ndjson events.ndjson 2> fsfeat.err |
	fsfeat --spec "$ex/merchant.json" --errors rejected2.ndjson > features.ndjson 2>> fsfeat.err
echo "$(wc -l < features.ndjson) events with features ($(cat rejected.ndjson rejected2.ndjson | wc -l)" \
	"malformed lines rejected), e.g.:" | indent
head -n 1 features.ndjson | cut -c1-200 | indent

say "2. train an MLP with PyTorch, export it with torch.jit.script"
"$py" "$here/train.py" features.ndjson mlp.pt python.txt | indent
echo "mlp.pt.json, the sidecar: the features in the module's order, and the defaults for nulls:" | indent
tr -d ' \n' < mlp.pt.json | cut -c1-200 | sed 's/$/.../' | indent

say "3. fsscore --model mlp.pt --check"
status=0
fsscore --model mlp.pt --check > check.json 2> check.err || status=$?
if [ $status -ne 0 ]; then
	cat check.err >&2
	grep -q -- '--with-libtorch' check.err && die "this fsscore is built without libtorch: ./configure --with-libtorch && make"
	die "fsscore cannot load mlp.pt (status $status)"
fi
indent < check.json

say "4. score every event with fsscore, 64 events a forward pass: no Python"
start=$(date +%s.%N)
status=0
fsscore --model mlp.pt --batch 64 features.ndjson > scored.ndjson 2> score.err || status=$?
end=$(date +%s.%N)
[ $status -eq 0 ] || { cat score.err >&2; die "fsscore failed (status $status)"; }
tail -n 1 scored.ndjson | sed 's/.*"features"/... "features"/' | cut -c1-400 | indent
awk -v n="$(wc -l < scored.ndjson)" -v s="$start" -v e="$end" \
	'BEGIN { printf "%d events scored in %.2f s\n", n, e - s }' | indent

say "5. fsscore against PyTorch's own predictions (python.txt)"
[ "$(wc -l < scored.ndjson)" -eq "$(wc -l < python.txt)" ] ||
	die "$(wc -l < scored.ndjson) scores from fsscore, $(wc -l < python.txt) from PyTorch"
sed 's/.*"score":\([^,}]*\)[,}].*/\1/' scored.ndjson | paste -d' ' - python.txt > pairs.txt
status=0
awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m || NR == 1) { m = d; at = NR; a = $1; b = $2 } }
	END { if (NR > 0 && m == 0) printf "on all %d events: largest difference 0 (every score bit for bit)\n", NR
	      else printf "on all %d events: largest difference %g (event %d: fsscore %s, PyTorch %s)\n", NR, m, at, a, b
	      exit !(NR > 0 && m <= 1e-5) }' pairs.txt > compare.txt || status=$?
indent < compare.txt
[ $status -eq 0 ] || die "fsscore and PyTorch differ by more than 1e-5"
echo "(at most 1e-5 is required: libtorch may use another kernel for a batch of 64 rows than PyTorch for all)" | indent

say "done: a PyTorch model trained in Python, scored without Python, the same predictions"
