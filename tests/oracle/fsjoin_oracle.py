#!/usr/bin/python3
"""fsjoin's as-of joins checked against pandas.merge_asof.

Generates a seeded right side (rows like fsfeat --emit rows: a key, a time
in seconds, a features object) in random order, with several rows of one
key at the same time, keys the spine never asks for, and a spine with keys
the right side lacks, times before any row, times equal to rows' times and
times exactly a ttl after a row. For strict and non-strict joins, with and
without a ttl, every spine event's joined values must equal
pandas.merge_asof(by key, direction "backward", allow_exact_matches =
not strict, tolerance = ttl) on the same data, row for row. Prints TAP.
"""
import argparse
import json
import os
import subprocess

import numpy as np
import pandas as pd

results = []


def report(ok, name, detail=""):
    results.append((bool(ok), name, detail))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsjoin", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(2024)

    # the right side: 40 keys, times on a coarse grid so that ties are common
    n_right = 20000
    right = pd.DataFrame({
        "key": [f"k{i}" for i in rng.integers(0, 40, n_right)],
        "ts": 1700000000 + rng.integers(0, 2000, n_right) * 30,
        "a": np.round(rng.normal(100, 30, n_right), 3),
        "b": rng.integers(0, 1000, n_right),
    })
    right["seq"] = np.arange(n_right)
    rpath = os.path.join(args.workdir, "right.ndjson")
    with open(rpath, "w") as f:
        for r in right.itertuples():
            f.write(json.dumps({"key": r.key, "ts": int(r.ts), "features": {"a": float(r.a), "b": int(r.b)}}) + "\n")

    # the spine: keys k0..k49 (k40.. have no rows), times on and off the grid
    n_spine = 30000
    spine = pd.DataFrame({
        "id": np.arange(n_spine),
        "key": [f"k{i}" for i in rng.integers(0, 50, n_spine)],
        "ts": 1700000000 - 3000 + rng.integers(0, 2100 * 30 + 3000, n_spine),
    })
    on_grid = rng.random(n_spine) < 0.3
    spine.loc[on_grid, "ts"] = 1700000000 + rng.integers(0, 2000, on_grid.sum()) * 30
    ttl_edge = rng.random(n_spine) < 0.1
    spine.loc[ttl_edge, "ts"] = 1700000000 + rng.integers(0, 2000, ttl_edge.sum()) * 30 + 600
    spath = os.path.join(args.workdir, "spine.ndjson")
    with open(spath, "w") as f:
        for r in spine.itertuples():
            f.write(json.dumps({"id": int(r.id), "key": r.key, "ts": int(r.ts)}) + "\n")

    left_sorted = spine.sort_values("ts", kind="mergesort")
    right_sorted = right.sort_values("ts", kind="mergesort")
    for strict in (False, True):
        for ttl in (None, 600):
            opts = ["--asof", rpath, "--key", "key"] + (["--strict"] if strict else []) + \
                   (["--ttl", f"{ttl}s"] if ttl else [])
            name = f"merge_asof backward{', strict' if strict else ''}{f', tolerance {ttl}s' if ttl else ''}"
            p = subprocess.run([args.fsjoin, *opts, spath], capture_output=True, text=True)
            if p.returncode != 0:
                report(False, name, p.stderr[-500:])
                continue
            got = [json.loads(line) for line in p.stdout.splitlines()]
            want = pd.merge_asof(left_sorted, right_sorted, on="ts", by="key", direction="backward",
                                 allow_exact_matches=not strict,
                                 tolerance=ttl if ttl else None).set_index("id").sort_index()
            bad = []
            for g in got:
                w = want.loc[g["id"]]
                wa = None if pd.isna(w["a"]) else float(w["a"])
                wb = None if pd.isna(w["b"]) else int(w["b"])
                if g["features"].get("a") != wa or g["features"].get("b") != wb:
                    bad.append(f"id {g['id']} key {g['key']} ts {g['ts']}: fsjoin a={g['features'].get('a')} "
                               f"b={g['features'].get('b')}, pandas a={wa} b={wb}")
            matched = int(want["a"].notna().sum())
            report(len(got) == n_spine and not bad,
                   f"{name}: all {n_spine} spine events equal pandas ({matched} matched, "
                   f"{n_spine - matched} without a row)", "; ".join(bad[:3]))
            order = [g["id"] for g in got] == list(range(n_spine))
            report(order, f"{name}: the spine's order is kept")

    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if detail and not ok:
            print(f"# {detail}")


if __name__ == "__main__":
    main()
