#!/usr/bin/python3
"""The fsgroundtruth benchmark's peer and cross-checks: pandas + sklearn.

usage: truth_pandas.py batch PREDICTIONS LABELS OUT
         the whole batch, as a pandas user would write it: read both NDJSON
         files (read_json lines, precise floats), merge the labels to the
         predictions by tx, keep the labels with t_l <= t_p + 30 d (the
         others are late), the last one read per tx counts; then per 1-day
         window of prediction time (aligned to the epoch): counts, the
         confusion matrix at 0.5, precision, recall, F1, accuracy
         (sklearn.metrics), roc_auc_score, average_precision_score,
         log_loss, brier_score_loss, ECE (calibration_curve's uniform bins),
         numpy percentiles of the label delays; one record per window like
         fsgroundtruth's to OUT (NDJSON). Phase times and label totals on
         stderr.
       truth_pandas.py compare PANDAS_OUT FSGROUNDTRUTH_OUT
         the metrics records of both, window by window: line 1 "agree" when
         they have the same windows and roc_auc, precision and recall agree
         within 1e-9 in each (null where pandas' is undefined), else
         "DIFFER"; line 2 a summary; line 3 the other fields (counts exact,
         metrics within 1e-9); then up to 3 example differences. Exit 1 on
         DIFFER.
       truth_pandas.py joined PREDICTIONS LABELS FSGROUNDTRUTH_OUT
         checks fsgroundtruth --emit joined's "joined" records: each one is
         its prediction's line with members appended, and the last one of
         each tx has the label, label_ts, label_delay and label_count pandas
         finds. Prints a one-line verdict; exit 1 on a difference.
"""
import json
import math
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import (accuracy_score, average_precision_score, brier_score_loss,
                             confusion_matrix, f1_score, log_loss, precision_score,
                             recall_score, roc_auc_score)

MATURITY = 30 * 86400
WINDOW = 86400
THRESHOLD = 0.5
EPS = np.finfo(np.float64).eps      # sklearn 1.2 log_loss eps="auto" for float64
TOL = 1e-9
KEY_FIELDS = ("roc_auc", "precision", "recall")
OTHER_FIELDS = ("window_end", "mature", "predictions", "labeled", "absent", "unlabeled",
                "labeled_share", "positives", "negatives", "threshold", "tp", "fp", "tn", "fn",
                "f1", "accuracy", "pr_auc", "log_loss", "brier", "ece", "delay_p50",
                "delay_p95", "duplicate_labels", "late_labels")


def rfc3339(sec):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sec))


def read(pred_path, lab_path):
    pred = pd.read_json(pred_path, lines=True, precise_float=True, dtype=False,
                        convert_dates=False)
    lab = pd.read_json(lab_path, lines=True, precise_float=True, dtype=False,
                       convert_dates=False)
    pred["ts"] = pred["ts"].astype(np.int64)
    pred["score"] = pred["score"].astype(np.float64)
    lab["ts"] = lab["ts"].astype(np.int64)
    lab["label"] = lab["label"].astype(np.int64)
    return pred, lab


def join(pred, lab):
    """Each prediction with its counted label (last one read with t_l <= t_p + maturity)."""
    lab = lab[["tx", "ts", "label"]].copy()
    lab["_seq"] = np.arange(len(lab))              # the order the labels are read in
    m = lab.merge(pred[["tx", "ts"]], on="tx", how="inner", suffixes=("_l", "_p"))
    is_late = m["ts_l"] > m["ts_p"] + MATURITY
    # A late label counts in its window only while the window is open: it is
    # written when the first prediction at or after its end + maturity is
    # read, and a label of the same time is read after that prediction.
    win = m["ts_p"] // WINDOW
    pts = np.sort(pred["ts"].to_numpy())
    i = np.searchsorted(pts, (win.to_numpy() + 1) * WINDOW + MATURITY, side="left")
    written_at = np.where(i < len(pts), pts[np.minimum(i, len(pts) - 1)], np.iinfo(np.int64).max)
    late = win[is_late & (m["ts_l"].to_numpy() < written_at)]
    good = m[~is_late].sort_values("_seq", kind="stable")
    count = good.groupby("tx").size().rename("label_count")
    last = good.drop_duplicates("tx", keep="last")[["tx", "label", "ts_l"]]
    df = pred.merge(last, on="tx", how="left").merge(count, on="tx", how="left")
    df["label_count"] = df["label_count"].fillna(0).astype(np.int64)
    df["window"] = df["ts"] // WINDOW
    totals = {"labels": len(lab), "counted": len(good), "late": int(is_late.sum()),
              "unmatched": len(lab) - len(m), "duplicates": len(good) - len(last)}
    return df, late.value_counts(), totals


def ece(y, s):
    edges = np.linspace(0.0, 1.0, 11)
    b = np.searchsorted(edges[1:-1], s)            # side="left", as calibration_curve
    total = 0.0
    for k in range(10):
        sel = b == k
        nb = sel.sum()
        if nb:
            total += nb / len(y) * abs(y[sel].mean() - s[sel].mean())
    return float(total)


def none_if(cond, f):
    return None if cond else float(f())


def window_metrics(w, g, late_n, clock):
    n = len(g)
    lab = g[g["label"].notna()]
    y = lab["label"].to_numpy(dtype=np.int64)
    s = lab["score"].to_numpy(dtype=np.float64)
    e = len(y)
    pos = int(y.sum())
    neg = e - pos
    yhat = (s >= THRESHOLD).astype(np.int64)
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y, yhat, labels=[0, 1]).ravel()) if e else (0, 0, 0, 0)
    delays = (lab["ts_l"] - lab["ts"]).to_numpy(dtype=np.float64)
    p50, p95 = np.percentile(delays, [50, 95]) if e else (None, None)
    return {
        "kind": "metrics", "window_start": rfc3339(w * WINDOW), "window_end": rfc3339((w + 1) * WINDOW),
        "mature": bool(clock >= (w + 1) * WINDOW + MATURITY),
        "predictions": n, "labeled": e, "absent": 0, "unlabeled": n - e, "labeled_share": e / n,
        "positives": pos, "negatives": neg, "threshold": THRESHOLD,
        "tp": tp, "fp": fp, "tn": tn, "fn": fn,
        "precision": none_if(tp + fp == 0, lambda: precision_score(y, yhat, zero_division=0)),
        "recall": none_if(tp + fn == 0, lambda: recall_score(y, yhat, zero_division=0)),
        "f1": none_if(2 * tp + fp + fn == 0, lambda: f1_score(y, yhat, zero_division=0)),
        "accuracy": none_if(e == 0, lambda: accuracy_score(y, yhat)),
        "roc_auc": none_if(pos == 0 or neg == 0, lambda: roc_auc_score(y, s)),
        "pr_auc": none_if(pos == 0, lambda: average_precision_score(y, s)),
        "log_loss": none_if(e == 0, lambda: log_loss(y, s, labels=[0, 1])),
        "brier": none_if(e == 0, lambda: brier_score_loss(y, s, pos_label=1)),
        "ece": none_if(e == 0, lambda: ece(y, s)),
        "delay_p50": None if p50 is None else float(p50),
        "delay_p95": None if p95 is None else float(p95),
        "duplicate_labels": int((g["label_count"] - 1).clip(lower=0).sum()),
        "late_labels": int(late_n),
    }


def batch(pred_path, lab_path, out_path):
    t0 = time.perf_counter()
    pred, lab = read(pred_path, lab_path)
    t1 = time.perf_counter()
    df, late, totals = join(pred, lab)
    t2 = time.perf_counter()
    clock = int(pred["ts"].max())
    recs = [window_metrics(w, g, late.get(w, 0), clock) for w, g in df.groupby("window", sort=True)]
    t3 = time.perf_counter()
    with open(out_path, "w") as f:
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    t4 = time.perf_counter()
    print(f"read={t1 - t0:.2f}s merge={t2 - t1:.2f}s metrics={t3 - t2:.2f}s write={t4 - t3:.2f}s; "
          f"labels {totals['labels']}: {totals['counted']} counted ({totals['duplicates']} repeats), "
          f"{totals['late']} late, {totals['unmatched']} unmatched; {len(recs)} windows", file=sys.stderr)


def load_metrics(path):
    out = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") == "metrics":
                out[r["window_start"]] = r      # the last record of a window counts
    return out


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= TOL


def compare(pandas_path, got_path):
    want, got = load_metrics(pandas_path), load_metrics(got_path)
    only_p = sorted(set(want) - set(got))
    only_g = sorted(set(got) - set(want))
    both = sorted(set(want) & set(got))
    key_bad, other_bad, examples = 0, {}, []
    maxdiff = 0.0
    for w in both:
        for f in KEY_FIELDS + OTHER_FIELDS:
            a, b = want[w].get(f), got[w].get(f, "absent")
            if f in KEY_FIELDS and isinstance(a, float) and isinstance(b, (int, float)) \
                    and not isinstance(b, bool):
                maxdiff = max(maxdiff, abs(a - b))
            if not same(a, b):
                if f in KEY_FIELDS:
                    key_bad += 1
                else:
                    other_bad[f] = other_bad.get(f, 0) + 1
                if len(examples) < 3:
                    examples.append(f"  {w} {f}: pandas {a}, fsgroundtruth {b}")
    ok = not key_bad and not only_p and not only_g and both
    print("agree" if ok else "DIFFER")
    msg = (f"{len(both)} windows in both; roc_auc, precision, recall: "
           + (f"agree within {TOL:g} (largest difference {maxdiff:.1e})" if not key_bad
              else f"{key_bad} values differ (largest difference {maxdiff:.1e})"))
    if only_p:
        msg += f"; {len(only_p)} windows only in pandas' output (first {only_p[0]})"
    if only_g:
        msg += f"; {len(only_g)} windows only in fsgroundtruth's (first {only_g[0]})"
    print(msg)
    if other_bad:
        print("other fields that differ (windows): "
              + ", ".join(f"{f} ({k})" for f, k in other_bad.items()))
    else:
        print(f"other fields ({len(OTHER_FIELDS)}: counts exact, metrics within {TOL:g}): all agree")
    for e in examples:
        print(e)
    sys.exit(0 if ok else 1)


def joined(pred_path, lab_path, got_path):
    pred, lab = read(pred_path, lab_path)
    df, _, totals = join(pred, lab)
    lines = {}
    with open(pred_path) as f:
        for line in f:
            lines[line[7:line.index('"', 7)]] = line.rstrip("\n")    # {"tx":"<id>",...
    want = {tx: (lb, tl, tp, c) for tx, lb, tl, tp, c in
            zip(df["tx"], df["label"], df["ts_l"], df["ts"], df["label_count"])}
    last, nrec, nlabel, bad = {}, 0, 0, []
    nbad = [0]

    def problem(msg):
        nbad[0] += 1
        if len(bad) < 5:
            bad.append(msg)

    with open(got_path) as f:
        for line in f:
            if '"kind":"joined"' not in line:
                continue
            nrec += 1
            r = json.loads(line)
            tx = r.get("tx")
            src = lines.get(tx)
            if src is None or not line.startswith(src[:-1] + ","):
                problem(f"record {nrec} ({tx}) is not its prediction's line with members appended")
                continue
            if r.get("label") is not None:
                nlabel += 1
            last[tx] = r
    for tx, (lb, tl, tp, c) in want.items():
        r = last.get(tx)
        has = not pd.isna(lb)
        if r is None:
            if has:
                problem(f"{tx}: labeled {int(lb)} by pandas, no joined record")
            continue
        if has:
            lts = r.get("label_ts")
            try:
                lsec = pd.Timestamp(lts).value / 1e9 if lts is not None else None
            except ValueError:
                lsec = None
            got = (r.get("label"), lsec, r.get("label_delay"), r.get("label_count"))
            exp = (int(lb), float(tl), float(tl - tp), int(c))
            if got[0] not in (exp[0], bool(exp[0])) or got[1] != exp[1] or got[2] != exp[2] or got[3] != exp[3]:
                problem(f"{tx}: fsgroundtruth label/label_ts/label_delay/label_count {got}, pandas {exp}")
        elif r.get("label") is not None or r.get("label_count") != 0:
            problem(f"{tx}: unlabeled by pandas, fsgroundtruth {r.get('label')} (label_count {r.get('label_count')})")
    if nlabel != totals["counted"]:
        problem(f"{nlabel} joined records with a label, pandas counts {totals['counted']} labels")
    if nbad[0]:
        print(f"joined check FAILED ({nbad[0]} problems): " + "; ".join(bad))
        sys.exit(1)
    unl = sum(1 for tx, v in want.items() if pd.isna(v[0]) and tx in last)
    print(f"joined check OK: {nrec} joined records, each its prediction's line with members appended; "
          f"{nlabel} with a label (= the {totals['counted']} counted labels), {unl} final without one; "
          f"the last record of each tx has pandas' label, label_ts, label_delay and label_count")


def main():
    modes = {"batch": (batch, 3), "compare": (compare, 2), "joined": (joined, 3)}
    if len(sys.argv) < 2 or sys.argv[1] not in modes or len(sys.argv) != 2 + modes[sys.argv[1]][1]:
        sys.exit(__doc__.split("\n\n")[1])
    modes[sys.argv[1]][0](*sys.argv[2:])


if __name__ == "__main__":
    main()
