#!/usr/bin/python3
"""PyTorch baselines and checks for the fsscore TorchScript benchmark (torch.sh).

usage: torch_python.py one MODEL.pt INPUT|- [OUTPUT] [--flush] [--id ID]
       torch_python.py batch MODEL.pt INPUT [OUTPUT] [--chunk N] [--id ID]
       torch_python.py check MODEL.pt INPUT FSSCORE_OUTPUT [--batch N] [--id ID]
       torch_python.py trickle INPUT SEED CMD...

The scorers load MODEL.pt with torch.jit.load, read the feature names from
its sidecar MODEL.pt.json ({"features": [...]}, as fsscore does), take each
event's features by name from its "features" object into a float32 row, run
the model with torch.set_num_threads(1) under torch.inference_mode(), and
write each event with "score" and "model" appended (json.dumps), like
`fsscore --model MODEL.pt`. "model" is ID (default: the file's name, "@",
the first 16 hex digits of its sha256; fsscore's own id is another hash).
OUTPUT defaults to stdout.

one     an embedded stream job: for each line, json.loads, torch.tensor of one
        row, model(x), json.dumps, write. --flush flushes after every event
        (for the trickle-latency harness). Prints to stderr `events=N
        loop_s=S events_per_s=R p50_us=A p99_us=B`: the loop alone (no
        interpreter start, import or model load) and the in-process time of
        each event (loads + tensor + forward + dumps + write).
batch   the whole file at once: read it, json.loads every line, one float32
        matrix, the model on chunks of --chunk rows (4096), write every scored
        line. Prints its phases (seconds) to stderr.
check   scores INPUT with the model in forward passes of exactly --batch rows
        (1; the last partial batch padded with zeros, as fsscore pads it) and
        checks FSSCORE_OUTPUT against it: the same number of lines, each the
        input event plus a "score" within 1e-5 of PyTorch's and "model" (equal
        to --id when given). Prints one line; exits 1 on a mismatch.
trickle feeds INPUT to CMD (its stdin) in bursts of 1 to 100 lines with a
        pause of 1-4 ms after each (sizes and pauses drawn from SEED), CMD's
        output going to stdout: a live trickle whose output must equal a replay
        of the file (torch.sh compares them). Exits with CMD's status.
"""
import hashlib
import json
import os
import random
import subprocess
import sys
import time

TOL = 1e-5
clock = time.perf_counter


def load(path, mid):
    import torch
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    m = torch.jit.load(path, map_location="cpu").eval()
    with open(path + ".json") as f:
        names = json.load(f)["features"]
    if mid is None:
        with open(path, "rb") as f:
            mid = "%s@%s" % (os.path.basename(path), hashlib.sha256(f.read()).hexdigest()[:16])
    return torch, m, names, mid


def one(model, src, dst, flush, mid):
    torch, m, names, mid = load(model, mid)
    fin = sys.stdin if src == "-" else open(src)
    fout = sys.stdout if dst in (None, "-") else open(dst, "w")
    loads, dumps, write, tensor, f32 = json.loads, json.dumps, fout.write, torch.tensor, torch.float32
    lat = []
    ns = time.perf_counter_ns
    with torch.inference_mode():
        m(torch.zeros(1, len(names)))  # the first call of a scripted module profiles and optimizes it
        t0 = clock()
        for line in fin:
            t = ns()
            ev = loads(line)
            f = ev["features"]
            x = tensor([[f[n] for n in names]], dtype=f32)
            ev["score"] = m(x).item()
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


def matrix(names, evs):
    import numpy as np
    return np.array([[f[n] for n in names] for f in (ev["features"] for ev in evs)], dtype=np.float32)


def forward(torch, m, X, rows, pad):
    """The scores of the rows of X (numpy float32), rows at a time; pad: every pass has
    exactly `rows` rows (the last one filled with zeros)."""
    import numpy as np
    out = []
    with torch.inference_mode():
        for i in range(0, len(X), rows):
            c = X[i:i + rows]
            k = len(c)
            if pad and k < rows:
                c = np.concatenate([c, np.zeros((rows - k, X.shape[1]), dtype=np.float32)])
            y = m(torch.from_numpy(c))
            out.extend(y.reshape(len(c), -1)[:k, 0].tolist())
    return out


def batch(model, src, dst, chunk, mid):
    torch, m, names, mid = load(model, mid)
    ph = {}
    t = clock()
    with open(src) as f:
        lines = f.readlines()
    ph["read"] = clock() - t
    t = clock()
    evs = [json.loads(x) for x in lines]
    ph["parse"] = clock() - t
    t = clock()
    X = matrix(names, evs)
    ph["matrix"] = clock() - t
    t = clock()
    s = forward(torch, m, X, chunk, False)
    ph["predict"] = clock() - t
    t = clock()
    dumps = json.dumps
    with (sys.stdout if dst in (None, "-") else open(dst, "w")) as out:
        out.writelines([dumps(ev, separators=(",", ":")) + "\n" for ev in evs_with(evs, s, mid)])
    ph["write"] = clock() - t
    sys.stderr.write("read=%.2f parse=%.2f matrix=%.2f predict=%.2f write=%.2f\n"
                     % (ph["read"], ph["parse"], ph["matrix"], ph["predict"], ph["write"]))


def evs_with(evs, s, mid):
    for ev, x in zip(evs, s):
        ev["score"] = x
        ev["model"] = mid
        yield ev


def check(model, src, got, rows, mid):
    torch, m, names, _ = load(model, "-")
    with open(src) as f:
        evs = [json.loads(x) for x in f]
    s = forward(torch, m, matrix(names, evs), rows, True)
    with open(got) as f:
        out = f.readlines()
    if len(out) != len(evs):
        print("check FAILED: fsscore wrote %d lines for %d events" % (len(out), len(evs)))
        sys.exit(1)
    worst, bad, same, first = 0.0, 0, 0, None
    for i, (ev, x, line) in enumerate(zip(evs, s, out)):
        try:
            o = json.loads(line)
        except ValueError:
            o = {}
        score, mo = o.pop("score", None), o.pop("model", None)
        ok = isinstance(score, float) and isinstance(mo, str) and (mid is None or mo == mid) and o == ev
        if ok:
            d = abs(score - x)
            worst = max(worst, d)
            same += score == x
            ok = d <= TOL
        if not ok:
            bad += 1
            if first is None:
                first = "line %d: fsscore %s, PyTorch %r" % (i + 1, line.strip()[-120:], x)
    if bad:
        print("check FAILED: %d of %d events differ (first at %s)" % (bad, len(evs), first))
        sys.exit(1)
    print("check OK: --batch %d: %d events, every score within %g of PyTorch %s's in passes of %d row%s "
          "(%d bit for bit, largest difference %.1e), events otherwise unchanged"
          % (rows, len(evs), TOL, torch.__version__, rows, "s" if rows > 1 else "", same, worst))


def trickle(src, seed, cmd):
    rng = random.Random(seed)
    with open(src, "rb") as f:
        lines = f.readlines()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, bufsize=0)
    fd = p.stdin.fileno()
    i = 0
    try:
        while i < len(lines):
            k = rng.randint(1, 100)
            b = memoryview(b"".join(lines[i:i + k]))
            while b:
                b = b[os.write(fd, b):]
            i += k
            time.sleep(rng.uniform(0.001, 0.004))
    except BrokenPipeError:
        pass
    p.stdin.close()
    sys.exit(p.wait())


def opt(args, name, default):
    if name in args:
        j = args.index(name)
        if j + 1 >= len(args):
            sys.exit(__doc__.split("\n\n")[1])
        v = args[j + 1]
        del args[j:j + 2]
        return v
    return default


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "trickle":
        trickle(a[1], int(a[2]), a[3:])
    mid = opt(a, "--id", None)
    chunk = int(opt(a, "--chunk", "4096"))
    rows = int(opt(a, "--batch", "1"))
    flush = "--flush" in a
    if flush:
        a.remove("--flush")
    if any(x.startswith("--") for x in a) or chunk < 1 or rows < 1:
        sys.exit(__doc__.split("\n\n")[1])
    if len(a) in (3, 4) and a[0] == "one":
        one(a[1], a[2], a[3] if len(a) > 3 else None, flush, mid)
    elif len(a) in (3, 4) and a[0] == "batch" and not flush:
        batch(a[1], a[2], a[3] if len(a) > 3 else None, chunk, mid)
    elif len(a) == 4 and a[0] == "check" and not flush:
        check(a[1], a[2], a[3], rows, mid)
    else:
        sys.exit(__doc__.split("\n\n")[1])
