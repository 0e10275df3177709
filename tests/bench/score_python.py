#!/usr/bin/python3
"""python3-xgboost baselines for the fsscore benchmark (score.sh).

usage: score_python.py one MODEL INPUT|- [OUTPUT] [--flush] [--dmatrix]
       score_python.py batch MODEL INPUT [OUTPUT]
       score_python.py check MODEL INPUT FSSCORE_OUTPUT

Both scorers read the model's features by name from each event's
"features" object (null or absent = missing), score with nthread=1, and
write each event with "score" and "model" appended (json.dumps), like
`fsscore --model MODEL`.  OUTPUT defaults to stdout.

one     an embedded stream job: for each line, json.loads, a one-row numpy
        array, Booster.inplace_predict, json.dumps, write.  --flush flushes
        after every event (for the trickle-latency harness); --dmatrix uses
        predict(DMatrix(row)) instead of inplace_predict (slower).  Prints to
        stderr `events=N loop_s=S events_per_s=R p50_us=A p99_us=B`: the loop
        alone (no interpreter start or model load) and the in-process time of
        each event (loads + predict + dumps + write).
batch   the whole file at once: read it, json.loads every line, one float64
        matrix, one inplace_predict call, write every scored line.  Prints
        its phases (seconds) to stderr.
check   scores INPUT in batch and checks FSSCORE_OUTPUT against it: same
        number of lines, each the input event plus "score" (within 1e-6 of
        XGBoost's) and "model".  Prints one line; exits 1 on a mismatch.
"""
import hashlib
import json
import os
import sys
import time

import numpy as np
import xgboost as xgb

TOL = 1e-6
clock = time.perf_counter


def load(path):
    b = xgb.Booster(model_file=path)
    b.set_param({"nthread": 1})
    names = b.feature_names
    if not names:
        sys.exit("score_python.py: %s has no feature names" % path)
    with open(path, "rb") as f:
        mid = "%s@%s" % (os.path.basename(path), hashlib.sha256(f.read()).hexdigest()[:16])
    return b, names, mid


def one(model, src, dst, flush, dmatrix):
    b, names, mid = load(model)
    fin = sys.stdin if src == "-" else open(src)
    fout = sys.stdout if dst in (None, "-") else open(dst, "w")
    loads, dumps, write, array = json.loads, json.dumps, fout.write, np.array
    nan = float("nan")
    lat = []
    ns = time.perf_counter_ns
    t0 = clock()
    for line in fin:
        t = ns()
        ev = loads(line)
        f = ev.get("features") or {}
        row = array([[f.get(n) for n in names]], dtype=np.float64)
        if dmatrix:
            s = b.predict(xgb.DMatrix(row, missing=nan, feature_names=names, nthread=1))[0]
        else:
            s = b.inplace_predict(row)[0]
        ev["score"] = float(s)
        ev["model"] = mid
        write(dumps(ev, separators=(",", ":")) + "\n")
        if flush:
            fout.flush()
        lat.append(ns() - t)
    fout.flush()
    secs = clock() - t0
    lat.sort()
    n = len(lat)

    def q(p):
        return lat[min(n - 1, int(p * n))] / 1000.0 if n else float("nan")
    sys.stderr.write("events=%d loop_s=%.3f events_per_s=%.0f p50_us=%.1f p99_us=%.1f\n"
                     % (n, secs, n / secs if secs else 0, q(0.50), q(0.99)))


def batch_scores(b, names, lines):
    """Parsed events and their scores, with the phase times."""
    ph = {}
    t = clock()
    evs = [json.loads(x) for x in lines]
    ph["parse"] = clock() - t
    t = clock()
    X = np.array([[f.get(n) for n in names] for f in (ev.get("features") or {} for ev in evs)],
                 dtype=np.float64)
    ph["matrix"] = clock() - t
    t = clock()
    s = b.inplace_predict(X)
    ph["predict"] = clock() - t
    return evs, s, ph


def batch(model, src, dst):
    b, names, mid = load(model)
    t = clock()
    with open(src) as f:
        lines = f.readlines()
    read = clock() - t
    evs, s, ph = batch_scores(b, names, lines)
    t = clock()
    dumps = json.dumps
    with (sys.stdout if dst in (None, "-") else open(dst, "w")) as out:
        out.writelines([dumps(ev, separators=(",", ":")) + "\n" for ev in evs_with(evs, s, mid)])
    ph["write"] = clock() - t
    sys.stderr.write("read=%.2f parse=%.2f matrix=%.2f predict=%.2f write=%.2f\n"
                     % (read, ph["parse"], ph["matrix"], ph["predict"], ph["write"]))


def evs_with(evs, s, mid):
    for ev, x in zip(evs, s.tolist()):
        ev["score"] = x
        ev["model"] = mid
        yield ev


def check(model, src, got):
    b, names, _ = load(model)
    with open(src) as f:
        lines = f.readlines()
    evs, s, _ = batch_scores(b, names, lines)
    with open(got) as f:
        out = f.readlines()
    if len(out) != len(lines):
        print("cross-check FAILED: fsscore wrote %d lines for %d events" % (len(out), len(lines)))
        sys.exit(1)
    worst, bad, first = 0.0, 0, None
    for i, (ev, x, line) in enumerate(zip(evs, s.tolist(), out)):
        o = json.loads(line)
        score, m = o.pop("score", None), o.pop("model", None)
        ok = isinstance(score, float) and isinstance(m, str) and o == ev
        if ok:
            d = abs(score - x)
            worst = max(worst, d)
            ok = d <= TOL
        if not ok:
            bad += 1
            if first is None:
                first = "line %d: fsscore %r, xgboost %r" % (i + 1, score, x)
    if bad:
        print("cross-check FAILED: %d of %d events differ (first at %s)" % (bad, len(lines), first))
        sys.exit(1)
    print("cross-check OK: fsscore and python3-xgboost %s agree on %d events "
          "(largest score difference %.1e), events otherwise unchanged"
          % (xgb.__version__, len(lines), worst))


if __name__ == "__main__":
    a = [x for x in sys.argv[1:] if not x.startswith("--")]
    opts = set(x for x in sys.argv[1:] if x.startswith("--"))
    if len(a) in (3, 4) and a[0] == "one" and opts <= {"--flush", "--dmatrix"}:
        one(a[1], a[2], a[3] if len(a) > 3 else None, "--flush" in opts, "--dmatrix" in opts)
    elif len(a) in (3, 4) and a[0] == "batch" and not opts:
        batch(a[1], a[2], a[3] if len(a) > 3 else None)
    elif len(a) == 4 and a[0] == "check" and not opts:
        check(a[1], a[2], a[3])
    else:
        sys.exit(__doc__.split("\n\n")[1])
