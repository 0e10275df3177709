#!/bin/sh
# tests/oracle/shortest-repr.sh: numbers fstools computes are written exactly
# as Python's repr writes them (integers without ".0"), on 300k doubles of
# every kind: random bit patterns, all magnitudes, money, means.
. "$(dirname "$0")/../lib.sh"
py=/usr/bin/python3
if ! $py -c 'import sys' 2>/dev/null; then
	echo "1..0 # SKIP /usr/bin/python3 missing: apt-get install -y python3"
	exit 0
fi
plan 1
$py - "$top_builddir/tests/oracle/fmt_double" > "$TMP/result" <<'PY'
import random, struct, subprocess, sys
random.seed(20241124)
xs = []
while len(xs) < 300000:
    r = len(xs) % 5
    if r == 0: x = struct.unpack('<d', struct.pack('<Q', random.getrandbits(64)))[0]
    elif r == 1: x = random.random() * 10 ** random.randint(-320, 300)
    elif r == 2: x = round(random.uniform(-1e6, 1e6), random.randint(0, 6))
    elif r == 3: x = sum(random.random() for _ in range(3)) / 3
    else: x = float(random.randint(-2**60, 2**60))
    if x == x and abs(x) != float('inf'):
        xs.append(x)
out = subprocess.run([sys.argv[1]], input=''.join(x.hex() + '\n' for x in xs).encode(),
                     capture_output=True, check=True).stdout.decode().split('\n')
bad = []
for x, got in zip(xs, out):
    want = repr(x)
    want = want[:-2] if want.endswith('.0') else want
    if got != want:
        bad.append((want, got))
print(len(xs), len(bad))
for want, got in bad[:5]:
    print('# want %s got %s' % (want, got))
PY
read -r n nbad < "$TMP/result"
if [ "$nbad" = 0 ]; then ok "$n doubles written exactly as Python's repr"; else
	not_ok "$nbad of $n doubles differ from Python's repr"; tail -n +2 "$TMP/result"; fi
