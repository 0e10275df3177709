#!/usr/bin/python3
"""fsscore's TorchScript scoring checked against PyTorch (python3-torch).

Builds three small models with a fixed seed, each taking six features:
an MLP (6 -> 32 -> 16 -> 1, sigmoid; it returns [N, 1]), a shared trunk
with two heads (forward returns the tuple (p_fraud, amount_estimate), each
[N]) and a three-class softmax (one [N, 3] tensor). Each is exported with
torch.jit.script and with torch.jit.trace, with a sidecar FILE.pt.json
naming its features; the MLP's has "impute" defaults for three of them.

2000 events ({"id": i, "features": {...}}) include edge values (0, -0,
negatives, 1e4 and 1e6, 1e-30, a float32 denormal, 2^24 + 1, numbers with
25 significant digits, integers, upper-case exponents), features in a
shuffled order and unused fields. fsscore scores them with --batch 1,
--batch 64 and --batch 64 --threads 2; every row's score(s) must be within
1e-5 of model(torch.tensor(rows, dtype=torch.float32)) under
torch.no_grad(), every line must be its input line with "score" (one
output) or "scores" (K outputs) and "model" added, in input order, and
every score a float32 value exactly.

Also: --batch 7 on a file equals, byte for byte, --batch 7 on the same
bytes trickled through a pipe in chunks cut mid-line with 30 ms pauses
(replay equals live); a partial batch is scored when the input pauses;
a missing (absent or null) feature is imputed from the sidecar's "impute"
or, without a default, the line is rejected (--errors FILE: its line
number, reason 'feature "NAME" ...'; counted as a bad feature; the exit
status that of a run whose reject is a feature that is not a number) while
the others are scored;
--features stands in for a sidecar, and without either the message names
FILE.pt.json; --check's line; the bad files of the spec (a pickle, a
torch.save zip, a truncated file, a width mismatch). A build without
libtorch skips the whole test. Prints TAP.
"""
import argparse
import json
import os
import pickle
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Tuple

import numpy as np
import torch
from torch import nn

TOL = 1e-5
NAMES = ["amount", "n_tx_1h", "amt_mean_7d", "merchants_24h", "gap", "ratio"]
IMPUTE = {"amount": 12.5, "gap": 3600.0, "ratio": -0.1}   # the MLP's sidecar defaults
N_ROWS = 2000
results = []


def report(ok, name, detail=""):
    results.append((bool(ok), name, detail))


# ---------------------------------------------------------------- the models

class Prep(nn.Module):
    """Raw features to the network's inputs: a signed log (amounts and gaps
    are heavy-tailed) then standardisation, with buffers."""

    def __init__(self, center, scale):
        super().__init__()
        self.register_buffer("center", torch.tensor(center, dtype=torch.float32))
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))

    def forward(self, x):
        x = torch.sign(x) * torch.log1p(torch.abs(x))
        return (x - self.center) / self.scale


class MLP(nn.Module):
    def __init__(self, center, scale):
        super().__init__()
        self.prep = Prep(center, scale)
        self.net = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(),
                                 nn.Linear(16, 1), nn.Sigmoid())

    def forward(self, x):
        return self.net(self.prep(x))            # [N, 1]


class TwoHeads(nn.Module):
    def __init__(self, center, scale):
        super().__init__()
        self.prep = Prep(center, scale)
        self.trunk = nn.Sequential(nn.Linear(6, 24), nn.Tanh(), nn.Linear(24, 12), nn.Tanh())
        self.fraud = nn.Linear(12, 1)
        self.amount = nn.Linear(12, 1)

    def forward(self, x) -> Tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(self.prep(x))
        p_fraud = torch.sigmoid(self.fraud(h)).squeeze(1)
        amount_estimate = nn.functional.softplus(self.amount(h)).squeeze(1)
        return p_fraud, amount_estimate          # ([N], [N])


class Classes(nn.Module):
    def __init__(self, center, scale):
        super().__init__()
        self.prep = Prep(center, scale)
        self.net = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))

    def forward(self, x):
        return torch.softmax(self.net(self.prep(x)), dim=1)   # [N, 3]


def build(cls, center, scale, gain):
    m = cls(center, scale)
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(gain)      # wider weights than the default init: scores that vary
    return m.eval()


def outputs_of(model, X):
    """PyTorch's scores: [N, K] float32 as float64."""
    with torch.no_grad():
        out = model(torch.tensor(X, dtype=torch.float32))
    if isinstance(out, (tuple, list)):
        out = torch.cat([o.reshape(o.shape[0], -1) for o in out], dim=1)
    return out.reshape(out.shape[0], -1).double().numpy()


# ---------------------------------------------------------------- the events

EDGE = [0.0, -0.0, 1.0, -1.0, 1e4, -1e4, 9999.999, 1e6, -1e6, 1e-30, -1e-30, 1.4e-45, 0.1, 1 / 3,
        2 / 3 * 1e3, 16777217.0, 123456.78901234567, -98765.43210987654, 3.141592653589793,
        2.718281828459045e-7, 5e-324]


def make_rows(rng):
    loc = np.array([60.0, 2.0, 55.0, 3.0, 1800.0, 0.0])
    scale = np.array([80.0, 4.0, 60.0, 3.0, 3000.0, 1.5])
    X = loc + scale * rng.standard_normal((N_ROWS, 6))
    X[0] = 0.0
    X[1] = 1e4
    X[2] = -1e4
    X[3] = 1e-30
    X[4] = -0.0
    for i in range(5, 200):
        pick = rng.random(6) < 0.5
        X[i, pick] = rng.choice(EDGE, size=int(pick.sum()))
    ints = rng.random(X.shape) < 0.1
    X[ints] = np.round(X[ints])
    return X


def number_text(v, rng):
    """v as JSON text in one of several spellings; the oracle uses the value
    the text parses to."""
    s = rng.integers(5)
    if s == 1:
        return "%.25g" % v
    if s == 2 and v == int(v) and abs(v) < 2 ** 53:
        return str(int(v))
    if s == 3:
        return "%.17E" % v
    return json.dumps(v)


def event_lines(X, rng, missing=None):
    """NDJSON events and the rows their text parses to (NaN: missing).
    missing[i] lists (name, "null" | "absent") for row i."""
    lines, rows = [], []
    for i, row in enumerate(X):
        gone = dict((missing or {}).get(i, ()))
        order = list(range(6))
        if i % 3 == 1:
            rng.shuffle(order)
        parts = []
        for j in order:
            n = NAMES[j]
            if gone.get(n) == "absent":
                continue
            parts.append('"%s":%s' % (n, "null" if gone.get(n) == "null" else number_text(row[j], rng)))
        if i % 4 == 2:
            parts.insert(1, '"unused":"x"')
        if i % 5 == 3:
            parts.append('"note":{"a":[1,2]}')
        line = '{"id":%d,"features":{%s}%s}' % (i, ",".join(parts), ',"channel":"web"' if i % 2 else "")
        ev = json.loads(line)
        rows.append([np.nan if ev["features"].get(n) is None else float(ev["features"][n]) for n in NAMES])
        lines.append(line)
    return lines, np.array(rows, dtype=np.float64)


# ---------------------------------------------------------------- fsscore

def run(fsscore, args, stdin=None, timeout=60):
    return subprocess.run([fsscore, *args], input=stdin, capture_output=True, timeout=timeout)


def run_all(arglists):
    """fsscore with each list of arguments, three at a time (each run loads
    libtorch anew: most of a run's time); the results in order."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(lambda a: run(FSSCORE, a), arglists))


def check_line(model):
    p = run(FSSCORE, ["--model", model, "--check"])
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def parse_output(text):
    return [json.loads(line) for line in text.splitlines()]


def compare_run(name, model_id, k, in_lines, out_text, want, ids=None):
    """The output of one run: lines, order, fields, and every score."""
    out_lines = out_text.splitlines()
    ids = list(range(len(in_lines))) if ids is None else ids
    if len(out_lines) != len(ids):
        report(False, f"{name}: {len(ids)} lines out, in order, each its input with the scores and model",
               f"{len(out_lines)} lines out, {len(ids)} expected")
        report(False, f"{name}: every score within {TOL:g} of PyTorch", "no comparison: line count differs")
        return None
    bad, got = "", []
    key = "score" if k == 1 else "scores"
    for n, (line, i) in enumerate(zip(out_lines, ids)):
        try:
            o = json.loads(line)
        except ValueError as e:
            bad = bad or f"line {n + 1} is not JSON ({e}): {line[:120]}"
            got.append([np.nan] * k)
            continue
        src = json.loads(in_lines[i])
        rest = {a: b for a, b in o.items() if a not in ("score", "scores", "model")}
        if o.get("id") != i:
            bad = bad or f"line {n + 1}: id {o.get('id')!r}, expected {i}"
        elif rest != src:
            bad = bad or f"line {n + 1}: not its input line plus the scores: {line[:160]}"
        elif o.get("model") != model_id:
            bad = bad or f"line {n + 1}: model {o.get('model')!r}, expected {model_id!r} (as --check says)"
        elif key not in o or ("score" in o and "scores" in o) or "class" in o:
            bad = bad or f"line {n + 1}: expected only {key!r} (no 'class'): {line[-160:]}"
        elif k > 1 and (not isinstance(o[key], list) or len(o[key]) != k):
            bad = bad or f"line {n + 1}: 'scores' is not a list of {k}: {o[key]!r}"
        s = o.get(key)
        s = [s] if k == 1 else s
        if not isinstance(s, list) or len(s) != k or not all(isinstance(v, (int, float)) for v in s):
            got.append([np.nan] * k)
        else:
            got.append([float(v) for v in s])
            if any(float(np.float32(v)) != v for v in s):
                bad = bad or f"line {n + 1}: a score that is not a float32 value: {s}"
    report(not bad, f"{name}: {len(ids)} lines out, in order, each its input with '{key}' and 'model'", bad)
    got = np.array(got, dtype=np.float64)
    err = np.abs(got - want)
    err[np.isnan(err)] = np.inf
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    ok = bool(np.all(err <= TOL))
    r = ids[worst[0]]
    report(ok, f"{name}: every score within {TOL:g} of PyTorch ({got.size} values)",
           "" if ok else f"worst: row {r} (line {worst[0] + 1}) output {worst[1]}: fsscore "
           f"{got[worst]!r}, PyTorch {want[worst]!r}, |diff| {err[worst]:.3g}; input {in_lines[r][:200]}")
    return got


def trickle(model, data, batch, every=50, pause=0.03, first_wait=None):
    """fsscore --batch N reading data from a pipe written in chunks of about
    `every` lines, each cut mid-line, with pauses. With first_wait, after the
    first chunk, waits up to that long for its complete lines to come out
    and returns how many did."""
    out_path = os.path.join(WORK, "trickle.out")
    err_path = os.path.join(WORK, "trickle.err")
    ends = [i + 1 for i, b in enumerate(data) if b == 0x0A]
    cuts = [ends[j] - 7 for j in range(every - 1, len(ends), every)] + [len(data)]
    seen = None
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        p = subprocess.Popen([FSSCORE, "--model", model, "--batch", str(batch)], stdin=subprocess.PIPE,
                             stdout=out, stderr=err)
        at = 0
        try:
            for n, c in enumerate(cuts):
                p.stdin.write(data[at:c])
                p.stdin.flush()
                at = c
                if n == 0 and first_wait:
                    whole = data[:c].count(b"\n")
                    t0 = time.monotonic()
                    while time.monotonic() - t0 < first_wait:
                        with open(out_path, "rb") as f:
                            seen = f.read().count(b"\n")
                        if seen >= whole:
                            break
                        time.sleep(0.01)
                time.sleep(pause)
            p.stdin.close()
        except BrokenPipeError:
            pass
        rc = p.wait(timeout=60)
    with open(out_path, "rb") as f, open(err_path, "rb") as e:
        return rc, f.read(), e.read().decode(errors="replace"), seen


# ---------------------------------------------------------------- the checks

def export(m, name, X, sidecar):
    """FILE-script.pt and FILE-trace.pt with their sidecars."""
    paths = {}
    example = torch.tensor(X[200:264], dtype=torch.float32)
    for how in ("script", "trace"):
        path = os.path.join(WORK, f"{name}-{how}.pt")
        with torch.no_grad():
            sm = torch.jit.script(m) if how == "script" else torch.jit.trace(m, example)
        sm.save(path)
        with open(path + ".json", "w") as f:
            json.dump(sidecar, f)
        paths[how] = path
    return paths


def check_model_line(path, k, rc, out, err):
    base = os.path.basename(path)
    try:
        c = json.loads(out)
    except ValueError:
        report(False, f"{base}: --check", f"exit {rc}, stdout {out.strip()!r}, stderr {err.strip()[:300]!r}")
        return None
    ok = (rc == 0 and isinstance(c.get("model"), str) and c["model"].startswith(base + "@")
          and "torchscript" in str(c.get("kind")) and "6 features" in str(c.get("kind"))
          and c.get("outputs") == k and c.get("features") == NAMES)
    report(ok, f"{base}: --check says torchscript, 6 features, {k} output{'s' if k > 1 else ''}",
           "" if ok else f"exit {rc}: {out.strip()}")
    return c.get("model")


def main_runs(models, lines, X):
    """Every model file on the 2000 events, three ways."""
    events = os.path.join(WORK, "events.ndjson")
    with open(events, "w") as f:
        f.write("\n".join(lines) + "\n")
    ways = (["--batch", "1"], ["--batch", "64"], ["--batch", "64", "--threads", "2"])
    files = [(m, k, path) for m, k, paths in models.values() for path in paths.values()]
    # one --check for both files of a model: --model SCRIPTED --shadow TRACED
    jobs = [["--model", paths["script"], "--shadow", paths["trace"], "--check"] for _, _, paths in models.values()]
    for m, k, path in files:
        jobs += [["--model", path, *w, events] for w in ways]
    done = run_all(jobs)
    checks = {}
    for (_, _, paths), p in zip(models.values(), done):
        out = p.stdout.decode().splitlines() + ["", ""]
        checks[paths["script"]] = (p.returncode, out[0], p.stderr.decode())
        checks[paths["trace"]] = (p.returncode, out[1], p.stderr.decode())
    done = iter(done[len(models):])
    for m, k, path in files:
        want = outputs_of(m, X)
        base = os.path.basename(path)
        mid = check_model_line(path, k, *checks[path])
        # the exported file agrees with the module it came from (the oracle's own check)
        back = outputs_of(torch.jit.load(path), X)
        report(np.max(np.abs(back - want)) <= 1e-6, f"{base}: torch.jit.load of it agrees with the module")
        for w in ways:
            label = f"{base} {' '.join(w)}"
            p = next(done)
            if p.returncode != 0:
                report(False, f"{label}: exit 0", f"exit {p.returncode}: {p.stderr.decode()[-400:]}")
                continue
            compare_run(label, mid, k, lines, p.stdout.decode(), want)
    return events


def replay_live(models, events):
    data = open(events, "rb").read()
    cases = [models[name][2][how] for name, how in (("mlp", "script"), ("two-heads", "trace"),
                                                    ("classes", "script"))]
    files = run_all([["--model", path, "--batch", "7", events] for path in cases])
    for path, p in zip(cases, files):
        base = os.path.basename(path)
        rc, live, err, _ = trickle(path, data, 7)
        ok = p.returncode == 0 and rc == 0 and live == p.stdout and len(p.stdout) > 0
        detail = ""
        if not ok:
            a, b = p.stdout.decode().splitlines(), live.decode().splitlines()
            diff = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            detail = (f"file: exit {p.returncode}, {len(a)} lines; pipe: exit {rc}, {len(b)} lines; "
                      f"first difference at line {diff + 1}: file {a[diff][-120:] if diff < len(a) else None!r}"
                      f" pipe {b[diff][-120:] if diff < len(b) else None!r}; stderr {err[-200:]!r}")
        report(ok, f"{base} --batch 7: a file and the same bytes trickled through a pipe give the same bytes",
               detail)
    # live: a partial batch goes out when the input pauses, before the end of the input
    path = models["mlp"][2]["script"]
    rc, out, err, seen = trickle(path, data[:sum(len(x) + 1 for x in data.decode().splitlines()[:130])],
                                 64, every=100, first_wait=5)
    ok = seen is not None and seen >= 99 and rc == 0
    report(ok, "--batch 64: the 99 lines of a first chunk (a partial batch) come out while the input pauses",
           "" if ok else f"{seen} of 99 lines out within 5 s; exit {rc}; {err[-200:]!r}")


def missing_runs(models, rng):
    """Absent and null features: imputed from the sidecar, or the line rejected."""
    Xm = 60 + 50 * rng.standard_normal((300, 6))
    missing = {}
    for i in range(300):
        gone = []
        if i % 5 == 1:
            gone.append(("amount", "null"))
        if i % 7 == 2:
            gone.append(("gap", "absent"))
        if i % 11 == 3:
            gone += [("ratio", "null"), ("amount", "absent")] if i % 5 != 1 else [("ratio", "null")]
        if i in (40, 141):
            gone.append(("n_tx_1h", "null"))          # no default anywhere
        if i in (77, 250):
            gone.append(("merchants_24h", "absent"))
        if i == 199:
            gone = [(n, "absent") for n in NAMES]        # "features": {}
        if gone:
            missing[i] = gone
    lines, rows = event_lines(Xm, rng, missing)
    path = os.path.join(WORK, "missing.ndjson")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    # the exit status of a run whose one reject is of a kind fsscore had before
    # TorchScript (a feature that is not a number): "as other rejects"
    control = os.path.join(WORK, "not-a-number.ndjson")
    with open(control, "w") as f:
        f.write(lines[0] + "\n" + '{"id":1,"features":{%s}}\n' % ",".join(
            '"%s":%s' % (n, '"abc"' if n == "amount" else "1") for n in NAMES))
    for name, impute in (("mlp", IMPUTE), ("two-heads", {})):
        m, k, paths = models[name]
        filled = rows.copy()
        for j, n in enumerate(NAMES):
            if n in impute:
                filled[np.isnan(filled[:, j]), j] = impute[n]
        rejected = [i for i in range(len(rows)) if np.isnan(filled[i]).any()]
        kept = [i for i in range(len(rows)) if i not in rejected]
        want = outputs_of(m, filled[kept])
        path_m = paths["script"]
        base = os.path.basename(path_m)
        errs = {b: os.path.join(WORK, f"errors-{name}-{b}.ndjson") for b in ("1", "64")}
        ck, c, *runs = run_all([["--model", path_m, "--check"],
                                ["--model", path_m, "--errors", os.devnull, control]] +
                               [["--model", path_m, "--batch", b, "--errors", errs[b], path] for b in errs])
        mid = ck.stdout.decode()
        mid = json.loads(mid)["model"] if mid.startswith("{") else None
        ok = c.returncode in (0, 65) and len(c.stdout.splitlines()) == 1
        report(ok, f"{base}: a feature that is not a number is rejected, the rest scored (exit {c.returncode})",
               "" if ok else f"exit {c.returncode}, {len(c.stdout.splitlines())} lines out: {c.stderr.decode()[-300:]!r}")
        for batch, p in zip(errs, runs):
            label = f"{base} --batch {batch}, {len(rows)} events with absent and null features"
            stderr = p.stderr.decode()
            summary = re.search(r"\b%d rejected \(%d (bad )?feature\)" % (len(rejected), len(rejected)), stderr)
            ok = p.returncode == c.returncode and summary
            report(ok, f"{label}: {len(rejected)} rejected as 'feature', exit status as other rejects "
                   f"({c.returncode})", "" if ok else f"exit {p.returncode}: {stderr[-300:]!r}")
            compare_run(label + (" (imputed)" if impute else ""), mid, k, lines, p.stdout.decode(), want, kept)
            recs, bad = [], ""
            try:
                recs = [json.loads(x) for x in open(errs[batch])]
            except (OSError, ValueError) as e:
                bad = f"cannot read {errs[batch]}: {e}"
            if not bad and [r.get("line") for r in recs] != [i + 1 for i in rejected]:
                bad = (f"lines {[r.get('line') for r in recs]}, expected {[i + 1 for i in rejected]}")
            for r in recs if not bad else ():
                i = r["line"] - 1
                names = [n for j, n in enumerate(NAMES) if np.isnan(filled[i, j])]
                reason = str(r.get("reason"))
                if r.get("tool") != "fsscore" or not any(reason.startswith(f'feature "{n}"') for n in names):
                    bad = f"line {i + 1}: reason {reason!r}, expected 'feature \"X\" ...' with X in {names}"
                    break
                if r.get("text") != lines[i] or r.get("source") != path:
                    bad = f"line {i + 1}: text or source is not the line's: {r}"
                    break
            report(not bad, f"{label}: an error record per rejected line, its number, reason 'feature \"NAME\"'",
                   bad)


def sidecar_runs(models, events, lines, X):
    """--features instead of a sidecar; neither; --check of a bare copy."""
    m, k, paths = models["mlp"]
    bare = os.path.join(WORK, "bare.pt")
    with open(paths["script"], "rb") as a, open(bare, "wb") as b:
        b.write(a.read())
    p = run(FSSCORE, ["--model", bare, "--features", ",".join(NAMES), "--batch", "64", events])
    ref = run(FSSCORE, ["--model", paths["script"], "--batch", "64", events])
    same = (p.returncode == 0 and ref.returncode == 0 and
            [{a: b for a, b in o.items() if a != "model"} for o in parse_output(p.stdout.decode())] ==
            [{a: b for a, b in o.items() if a != "model"} for o in parse_output(ref.stdout.decode())])
    report(same, "--features instead of a sidecar: the same scores as with the sidecar",
           "" if same else f"exit {p.returncode}: {p.stderr.decode()[-300:]!r}")
    p = run(FSSCORE, ["--model", bare, events])
    err = p.stderr.decode()
    ok = p.returncode in (64, 65) and "bare.pt.json" in err and not p.stdout
    report(ok, "no sidecar and no --features: exit 64 or 65, the message names bare.pt.json",
           "" if ok else f"exit {p.returncode}: {err[-300:]!r}")


def bad_files(models):
    """The bad inputs of the spec: exit 65, 'fsscore: FILE: ' and the cause."""
    m = models["mlp"][0]
    cases = []
    pk = os.path.join(WORK, "pickled.pt")
    with open(pk, "wb") as f:
        pickle.dump({k: v.numpy() for k, v in m.state_dict().items()}, f)
    cases.append(("a Python pickle", pk, ["pickle", "torch.jit.script"]))
    legacy = os.path.join(WORK, "legacy.pt")
    torch.save(m.state_dict(), legacy, _use_new_zipfile_serialization=False)
    cases.append(("torch.save(..., _use_new_zipfile_serialization=False)", legacy, ["pickle", "torch.jit.script"]))
    sd = os.path.join(WORK, "state-dict.pt")
    torch.save(m.state_dict(), sd)
    cases.append(("a torch.save() zip (a state_dict)", sd, ["torch.save", "torch.jit.script"]))
    whole = open(models["mlp"][2]["script"], "rb").read()
    cut = os.path.join(WORK, "truncated.pt")
    with open(cut, "wb") as f:
        f.write(whole[:len(whole) // 2])
    cases.append(("a truncated TorchScript file (first half)", cut, ["truncated"]))
    torch.manual_seed(3)
    lin = os.path.join(WORK, "linear6.pt")
    torch.jit.script(nn.Linear(6, 1).eval()).save(lin)
    with open(lin + ".json", "w") as f:
        json.dump({"features": NAMES[:5]}, f)
    cases.append(("a sidecar with 5 names for a model of 6", lin,
                  ["5 features", "mat1 and mat2 shapes cannot be multiplied"]))
    for what, path, words in cases:
        for f in (path + ".json",):
            if not os.path.exists(f):
                with open(f, "w") as s:
                    json.dump({"features": NAMES}, s)
        p = run(FSSCORE, ["--model", path, "--check"])
        err = p.stderr.decode()
        ok = p.returncode == 65 and err.startswith(f"fsscore: {path}: ") and all(w in err for w in words)
        report(ok, f"{what}: exit 65, 'fsscore: FILE: ' with {', '.join(repr(w) for w in words)}",
               "" if ok else f"exit {p.returncode}: {err.strip()[:400]!r}")


def power_check(models, X):
    """The test can tell features apart: swapping two moves scores far more than TOL."""
    for name, (m, k, _) in models.items():
        a = outputs_of(m, X)
        b = outputs_of(m, X[:, [1, 0, 2, 3, 4, 5]])
        moved = float(np.mean(np.abs(a - b).max(axis=1) > 100 * TOL))
        report(moved > 0.9, f"oracle: {name} swapping two features moves {moved:.0%} of the rows by > {100 * TOL:g}")


def main():
    global FSSCORE, WORK
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsscore", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    FSSCORE, WORK = args.fsscore, args.workdir
    t0 = time.monotonic()

    torch.manual_seed(1313)
    torch.set_num_threads(1)
    rng = np.random.default_rng(1313)
    X0 = make_rows(rng)
    lines, X = event_lines(X0, rng)
    prep = np.sign(X[200:]) * np.log1p(np.abs(X[200:]))
    center, scale = prep.mean(axis=0).tolist(), (prep.std(axis=0) + 1e-3).tolist()
    models = {}
    for name, cls, k, gain in (("mlp", MLP, 1, 2.0), ("two-heads", TwoHeads, 2, 2.0), ("classes", Classes, 3, 2.0)):
        m = build(cls, center, scale, gain)
        sidecar = {"features": NAMES, "impute": IMPUTE} if name == "mlp" else {"features": NAMES}
        models[name] = (m, k, export(m, name, X, sidecar))

    # a build without libtorch: skip everything
    rc, out, err = check_line(models["mlp"][2]["script"])
    if rc != 0 and "--with-libtorch" in err:
        print("1..0 # SKIP fsscore is built without libtorch (./configure --with-libtorch)")
        return

    power_check(models, X)
    events = main_runs(models, lines, X)
    replay_live(models, events)
    missing_runs(models, rng)
    sidecar_runs(models, events, lines, X)
    bad_files(models)

    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if detail:
            print(f"# {detail}")
    print(f"# {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
