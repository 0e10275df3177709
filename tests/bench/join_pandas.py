#!/usr/bin/python3
"""The fsjoin benchmark's peer and cross-check: pandas.merge_asof.

usage: join_pandas.py join SPINE RIGHT OUT
         the whole batch, as a pandas user would write it: read both NDJSON
         files (read_json lines, precise floats), the right side's features
         object into columns, times parsed, both sorted by time, merge_asof
         by user_id backward, the spine's order restored, to_json lines to
         OUT; the time of each phase on stderr
       join_pandas.py check SPINE RIGHT FSJOIN_OUT
         the same join in memory, compared with fsjoin's output on SPINE
         event by event and feature by feature (exact: both read the same
         JSON number into the same double); prints a one-line verdict,
         exits 1 on a difference
"""
import json
import sys
import time

import numpy as np
import pandas as pd


def load(spine_path, right_path):
    t0 = time.perf_counter()
    spine = pd.read_json(spine_path, lines=True, precise_float=True, dtype=False,
                         convert_dates=False)
    right = pd.read_json(right_path, lines=True, precise_float=True, dtype=False,
                         convert_dates=False)
    feats = pd.DataFrame(right.pop("features").tolist(), index=right.index)
    right = pd.concat([right, feats], axis=1)
    t1 = time.perf_counter()
    spine["_t"] = pd.to_datetime(spine["ts"], format="%Y-%m-%dT%H:%M:%S.%fZ")
    right["_t"] = pd.to_datetime(right.pop("ts"), format="%Y-%m-%dT%H:%M:%S.%fZ")
    spine["_i"] = np.arange(len(spine))
    left = spine.sort_values("_t", kind="mergesort")
    right = right.sort_values("_t", kind="mergesort")
    joined = pd.merge_asof(left, right, on="_t", by="user_id", direction="backward")
    joined = joined.sort_values("_i", kind="mergesort").drop(columns=["_t", "_i"])
    t2 = time.perf_counter()
    return joined, list(feats.columns), t1 - t0, t2 - t1


def join(spine_path, right_path, out_path):
    joined, _, read_s, merge_s = load(spine_path, right_path)
    t0 = time.perf_counter()
    joined.to_json(out_path, orient="records", lines=True, double_precision=15)
    write_s = time.perf_counter() - t0
    print(f"read={read_s:.2f}s merge={merge_s:.2f}s to_json={write_s:.2f}s", file=sys.stderr)


def check(spine_path, right_path, got_path):
    joined, names, _, _ = load(spine_path, right_path)
    with open(got_path) as f:
        got = [json.loads(line) for line in f]
    if len(got) != len(joined):
        print(f"cross-check FAILED: fsjoin wrote {len(got)} lines for {len(joined)} events")
        sys.exit(1)
    bad, matched = [], 0
    cols = {n: joined[n].tolist() for n in names}
    users, times = joined["user_id"].tolist(), joined["ts"].tolist()
    for i, g in enumerate(got):
        if g.get("user_id") != users[i] or g.get("ts") != times[i]:
            bad.append(f"line {i + 1}: event {g.get('user_id')} {g.get('ts')}, "
                       f"pandas {users[i]} {times[i]}")
            continue
        f = g.get("features", {})
        hit = False
        for n in names:
            w = cols[n][i]
            w = None if w is None or (isinstance(w, float) and np.isnan(w)) else w
            hit |= w is not None
            if f.get(n, "absent") != w:
                bad.append(f"line {i + 1} ({users[i]} {times[i]}): {n} fsjoin {f.get(n, 'absent')}, pandas {w}")
        matched += hit
    if bad:
        print(f"cross-check FAILED on {len(bad)} values: " + "; ".join(bad[:3]))
        sys.exit(1)
    print(f"cross-check: on {len(got)} spine events ({matched} with a row), fsjoin's "
          f"{len(names)} joined values equal pandas.merge_asof's exactly")


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("join", "check"):
        sys.exit(__doc__.split("\n\n")[1])
    (join if sys.argv[1] == "join" else check)(*sys.argv[2:])


if __name__ == "__main__":
    main()
