#!/usr/bin/python3
"""fspsi checked against numpy and scipy.

Generates seeded training data (a normal, a skewed, a discrete feature with
ties, a text feature, a score; some values null or absent), fits a baseline
with fspsi --fit, and checks it against numpy: quantile edges
(numpy.quantile), bin shares, null shares, the KS grid and top categories.
Then it streams data with known shifts through fspsi --baseline and
recomputes every window record from the raw values of that window: PSI
with the documented epsilon, the Jensen-Shannon distance
(scipy.spatial.distance.jensenshannon, natural log) and KS on the
baseline's percentile grid, each within 1e-9. A stream drawn from the
baseline's own distribution must stay below PSI 0.02 on 10k-event windows;
a mean shift of half a standard deviation must alert. Prints TAP.
"""
import argparse
import json
import os
import subprocess

import numpy as np
from scipy.spatial.distance import jensenshannon

EPS = 1e-4
results = []


def report(ok, name, detail=""):
    results.append((bool(ok), name, detail))


def generate(rng, n, shift=0.0, nulls=0.05, new_cat=0.0):
    a = rng.normal(10.0, 2.0, n) + shift * 2.0
    b = rng.lognormal(1.0, 0.8, n)
    c = rng.poisson(2.0, n).astype(float)
    cats = np.array(["web", "ios", "android", "pos", "kiosk"])
    d = cats[rng.choice(5, n, p=[0.4, 0.3, 0.2, 0.07, 0.03])].astype(object)
    if new_cat:
        d[rng.random(n) < new_cat] = "fax"
    score = rng.beta(2, 5, n)
    rows = []
    null_a = rng.random(n) < nulls
    absent_b = rng.random(n) < nulls / 2
    for i in range(n):
        feats = {"a": None if null_a[i] else round(float(a[i]), 6), "c": float(c[i]), "d": str(d[i])}
        if not absent_b[i]:
            feats["b"] = round(float(b[i]), 6)
        rows.append({"id": i, "features": feats, "score": round(float(score[i]), 6)})
    return rows


def write(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def values(rows, name):
    """(numbers or texts, missing flags) of a field, as fspsi looks it up."""
    out = []
    for r in rows:
        v = r["features"].get(name, r.get(name))
        out.append(v)
    return out


def check_fit(base, rows):
    fields = {f["name"]: f for f in base["fields"]}
    report(set(fields) == {"a", "b", "c", "d", "score"}, "fit: every feature leaf and score found",
           str(sorted(fields)))
    n = len(rows)
    for name in ("a", "b", "c", "score"):
        f = fields[name]
        raw = values(rows, name)
        x = np.sort(np.array([v for v in raw if v is not None], dtype=float))
        edges = np.unique(np.quantile(x, np.arange(1, 10) / 10))
        report(np.allclose(f["edges"], edges, rtol=0, atol=1e-12) and len(f["edges"]) == len(edges),
               f"fit {name}: edges are numpy.quantile deciles, repeats merged",
               f"{f['edges']} vs {edges.tolist()}")
        idx = np.digitize(x, edges, right=False)
        shares = np.bincount(idx, minlength=len(edges) + 1) / len(x)
        report(np.allclose(f["shares"], shares, atol=1e-12), f"fit {name}: bin shares")
        report(abs(f["null_share"] - (n - len(x)) / n) < 1e-12, f"fit {name}: null share")
        grid = np.unique(np.quantile(x, np.arange(1, 100) / 100))
        cdf = np.searchsorted(x, grid, side="left") / len(x)
        report(np.allclose(f["ks_grid"], grid, atol=1e-12) and np.allclose(f["ks_cdf"], cdf, atol=1e-12),
               f"fit {name}: KS grid is the percentiles, with their CDF")
        report(f["min"] == x[0] and f["max"] == x[-1] and f["count"] == len(x), f"fit {name}: count, min, max")
    d = fields["d"]
    raw = [v for v in values(rows, "d") if v is not None]
    uniq, counts = np.unique(raw, return_counts=True)
    order = sorted(zip(-counts, uniq))
    report(d["categories"] == [u for _, u in order], "fit d: categories by count", str(d["categories"]))
    report(np.allclose(d["shares"][:-1], [-c / len(raw) for c, _ in order]) and d["shares"][-1] == 0,
           "fit d: category shares, other last")


def expected_shares(f):
    return np.append(np.array(f["shares"]) * (1 - f["null_share"]), f["null_share"])


def actual_shares(f, raw):
    n = len(raw)
    if f["type"] == "numeric":
        x = np.array([v for v in raw if v is not None], dtype=float)
        idx = np.digitize(x, np.array(f["edges"]), right=False)
        counts = np.bincount(idx, minlength=len(f["edges"]) + 1).astype(float)
    else:
        cats = f["categories"]
        counts = np.zeros(len(cats) + 1)
        x = [v for v in raw if v is not None]
        for v in x:
            counts[cats.index(v) if v in cats else len(cats)] += 1
    missing = n - (len(x))
    return np.append(counts, missing) / n, x


def oracle_metrics(f, raw):
    a, x = actual_shares(f, raw)
    e = expected_shares(f)
    a_s, e_s = np.where(a > 0, a, EPS), np.where(e > 0, e, EPS)
    psi = float(np.sum((a_s - e_s) * np.log(a_s / e_s)))
    js = float(jensenshannon(a, e))
    ks = None
    if f["type"] == "numeric" and len(x):
        xs = np.sort(x)
        grid = np.array(f["ks_grid"])
        fa = np.searchsorted(xs, grid, side="left") / len(xs)
        ks = float(np.max(np.abs(fa - np.array(f["ks_cdf"]))))
    return psi, js, ks, a


def check_stream(args, base, name, rows, window, want):
    path = os.path.join(args.workdir, name + ".ndjson")
    write(path, rows)
    p = subprocess.run([args.fspsi, "--baseline", args.base, "--window", str(window), path],
                       capture_output=True, text=True)
    recs = [json.loads(line) for line in p.stdout.splitlines()]
    fields = {f["name"]: f for f in base["fields"]}
    wins = [r for r in recs if r["kind"] == "window"]
    worst = 0.0
    bad = []
    for r in wins:
        f = fields[r["feature"]]
        chunk = rows[r["start"] - 1:r["end"]]
        psi, js, ks, a = oracle_metrics(f, values(chunk, r["feature"]))
        errs = [abs(psi - r["psi"]), abs(js - r["js"]), max(abs(a - np.array(r["shares"])))]
        if ks is not None:
            errs.append(abs(ks - r["ks"]))
        elif r["ks"] is not None:
            errs.append(1)
        if max(errs) > 1e-9 or r["n"] != len(chunk):
            bad.append(f"{r['feature']} {r['start']}-{r['end']}: psi {r['psi']} vs {psi}, js {r['js']} vs {js}, "
                       f"ks {r['ks']} vs {ks}")
        worst = max(worst, max(errs))
    report(not bad and wins, f"{name}: {len(wins)} window records equal numpy/scipy within 1e-9 "
           f"(largest difference {worst:.1e})", "; ".join(bad[:3]))
    summ = {r["feature"]: r for r in recs if r["kind"] == "summary"}
    for feat, (psi_max, status) in want.items():
        s = summ[feat]
        ok = s["max_psi"] < psi_max if psi_max else s["status"] == status
        report(ok and s["status"] == status, f"{name}: {feat} is {status}"
               + (f" with every window's PSI below {psi_max}" if psi_max else ""),
               f"max_psi {s['max_psi']}, status {s['status']}")
    code = {"ok": 0, "warn": 1, "alert": 2}[max((s["status"] for s in summ.values()),
                                                 key=lambda t: {"ok": 0, "warn": 1, "alert": 2}[t])]
    report(p.returncode == code, f"{name}: exit status {p.returncode} is the worst status's ({code})",
           p.stderr.strip()[-300:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fspsi", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(12345)
    train = generate(rng, 60000)
    tpath = os.path.join(args.workdir, "train.ndjson")
    write(tpath, train)
    args.base = os.path.join(args.workdir, "baseline.json")
    with open(args.base, "w") as out:
        p = subprocess.run([args.fspsi, "--fit", tpath], stdout=out, stderr=subprocess.PIPE, text=True)
    report(p.returncode == 0, "fspsi --fit exits 0", p.stderr)
    base = json.load(open(args.base))
    check_fit(base, train)

    same = generate(np.random.default_rng(777), 50000)
    check_stream(args, base, "same-distribution", same, 10000,
                 {k: (0.02, "ok") for k in ("a", "b", "c", "d", "score")})
    shifted = generate(np.random.default_rng(778), 30000, shift=0.5)
    check_stream(args, base, "mean-shift-half-sd", shifted, 10000, {"a": (None, "alert"), "b": (0.02, "ok")})
    more_nulls = generate(np.random.default_rng(779), 20000, nulls=0.3, new_cat=0.08)
    check_stream(args, base, "nulls-and-new-categories", more_nulls, 5000, {"a": (None, "alert"),
                                                                          "d": (None, "alert")})
    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if detail and not ok:
            print(f"# {detail}")


if __name__ == "__main__":
    main()
