#!/usr/bin/python3
"""Deterministic inputs for the fsgroundtruth benchmark (tests/bench/truth.sh).

usage: truth_gen.py N_PREDICTIONS SEED PREDICTIONS_OUT LABELS_OUT

PREDICTIONS_OUT: N binary fraud predictions over the 60 days from
  2026-09-01T00:00:00Z (epoch seconds, uniform, sorted by time, ties kept),
  {"tx":"tx_3f9a1c0b7e4d2a61","ts":1788220803,"score":0.0123,"amount":37.2,
   "merchant_id":"m0123","model":"fraud-gbt-v7"}
  about 120 bytes a line. Ids are 16 random hex digits (all distinct). The
  score is a float32 probability printed in its shortest form (as a model
  server would), so a day of predictions has a few exact ties. About 7 % of
  the transactions are fraud; the model separates them less well as the
  weeks go by (the positives' scores drift down), so the windows differ.

LABELS_OUT: the labels as they come in, sorted by label time (stable),
  {"tx":"tx_3f9a1c0b7e4d2a61","ts":1788652803,"label":1,"source":"chargeback"}
  - about 60 % of the predictions get a label (95 % of the frauds, as
    chargebacks or reviews; 57 % of the rest, as reviews or confirmations);
    the label is the transaction's truth, 0 or 1;
  - delay (label ts - prediction ts, whole seconds): frauds gamma(2, 4 d),
    the rest gamma(1.5, 1.5 d); then 3 % of the labels are made late
    (30 d + 1 s .. 45 d), 0.1 % arrive exactly at 30 d (still counted: the
    maturity is inclusive), 0.2 % arrive 1..600 s *before* their prediction
    (a label system's clock ahead: the label waits for its prediction);
  - 2 % of the labeled transactions get a second label, 1 h .. 10 d after
    the first (source "dispute"), flipped in a quarter of the cases; the
    second one counts unless it is late;
  - 0.5 % x N labels for ids that were never predicted, times uniform over
    the 90 days, so they are rejected as unmatched.

A one-line summary of what was drawn goes to stderr. numpy's PCG64 seeded
with an integer: the output is the same on every run with the same numpy.
"""
import sys

import numpy as np

T0 = 1788220800                # 2026-09-01T00:00:00Z
DAY = 86400
SPAN = 60 * DAY
MATURITY = 30 * DAY
CHUNK = 500_000


def fstr(a):
    # shortest repr that reads back to the same double; 37.0 as 37
    s = a.astype(str)
    whole = a == np.floor(a)
    s[whole] = a[whole].astype(np.int64).astype(str)
    return s


def hex_ids(rng, n, avoid=None):
    """n distinct 64-bit ids as 16 hex digits, none of them in avoid."""
    ids = np.unique(rng.integers(0, 2**63, n, dtype=np.int64))
    if avoid is not None:
        ids = np.setdiff1d(ids, avoid)
    while len(ids) < n:
        more = rng.integers(0, 2**63, n - len(ids), dtype=np.int64)
        ids = np.unique(np.concatenate([ids, more]))
        if avoid is not None:
            ids = np.setdiff1d(ids, avoid)
    ids = ids[:n]
    rng.shuffle(ids)
    return ids


def write_lines(path, fmt, cols):
    with open(path, "w", buffering=1 << 20) as out:
        n = len(cols[0])
        for i in range(0, n, CHUNK):
            sl = slice(i, i + CHUNK)
            out.write("".join(fmt(*row) for row in zip(*(c[sl] for c in cols))))


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.split("\n\n")[1])
    n, seed, pred_path, lab_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    rng = np.random.default_rng(seed)

    # ---- predictions ----
    ts = np.sort(T0 + rng.integers(0, SPAN, n))
    ids = hex_ids(rng, n)
    fraud = rng.random(n) < 0.07
    drift = (ts - T0) / SPAN                       # 0 .. 1 over the 60 days
    z = np.where(fraud, 0.6 - 1.2 * drift + rng.normal(0, 1.4, n), -3.0 + rng.normal(0, 1.1, n))
    score = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
    score_s = score.astype(str)
    amount = fstr(np.round(rng.lognormal(3.4, 1.1, n), 2))
    merchant = rng.integers(0, 5000, n)
    write_lines(pred_path,
                lambda i, t, s, a, m: f'{{"tx":"tx_{i:016x}","ts":{t},"score":{s},"amount":{a},'
                                      f'"merchant_id":"m{m:04d}","model":"fraud-gbt-v7"}}\n',
                [ids.tolist(), ts.tolist(), score_s, amount, merchant.tolist()])

    # ---- labels ----
    labeled = rng.random(n) < np.where(fraud, 0.95, 0.57)
    li = np.flatnonzero(labeled)
    m = len(li)
    y = fraud[li].astype(np.int64)
    delay = np.where(y == 1, rng.gamma(2.0, 4.0 * DAY, m), rng.gamma(1.5, 1.5 * DAY, m))
    delay = np.floor(delay).astype(np.int64)
    u = rng.random(m)
    late = u < 0.03
    delay[late] = MATURITY + rng.integers(1, 15 * DAY + 1, late.sum())
    exact = (u >= 0.03) & (u < 0.031)
    delay[exact] = MATURITY
    early = (u >= 0.031) & (u < 0.033)
    delay[early] = -rng.integers(1, 601, early.sum())
    src_pos = np.where(rng.random(m) < 0.8, "chargeback", "review")
    src_neg = np.where(rng.random(m) < 0.3, "review", "auto_confirm")
    source = np.where(y == 1, src_pos, src_neg)

    # second labels for 2 % of the labeled transactions
    dup = rng.random(m) < 0.02
    di = np.flatnonzero(dup)
    d_delay = delay[di] + rng.integers(3600, 10 * DAY + 1, len(di))
    d_y = np.where(rng.random(len(di)) < 0.25, 1 - y[di], y[di])

    # labels for transactions never predicted
    k = n // 200
    unk_ids = hex_ids(rng, k, avoid=np.sort(ids))
    unk_ts = T0 + rng.integers(0, SPAN + MATURITY, k)
    unk_y = (rng.random(k) < 0.1).astype(np.int64)

    lab_ids = np.concatenate([ids[li], ids[li][di], unk_ids])
    lab_ts = np.concatenate([ts[li] + delay, ts[li][di] + d_delay, unk_ts])
    lab_y = np.concatenate([y, d_y, unk_y])
    lab_src = np.concatenate([source, np.full(len(di), "dispute"), np.full(k, "review")])
    order = np.argsort(lab_ts, kind="stable")
    write_lines(lab_path,
                lambda i, t, lab, s: f'{{"tx":"tx_{i:016x}","ts":{t},"label":{lab},"source":"{s}"}}\n',
                [lab_ids[order].tolist(), lab_ts[order].tolist(), lab_y[order].tolist(),
                 lab_src[order].tolist()])

    late2 = (d_delay > MATURITY).sum()
    print(f"predictions={n} frauds={fraud.sum()} labeled={m} ({m / n:.1%}) labels={len(lab_ids)}: "
          f"first={m} (late={(delay > MATURITY).sum()}, exactly_30d={exact.sum()}, before_prediction={early.sum()}, "
          f"positive={y.sum()}) second={len(di)} (late={late2}, flipped={(d_y != y[di]).sum()}) "
          f"unknown_id={k}", file=sys.stderr)


if __name__ == "__main__":
    main()
