#!/usr/bin/python3
"""Compare a sidecar run's output with embedded fsscore's (sidecar.sh).

usage: sidecar_check.py EMBEDDED.ndjson OTHER.ndjson

Both are `fsscore` outputs for the same events: each line the event with
"score" and "model" appended.  Prints one line:

  LINES lines; L identical; scores: S byte for byte, largest difference D

where "byte for byte" compares the text of the "score" members and D is the
largest absolute difference of their values.  Exits 1 when the line counts
differ, or a line of OTHER is not a JSON object with a number "score", or
its event (without "score" and "model") differs from the embedded one.
"""
import json
import re
import sys

if len(sys.argv) != 3:
    sys.exit(__doc__.split("\n\n")[1])
SCORE = re.compile(rb'"score":([^,}]*)')
with open(sys.argv[1], "rb") as f:
    a = f.readlines()
with open(sys.argv[2], "rb") as f:
    b = f.readlines()
if len(a) != len(b):
    print("FAILED: %d lines, embedded %d" % (len(b), len(a)))
    sys.exit(1)
same = text = 0
worst = 0.0
for i, (x, y) in enumerate(zip(a, b)):
    if x == y:
        same += 1
        text += 1
        continue
    try:
        ox, oy = json.loads(x), json.loads(y)
        sx, sy = ox.pop("score"), oy.pop("score")
        ox.pop("model", None)
        oy.pop("model", None)
        ok = isinstance(sy, float) and ox == oy
    except (ValueError, KeyError):
        ok = False
    if not ok:
        print("FAILED: line %d: %s" % (i + 1, y[:300].decode(errors="replace").rstrip()))
        sys.exit(1)
    worst = max(worst, abs(sx - sy))
    mx, my = SCORE.search(x), SCORE.search(y)
    if mx and my and mx.group(1) == my.group(1):
        text += 1
print("%d lines; %d identical; scores: %d byte for byte, largest difference %.1e"
      % (len(a), same, text, worst))
