#!/usr/bin/python3
"""The 8 features of spec8.json computed in batch with pandas.

usage: features_pandas.py INPUT.ndjson OUTPUT.ndjson

Reads the NDJSON with read_json(lines=True), computes per user_id, in input
order and with fsfeat's semantics (window (t - w, t], ties in input order,
the current event included, sample stddev), writes one NDJSON line per event
with user_id, ts and the eight features, and prints the time of each phase to
stderr as  `pandas-phases read=S compute=S write=S`.

count_distinct over a time window has no pandas primitive (rolling() takes
numbers only, and rolling().apply(np.unique) is a Python call per row), so it
is vectorised with numpy: within a user's rows sorted by time, the window of
row j is rows [s_j, j], and the number of distinct merchants in it is the
number of rows i in [s_j, j] whose previous row with the same merchant lies
before s_j.  That is counted by stepping back k = 0, 1, ... rows from every j
at once, so the work is the sum of the window sizes.
"""
import sys
import time

import numpy as np
import pandas as pd

src, dst = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
df = pd.read_json(src, lines=True, convert_dates=False, keep_default_dates=False,
                  dtype={"user_id": str, "merchant_id": str})
t1 = time.perf_counter()

n = len(df)
df["t"] = pd.to_datetime(df["ts"], utc=True)
# Stable sort by key then time; ties keep input order, as fsfeat does.
s = df[["user_id", "t", "amount", "merchant_id"]].sort_values(
    ["user_id", "t"], kind="stable")
s["one"] = 1.0
g = s.groupby("user_id", sort=False)


def roll(window, col, how):
    r = getattr(g.rolling(window, on="t")[col], how)()
    return r.to_numpy()  # groups are contiguous and in s's order


out = pd.DataFrame(index=s.index)
out["amt_sum_1h"] = roll("1h", "amount", "sum")
n24 = roll("24h", "one", "sum").astype(np.int64)
out["n_24h"] = n24
out["amt_mean_7d"] = roll("7d", "amount", "mean")

# count_distinct merchant_id over 24h (see the docstring).
pos = np.arange(n)
start = pos - n24 + 1
prev = (pd.Series(pos, index=s.index).groupby([s["user_id"], s["merchant_id"]], sort=False)
        .shift(1).fillna(-1).to_numpy(np.int64))
distinct = np.zeros(n, np.int64)
active = pos
k = 0
while active.size:
    i = active - k
    distinct[active] += prev[i] < start[active]
    k += 1
    active = active[n24[active] > k]
out["merchants_24h"] = distinct

out["secs_since_last"] = g["t"].diff().dt.total_seconds().to_numpy()
out["amt_lag1"] = g["amount"].shift(1).to_numpy()
out["amt_max_1h"] = roll("1h", "amount", "max")
out["amt_sd_24h"] = roll("24h", "amount", "std")

out = out.sort_index()
out.insert(0, "ts", df["ts"])
out.insert(0, "user_id", df["user_id"])
t2 = time.perf_counter()
out.to_json(dst, orient="records", lines=True)
t3 = time.perf_counter()
print("pandas-phases read=%.2f compute=%.2f write=%.2f" % (t1 - t0, t2 - t1, t3 - t2),
      file=sys.stderr)
