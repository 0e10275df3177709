#!/usr/bin/python3
"""fsgroundtruth's champion/challenger comparisons (--compare FIELD,
--compare-scores A,B) checked against scikit-learn, statsmodels and a direct
transcription of DeLong, DeLong & Clarke-Pearson (1988).

Generates seeded predictions over 7 days (1d windows, --maturity 1d, so the
first 5 windows are mature and the last 2 are written at the end with
"mature":false), with ties in the scores (30% rounded to 2 decimals, some
0.0 and 1.0), 15% never labelled (unlabeled, or given --absent-label 0 once
final), a small day and days where the champion, the challenger or neither
is better. Two files of the same events: an A/B split (each prediction's
"arm" chooses the model that scored it: unpaired) and a shadow run ("score"
the champion's, "score_shadow" the challenger's, on every event: paired).

The expected compare record of each window is worked out here from the
spec's rules alone: each arm's counts and metrics are scikit-learn's over its
labeled (and absent) predictions, as the metrics record defines them
(precision/recall/f1/accuracy at the threshold, roc_auc_score,
average_precision_score, log_loss, brier_score_loss, the ECE of
calibration_curve's 10 uniform bins), null where undefined; the Wilson
intervals statsmodels' proportion_confint(method="wilson") at 1-alpha; the
AUC's variance, the paired covariance and the difference's variance, z and
p-value from DeLong's structural components V10/V01 computed by the O(m*n)
double sum of psi (no ranks), unpaired (var_A + var_B) and paired
(var_A + var_B - 2 cov); the verdict from p_value, --alpha and --min-labels.
Everything must agree within 1e-9 (absolute). With --horizon N, the
running looks: after each mature window, the labeled predictions of every
mature window so far in the order read (up to N), information labels/N,
alpha_spent by the obf, pocock, fixed or none spending function and
alpha_look its increment, the verdict at alpha_look, "final" at the
horizon or a verdict and nothing after it. Also: arms with one class,
one positive or no predictions at all (nulls, verdict none), identical
scores (se 0: z and p null), rejected predictions (an arm not in --arms:
"bad key"; a missing second score: "bad label"), and --alert over compare
records (exit status 2, fired exactly where the oracle says). Prints TAP.
"""
import argparse
import calendar
import json
import math
import os
import re
import subprocess
import time
import warnings
from collections import Counter

import numpy as np
from scipy.stats import norm
from sklearn.metrics import (accuracy_score, average_precision_score, brier_score_loss, f1_score, log_loss,
                             precision_score, recall_score, roc_auc_score)
from statsmodels.stats.proportion import proportion_confint

DAY = 86400
M = DAY  # --maturity 1d
T0 = calendar.timegm((2026, 11, 1, 0, 0, 0))
TOL = 1e-9
results = []


def report(ok, name, detail=""):
    results.append((bool(ok), name, detail))


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_rfc3339(s):
    if not isinstance(s, str) or not s.endswith("Z"):
        return None
    base, _, frac = s[:-1].partition(".")
    try:
        t = calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return None
    return t + (float("0." + frac) if frac else 0)


def quiet(f, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(f(*a, **k))


# ---------------------------------------------------------------- DeLong (1988), transcribed

def delong_components(X, Y):
    """DeLong, DeLong & Clarke-Pearson (1988), section 2: for the m scores X
    of the positives and the n scores Y of the negatives, the Mann-Whitney
    kernel psi(X_i, Y_j) = 1 if X_i > Y_j, 1/2 if equal, 0 if less; the AUC
    theta = (1/mn) sum_i sum_j psi; the structural components
    V10(X_i) = (1/n) sum_j psi(X_i, Y_j) and V01(Y_j) = (1/m) sum_i psi(X_i, Y_j).
    The whole m x n table of psi, no ranks."""
    X = np.asarray(X, dtype=float)[:, None]
    Y = np.asarray(Y, dtype=float)[None, :]
    psi = np.where(X > Y, 1.0, np.where(X == Y, 0.5, 0.0))
    m, n = psi.shape
    theta = psi.sum() / (m * n)
    V10 = psi.sum(axis=1) / n
    V01 = psi.sum(axis=0) / m
    return theta, V10, V01


def delong_s(ca, cb):
    """S10 and S01 for two sets of components over the same X and Y (the
    variance when ca is cb, the covariance of eq. (4) otherwise)."""
    ta, v10a, v01a = ca
    tb, v10b, v01b = cb
    m, n = len(v10a), len(v01a)
    s10 = sum((v10a[i] - ta) * (v10b[i] - tb) for i in range(m)) / (m - 1)
    s01 = sum((v01a[j] - ta) * (v01b[j] - tb) for j in range(n)) / (n - 1)
    return s10 / m + s01 / n


# ---------------------------------------------------------------- data

def gen_day(rng, d, n, share_b, noise_a, noise_b, never=0.15, special=None):
    """n predictions on day d: latent truth p, label y ~ Bernoulli(p), each
    model's score p + N(0, noise), clipped, 30% rounded to 2 decimals, 1%
    0.0 and 1% 1.0. special: a function (rng, arm, rows) that changes the
    rows of the day (labels, scores) for an edge case."""
    ts = np.sort(rng.integers(0, DAY, n)) + T0 + d * DAY
    p = rng.beta(0.6, 0.9, n)
    rows = []
    for i in range(n):
        sc = []
        for noise in (noise_a, noise_b):
            s = float(np.clip(p[i] + rng.normal(0, noise), 0, 1))
            s = round(s, 2) if rng.random() < 0.3 else round(s, 6)
            u = rng.random()
            s = 0.0 if u < 0.01 else 1.0 if u < 0.02 else s
            sc.append(s)
        y = int(rng.random() < p[i])
        lab = rng.random() >= never
        delay = int(min(rng.exponential(M / 4), M))
        rows.append({"t": int(ts[i]), "a": sc[0], "b": sc[1], "y": y if lab else None,
                     "lt": int(ts[i]) + delay, "arm": "b" if rng.random() < share_b else "a"})
    if special:
        special(rng, rows)
    return rows


def gen_main(rng):
    # day: (predictions, challenger share, champion noise, challenger noise)
    days = [(800, 0.4, 0.30, 0.20), (800, 0.4, 0.34, 0.12), (800, 0.4, 0.13, 0.22), (230, 0.4, 0.45, 0.08),
            (800, 0.4, 0.30, 0.18), (700, 0.4, 0.20, 0.20), (700, 0.4, 0.25, 0.15)]
    rows = []
    for d, (n, sh, na, nb) in enumerate(days):
        rows += gen_day(rng, d, n, sh, na, nb)
    for i, r in enumerate(rows):
        r["id"] = f"t{i}"
    return rows


def gen_edge_unpaired(rng):
    """Day 0: the challenger's labels are all 0. Day 1: the challenger has
    exactly one positive. Day 2: none of the challenger's predictions gets a
    label. Day 3: the champion has no predictions. Days 4-5 ordinary (5 moves
    the clock so that 0-3 are mature)."""
    def only_negatives(rng, rows):
        for r in rows:
            if r["arm"] == "b" and r["y"] is not None:
                r["y"] = 0

    def one_positive(rng, rows):
        first = True
        for r in rows:
            if r["arm"] == "b":
                if r["y"] is None:
                    r["y"] = 0
                    r["lt"] = r["t"] + 60
                if r["y"] == 1:
                    r["y"] = 1 if first else 0
                    first = False

    def no_labels(rng, rows):
        for r in rows:
            if r["arm"] == "b":
                r["y"] = None

    def no_champion(rng, rows):
        for r in rows:
            r["arm"] = "b"

    rows = []
    for d, sp in enumerate((only_negatives, one_positive, no_labels, no_champion, None, None)):
        rows += gen_day(rng, d, 200, 0.4, 0.2, 0.2, special=sp)
    for i, r in enumerate(rows):
        r["id"] = f"e{i}"
    return rows


def gen_edge_paired(rng):
    """Day 0: both scores identical (se 0). Day 1: every label 1 (no AUC).
    Day 2: one positive. Days 3-4 ordinary."""
    def identical(rng, rows):
        for r in rows:
            r["b"] = r["a"]

    def all_positive(rng, rows):
        for r in rows:
            if r["y"] is not None:
                r["y"] = 1

    def one_positive(rng, rows):
        first = True
        for r in rows:
            if r["y"] == 1:
                r["y"] = 1 if first else 0
                first = False

    rows = []
    for d, sp in enumerate((identical, all_positive, one_positive, None, None)):
        rows += gen_day(rng, d, 200, 0.5, 0.2, 0.2, special=sp)
    for i, r in enumerate(rows):
        r["id"] = f"q{i}"
    return rows


def write_unpaired(path, rows, names=("champion", "challenger"), bad=()):
    """The A/B file: "arm" and the arm's model's "score". bad: extra lines
    (time, record) to slip in, to be rejected. Returns the lines (1-based)
    of the bad ones."""
    lines = [(r["t"], 0, {"tx": r["id"], "ts": r["t"], "arm": names[r["arm"] == "b"],
                          "score": r["b"] if r["arm"] == "b" else r["a"], "model": "m"}) for r in rows]
    lines += [(t, 1, rec) for t, rec in bad]
    lines.sort(key=lambda x: (x[0], x[1]))
    with open(path, "w") as f:
        for _, _, rec in lines:
            f.write(json.dumps(rec) + "\n")
    return [i + 1 for i, x in enumerate(lines) if x[1] == 1]


def write_paired(path, rows, bad=()):
    lines = [(r["t"], 0, {"tx": r["id"], "ts": r["t"], "score": r["a"], "model": "a", "score_shadow": r["b"],
                          "model_shadow": "b"}) for r in rows]
    lines += [(t, 1, rec) for t, rec in bad]
    lines.sort(key=lambda x: (x[0], x[1]))
    with open(path, "w") as f:
        for _, _, rec in lines:
            f.write(json.dumps(rec) + "\n")
    return [i + 1 for i, x in enumerate(lines) if x[1] == 1]


def write_labels(path, rows):
    labs = sorted(((r["lt"], r["id"], r["y"]) for r in rows if r["y"] is not None), key=lambda x: x[0])
    with open(path, "w") as f:
        for lt, i, y in labs:
            f.write(json.dumps({"tx": i, "ts": lt, "label": y}) + "\n")


# ---------------------------------------------------------------- the spec's rules

def windows(rows, absent):
    """The windows of 1d, in order: their predictions with the label each is
    evaluated with (None: unlabeled), and whether the window is mature.
    Every label here is in time (t_l <= t_p + m), so each counts; the clock
    ends at the latest prediction; a prediction without a label is final,
    and takes --absent-label, when the clock is past t_p + m."""
    clock = max(r["t"] for r in rows)
    out = []
    for w in sorted({r["t"] // DAY for r in rows}):
        ps = [r for r in rows if r["t"] // DAY == w]
        ev = []
        for r in ps:
            y = r["y"]
            if y is None and absent is not None and clock > r["t"] + M:
                y = absent
            ev.append(y)
        out.append({"start": w * DAY, "end": (w + 1) * DAY, "mature": clock >= (w + 1) * DAY + M,
                    "rows": ps, "y": ev})
    return out


def ece(y, s):
    edges = np.linspace(0, 1, 11)
    b = np.searchsorted(edges[1:-1], s)
    total = 0.0
    for k in range(10):
        m = b == k
        if m.any():
            total += m.sum() / len(s) * abs(y[m].mean() - s[m].mean())
    return float(total)


def wilson(count, nobs, alpha):
    if nobs == 0:
        return None, None
    lo, hi = proportion_confint(count, nobs, alpha=alpha, method="wilson")
    return float(lo), float(hi)


def expected_arm(name, npred, y, s, threshold, alpha):
    """An arm object from its (label, score) pairs."""
    y = np.asarray(y, dtype=int)
    s = np.asarray(s, dtype=float)
    n = len(y)
    pred = (s >= threshold).astype(int)
    tp, fp = int(((pred == 1) & (y == 1)).sum()), int(((pred == 1) & (y == 0)).sum())
    tn, fn = int(((pred == 0) & (y == 0)).sum()), int(((pred == 0) & (y == 1)).sum())
    pos, neg = int((y == 1).sum()), int((y == 0).sum())
    e = {"name": name, "predictions": npred, "labels": n, "positives": pos, "negatives": neg,
         "tp": tp, "fp": fp, "tn": tn, "fn": fn}
    e["precision"] = quiet(precision_score, y, pred) if tp + fp else None
    e["precision_lo"], e["precision_hi"] = wilson(tp, tp + fp, alpha)
    e["recall"] = quiet(recall_score, y, pred) if tp + fn else None
    e["recall_lo"], e["recall_hi"] = wilson(tp, tp + fn, alpha)
    e["f1"] = quiet(f1_score, y, pred) if 2 * tp + fp + fn else None
    e["accuracy"] = quiet(accuracy_score, y, pred) if n else None
    e["accuracy_lo"], e["accuracy_hi"] = wilson(tp + tn, n, alpha)
    e["roc_auc"] = quiet(roc_auc_score, y, s) if pos and neg else None
    e["pr_auc"] = quiet(average_precision_score, y, s) if pos else None
    e["log_loss"] = quiet(log_loss, y, s, labels=[0, 1]) if n else None
    e["brier"] = quiet(brier_score_loss, y, s) if n else None
    e["ece"] = ece(y, s) if n else None
    # DeLong, from the psi table; needs m >= 2 and n >= 2 for the variance
    z = norm.isf(alpha / 2)
    comp = delong_components(s[y == 1], s[y == 0]) if pos and neg else None
    e["_comp"] = comp
    e["_var"] = delong_s(comp, comp) if pos >= 2 and neg >= 2 else None
    if e["_var"] is not None:
        se = math.sqrt(e["_var"])
        e["roc_auc_se"] = se
        e["roc_auc_lo"] = max(0.0, comp[0] - z * se)
        e["roc_auc_hi"] = min(1.0, comp[0] + z * se)
    else:
        e["roc_auc_se"] = e["roc_auc_lo"] = e["roc_auc_hi"] = None
    return e


def expected_compare(win, mode, alpha, min_labels, threshold=0.5, names=("champion", "challenger"),
                     fields=("score", "score_shadow"), field="arm", level=None):
    """The compare record of a window (or of a running look's sample, with
    the look's level for the verdict; the intervals stay at 1-alpha)."""
    level = alpha if level is None else level
    rows, ys = win["rows"], win["y"]
    z = norm.isf(alpha / 2)
    if mode == "unpaired":
        arms = []
        for k, nm in zip("ab", names):
            sel = [(y, r[k]) for r, y in zip(rows, ys) if r["arm"] == k and y is not None]
            npred = sum(r["arm"] == k for r in rows)
            arms.append(expected_arm(nm, npred, [a for a, _ in sel], [b for _, b in sel], threshold, alpha))
    else:
        arms = []
        for k, nm in zip("ab", fields):
            sel = [(y, r[k]) for r, y in zip(rows, ys) if y is not None]
            arms.append(expected_arm(nm, len(rows), [a for a, _ in sel], [b for _, b in sel], threshold, alpha))
    A, B = arms
    e = {"kind": "compare", "window_start": rfc3339(win["start"]), "window_end": rfc3339(win["end"]),
         "mature": win["mature"], "scope": "window", "compare": field if mode == "unpaired" else "scores",
         "test": "delong_unpaired" if mode == "unpaired" else "delong_paired", "alpha": alpha,
         "labels": A["labels"] + B["labels"] if mode == "unpaired" else A["labels"],
         "champion": A, "challenger": B}
    delta = se = None
    if A["_comp"] and B["_comp"]:
        delta = B["_comp"][0] - A["_comp"][0]
    if delta is not None and A["_var"] is not None and B["_var"] is not None:
        if mode == "unpaired":
            var = A["_var"] + B["_var"]
        else:
            cov = delong_s(A["_comp"], B["_comp"])
            var = A["_var"] + B["_var"] - 2 * cov
            e["_cov"] = cov
        se = math.sqrt(max(var, 0.0))
    e["challenger_auc_delta"] = delta
    e["challenger_auc_delta_se"] = se
    e["challenger_auc_delta_lo"] = delta - z * se if se is not None else None
    e["challenger_auc_delta_hi"] = delta + z * se if se is not None else None
    e["z"] = delta / se if se else None
    e["p_value"] = float(2 * norm.sf(abs(e["z"]))) if e["z"] is not None else None
    p = e["p_value"]
    if e["labels"] >= min_labels and A["roc_auc"] is not None and B["roc_auc"] is not None and p is not None \
            and p < level:
        e["verdict"] = "challenger" if B["roc_auc"] > A["roc_auc"] else "champion"
    else:
        e["verdict"] = "none"
    e["_blocked"] = e["labels"] < min_labels and p is not None and p < level
    return e


def spent(spending, alpha, t):
    """Lan-DeMets alpha spending at information t."""
    if t >= 1:
        return alpha
    if spending == "obf":
        return float(2 - 2 * norm.cdf(norm.isf(alpha / 2) / math.sqrt(t)))
    if spending == "pocock":
        return alpha * math.log(1 + (math.e - 1) * t)
    if spending == "fixed":
        return 0.0
    return alpha


def expected_running(wins, mode, alpha, min_labels, horizon, spending, **kw):
    """--horizon: after each mature window, a look at the labeled predictions
    of every mature window since the start, in the order read, up to horizon
    of them; information labels/horizon; the look's level the increment of
    the spending function (none: alpha); final at the horizon or at a
    verdict, and no look after a final one."""
    pool_rows, pool_y, out, prev = [], [], [], 0.0
    for w in wins:
        if not w["mature"]:
            continue
        before = len(pool_y)
        for r, y in zip(w["rows"], w["y"]):
            if y is not None and len(pool_y) < horizon:
                pool_rows.append(r)
                pool_y.append(y)
        if len(pool_y) == before:
            continue
        info = min(1.0, len(pool_y) / horizon)
        sp = spent(spending, alpha, info)
        level = alpha if spending == "none" else sp - prev
        prev = sp
        e = expected_compare({"rows": pool_rows, "y": pool_y, "start": wins[0]["start"], "end": w["end"],
                              "mature": True}, mode, alpha, min_labels, level=level, **kw)
        e.update({"scope": "running", "look": len(out) + 1, "horizon": horizon, "information": info,
                  "spending": spending, "alpha_spent": sp, "alpha_look": level,
                  "final": len(pool_y) >= horizon or e["verdict"] != "none", "_window": w["start"]})
        out.append(e)
        if e["final"]:
            break
    return out


# ---------------------------------------------------------------- running and comparing

def run_tool(args, name, opts, preds_path, labels_path):
    errs = os.path.join(args.workdir, name + ".errors")
    argv = [args.fsgroundtruth, "--id", "tx", "--maturity", "1d", "--window", "1d", "--errors", errs,
            "--labels", labels_path, *opts, preds_path]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    rejects = []
    if os.path.exists(errs):
        with open(errs) as f:
            rejects = [json.loads(x) for x in f if x.strip()]
    recs, bad = [], []
    for line in p.stdout.splitlines():
        try:
            recs.append(json.loads(line))
        except ValueError:
            bad.append(line)
    return p, recs, rejects, bad


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(b, bool) or not isinstance(b, (int, float)):
        return False
    return abs(a - b) <= TOL


def check_run(args, name, opts, preds_path, labels_path, want, exit_status=0, bad_lines=(), bad_cat=None,
              alerts=None, full=True, running=None):
    """want: the expected compare records, window by window."""
    p, recs, rejects, bad = run_tool(args, name, opts, preds_path, labels_path)
    report(p.returncode == exit_status and not bad,
           f"{name}: exits {exit_status} and writes NDJSON ({' '.join(opts)})",
           f"exit {p.returncode}; {p.stderr.strip()[-600:]}; {bad[:2]}")
    # a compare record after every metrics record, for the same window
    order_bad = []
    got = []
    for i, r in enumerate(recs):
        if r.get("kind") != "metrics":
            continue
        j = i + 1
        while j < len(recs) and recs[j].get("kind") == "alert":
            j += 1
        c = recs[j] if j < len(recs) else {}
        if c.get("kind") != "compare" or c.get("window_start") != r.get("window_start") \
                or c.get("window_end") != r.get("window_end") or c.get("mature") is not r.get("mature"):
            order_bad.append(f"after the metrics record of {r.get('window_start')}: {json.dumps(c)[:200]}")
        else:
            got.append(c)
    ncomp = sum(r.get("kind") == "compare" and r.get("scope") != "running" for r in recs)
    wkeys = [(w["window_start"], w["mature"]) for w in want]
    gkeys = [(g.get("window_start"), g.get("mature")) for g in got]
    nm = sum(w["mature"] for w in want)
    report(not order_bad and gkeys == wkeys and ncomp == len(want),
           f"{name}: a compare record right after each of the {len(want)} metrics records, same window "
           f"({nm} mature, {len(want) - nm} \"mature\":false)",
           "; ".join(order_bad[:3]) + f"; windows {gkeys} vs {wkeys}; {ncomp} compare records")
    pairs = [(w, g) for w, g in zip(want, got) if (g.get("window_start"), g.get("mature")) == (w["window_start"],
                                                                                                w["mature"])]

    def get(d, path):
        for k in path.split("."):
            if not isinstance(d, dict) or k not in d:
                return "missing"
            d = d[k]
        return d

    def group(paths, title, exact=False, pairs=pairs):
        bad, worst, defined, nulls = [], 0.0, 0, 0
        for e, g in pairs:
            for path in paths:
                ev, gv = get(e, path), get(g, path)
                if ev is None:
                    nulls += 1
                else:
                    defined += 1
                if exact:
                    good = gv == ev and type(gv) is type(ev)
                else:
                    good = close(ev, gv)
                    if good and ev is not None:
                        worst = max(worst, abs(ev - gv))
                if not good:
                    bad.append(f"{e['window_start']} {path}: got {gv!r}, expected {ev!r}")
        report(pairs and not bad, f"{name}: {title} ({defined} values" + (f", {nulls} null" if nulls else "")
               + ("" if exact else f", largest difference {worst:.1e}") + ")", "; ".join(bad[:5]))

    if alerts is not None:
        got_alerts = sorted((r.get("alert"), r.get("window_start"), r.get("metric"), r.get("value"), r.get("limit"))
                            for r in recs if r.get("kind") == "alert")
        want_alerts = sorted(alerts)
        ok = len(got_alerts) == len(want_alerts) and all(
            g[:3] == w[:3] and close(w[3], g[3]) and close(w[4], g[4]) for g, w in zip(got_alerts, want_alerts))
        report(ok, f"{name}: alert records exactly in the mature windows where the oracle's value breaks the rule "
               f"({len(want_alerts)}: {', '.join(sorted({a[0] for a in want_alerts}))})",
               f"got {got_alerts}; expected {want_alerts}")
    arms = ("champion", "challenger")
    if running is not None:
        # each running record right after the window compare record of the
        # mature window it follows
        rgot, rbad = [], []
        for i, r in enumerate(recs):
            if r.get("kind") == "compare" and r.get("scope") == "running":
                prev = next((x for x in reversed(recs[:i]) if x.get("kind") != "alert"), {})
                rgot.append(r)
                if prev.get("kind") != "compare" or prev.get("scope") != "window" or prev.get("mature") is not True:
                    rbad.append(f"look {r.get('look')} after {json.dumps(prev)[:150]}")
                else:
                    r["_window"] = parse_rfc3339(prev.get("window_start"))
        spending, horizon = running[0]["spending"], running[0]["horizon"]
        nfinal = sum(e["final"] for e in running)
        report(not rbad and [(g.get("look"), g.get("_window")) for g in rgot]
               == [(e["look"], e["_window"]) for e in running],
               f"{name}: a running record (--horizon {horizon}, {spending}) after each mature window's compare "
               f"record, {len(running)} looks" + (", the last one final, none after it" if nfinal else ""),
               "; ".join(rbad[:3]) + f"; looks after windows {[(g.get('look'), g.get('_window')) for g in rgot]}, "
               f"expected {[(e['look'], e['_window']) for e in running]}")
        rpairs = list(zip(running, rgot))
        group(["scope", "look", "horizon", "spending", "final", "labels", "verdict"]
              + [f"{a}.{k}" for a in arms for k in ("name", "labels", "positives", "negatives", "tp", "fp", "tn",
                                                    "fn")],
              "running: look, horizon, spending, final, labels (every mature window's labeled predictions so far, "
              "up to the horizon), the arms' counts, and the verdict at the look's level", exact=True, pairs=rpairs)
        group(["information", "alpha_spent", "alpha_look"],
              f"running: information = labels/horizon, alpha_spent = the {spending} spending function at it, "
              "alpha_look its increment", pairs=rpairs)
        group([f"{a}.{k}" for a in arms for k in ("precision", "precision_lo", "precision_hi", "recall",
                                                  "recall_lo", "recall_hi", "f1", "accuracy", "accuracy_lo",
                                                  "accuracy_hi", "roc_auc", "roc_auc_se", "roc_auc_lo",
                                                  "roc_auc_hi", "pr_auc", "log_loss", "brier", "ece")]
              + ["challenger_auc_delta", "challenger_auc_delta_se", "challenger_auc_delta_lo",
                 "challenger_auc_delta_hi", "z", "p_value"],
              "running: the arms' metrics, Wilson and DeLong intervals, delta, se, z and p_value over the pooled "
              "sample", pairs=rpairs)
    if not full:
        return recs, got
    group(["kind", "scope", "compare", "test", "labels"] + [f"{a}.{k}" for a in arms for k in
                                                            ("name", "predictions", "labels", "positives",
                                                             "negatives", "tp", "fp", "tn", "fn")],
          "\"scope\":\"window\", compare, test, labels; each arm's name, predictions, labels, positives, "
          "negatives, tp/fp/tn/fn", exact=True)
    group(["alpha"], "alpha is --alpha")
    group([f"{a}.{k}" for a in arms for k in ("precision", "recall", "f1", "accuracy")],
          "each arm's precision/recall/f1/accuracy at 0.5 equal sklearn's")
    group([f"{a}.roc_auc" for a in arms], "each arm's roc_auc equals sklearn roc_auc_score (ties count half)")
    group([f"{a}.pr_auc" for a in arms], "each arm's pr_auc equals sklearn average_precision_score")
    group([f"{a}.{k}" for a in arms for k in ("log_loss", "brier", "ece")],
          "each arm's log_loss, brier and ece equal sklearn log_loss, brier_score_loss and the 10-bin ECE")
    group([f"{a}.{k}_{s}" for a in arms for k in ("precision", "recall", "accuracy") for s in ("lo", "hi")],
          "each arm's precision/recall/accuracy _lo/_hi equal statsmodels proportion_confint(method=\"wilson\") "
          "at 1-alpha")
    group([f"{a}.roc_auc_{k}" for a in arms for k in ("se", "lo", "hi")],
          "each arm's roc_auc_se is sqrt(S10/m + S01/n) of DeLong's V10/V01, lo/hi auc -+ z*se clipped to [0,1]")
    test = want[0]["test"] if want else "?"
    vtitle = "var_A + var_B" if test == "delong_unpaired" else "var_A + var_B - 2 cov_AB (DeLong's paired covariance)"
    group(["challenger_auc_delta"], "challenger_auc_delta = auc_challenger - auc_champion")
    group(["challenger_auc_delta_se", "challenger_auc_delta_lo", "challenger_auc_delta_hi"],
          f"challenger_auc_delta_se = sqrt({vtitle}); _lo/_hi delta -+ z*se")
    group(["z", "p_value"], "z = delta/se and p_value = 2*norm.sf(|z|)")
    group(["verdict"], "verdict: the higher AUC's arm when labels >= --min-labels, both AUCs defined and "
          "p_value < alpha, else \"none\"", exact=True)
    whys = [g.get("why") for _, g in pairs]
    report(pairs and all(isinstance(w, str) and w for w in whys), f"{name}: every compare record says \"why\"",
           str(whys[:3]))
    if bad_cat is not None:
        lines = sorted(r.get("line") for r in rejects if r.get("source") == preds_path)
        cats = {k: int(n) for n, k in re.findall(r"(\d+) bad (\w+)", p.stderr)}
        report(lines == sorted(bad_lines) and cats == {bad_cat: len(bad_lines)},
               f"{name}: the {len(bad_lines)} predictions the comparison cannot place are rejected "
               f"(\"bad {bad_cat}\"), with their lines",
               f"rejected lines {lines} vs {sorted(bad_lines)}; summary {cats}; "
               + "; ".join(f"line {r.get('line')}: {r.get('reason')}" for r in rejects)[:500])
    return recs, got


def metrics_of_all(name, recs, wins, score):
    """The metrics records still cover every prediction of the window, over "score"."""
    got = [r for r in recs if r.get("kind") == "metrics"]
    bad = []
    for w, g in zip(wins, got):
        ev = [(y, score(r)) for r, y in zip(w["rows"], w["y"]) if y is not None]
        y = np.array([a for a, _ in ev], dtype=int)
        s = np.array([b for _, b in ev], dtype=float)
        auc = quiet(roc_auc_score, y, s) if 0 < y.sum() < len(y) else None
        if g.get("predictions") != len(w["rows"]) or not close(auc, g.get("roc_auc")):
            bad.append(f"{w['start']}: predictions {g.get('predictions')} vs {len(w['rows'])}, roc_auc "
                       f"{g.get('roc_auc')} vs {auc}")
    report(len(got) == len(wins) and not bad,
           f"{name}: the metrics records are unchanged: every prediction of the window, over \"score\"",
           "; ".join(bad[:3]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsgroundtruth", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    wd = args.workdir
    if not os.access(args.fsgroundtruth, os.X_OK):
        print("1..1")
        print(f"not ok 1 - {args.fsgroundtruth} is built")
        return

    # the DeLong transcription against a hand-worked case: X = (0.9, 0.5),
    # Y = (0.5, 0.1, 0.3): psi rows (1,1,1), (.5,1,1); theta = 5.5/6; V10 =
    # (1, 2.5/3); V01 = (.75, 1, 1); S10 = 2*(1/12)^2/1 = 1/72, S01 =
    # ((.75-11/12)^2 + 2*(1/12)^2)/2 = (1/36 + 1/72)/2 = 1/48
    th, v10, v01 = delong_components([0.9, 0.5], [0.5, 0.1, 0.3])
    var = delong_s((th, v10, v01), (th, v10, v01))
    report(abs(th - 5.5 / 6) < 1e-15 and abs(var - (1 / 72 / 2 + 1 / 48 / 3)) < 1e-15,
           "oracle: the DeLong transcription gives theta 11/12 and variance S10/m + S01/n = 1/144 + 1/144 "
           "on a case worked by hand", f"theta {th}, var {var}")

    rng = np.random.default_rng(20261114)
    rows = gen_main(rng)
    upath = os.path.join(wd, "ab.ndjson")
    ppath = os.path.join(wd, "shadow.ndjson")
    lpath = os.path.join(wd, "labels.ndjson")
    # predictions the comparison cannot place: an arm not in --arms, none, null
    ubad = [(T0 + 3600, {"tx": "x1", "ts": T0 + 3600, "arm": "canary", "score": 0.4}),
            (T0 + DAY + 7200, {"tx": "x2", "ts": T0 + DAY + 7200, "arm": "canary", "score": 0.9}),
            (T0 + DAY + 9000, {"tx": "x3", "ts": T0 + DAY + 9000, "score": 0.5}),
            (T0 + 2 * DAY + 60, {"tx": "x4", "ts": T0 + 2 * DAY + 60, "arm": None, "score": 0.2}),
            (T0 + 2 * DAY + 120, {"tx": "x5", "ts": T0 + 2 * DAY + 120, "arm": "Champion", "score": 0.2})]
    ubad_lines = write_unpaired(upath, rows, bad=ubad)
    pbad = [(T0 + 3600, {"tx": "y1", "ts": T0 + 3600, "score": 0.4}),
            (T0 + DAY + 7200, {"tx": "y2", "ts": T0 + DAY + 7200, "score": 0.9, "score_x": 0.1}),
            (T0 + 2 * DAY + 60, {"tx": "y3", "ts": T0 + 2 * DAY + 60, "score_shadow": 0.2})]
    pbad_lines = write_paired(ppath, rows, bad=pbad)
    write_labels(lpath, rows)

    scores = [r["a"] for r in rows] + [r["b"] for r in rows]
    ties = len(scores) - len(set(scores))
    nolab = sum(r["y"] is None for r in rows)
    report(ties > 1000 and nolab > 500 and 0.0 in scores and 1.0 in scores,
           f"data: {len(rows)} predictions over 7 days, {sum(r['arm'] == 'b' for r in rows)} on the challenger's "
           f"arm, {ties} tied scores, {nolab} never labelled")

    wins = windows(rows, None)
    wins0 = windows(rows, 0)
    runs = [
        ("unpaired", ["--compare", "arm"], upath, "unpaired", wins, 0.05, 100, ubad_lines, "key"),
        ("unpaired-absent-alpha0.1-min300", ["--compare", "arm", "--absent-label", "0", "--alpha", "0.1",
                                            "--min-labels", "300"], upath, "unpaired", wins0, 0.1, 300,
         ubad_lines, "key"),
        ("paired", ["--compare-scores", "score,score_shadow"], ppath, "paired", wins, 0.05, 100, pbad_lines,
         "label"),
        ("paired-absent-alpha0.1-min300", ["--compare-scores", "score,score_shadow", "--absent-label", "0",
                                          "--alpha", "0.1", "--min-labels", "300"], ppath, "paired", wins0, 0.1,
         300, pbad_lines, "label"),
    ]
    expected = {}
    for name, opts, path, mode, ws, alpha, minl, bl, cat in runs:
        expected[name] = [expected_compare(w, mode, alpha, minl) for w in ws]
    # the data must exercise the rules: every verdict, a window blocked by
    # --min-labels, one where alpha 0.1 decides what 0.05 would not
    allw = [e for v in expected.values() for e in v]
    verdicts = Counter(e["verdict"] for e in allw)
    blocked = sum(e["_blocked"] for e in allw)
    between = sum(e["p_value"] is not None and 0.05 <= e["p_value"] < 0.1 and e["alpha"] == 0.1 and
                  e["labels"] >= 300 for e in allw)
    auc_match = max(abs(e[a]["_comp"][0] - e[a]["roc_auc"]) for e in allw for a in ("champion", "challenger")
                    if e[a]["_comp"])
    report(verdicts["champion"] and verdicts["challenger"] and verdicts["none"] and blocked and between
           and auc_match < 1e-12,
           f"oracle: the expected verdicts include champion ({verdicts['champion']}), challenger "
           f"({verdicts['challenger']}) and none ({verdicts['none']}); {blocked} significant windows blocked by "
           f"--min-labels 300; {between} with 0.05 <= p < 0.1 decided by --alpha 0.1; DeLong's theta equals "
           f"roc_auc_score (within {auc_match:.1e})",
           "p-values: " + "; ".join(f"{k}: {[None if e['p_value'] is None else round(e['p_value'], 4) for e in v]}"
                                    for k, v in expected.items()))

    for name, opts, path, mode, ws, alpha, minl, bl, cat in runs:
        recs, _ = check_run(args, name, opts, path, lpath, expected[name], bad_lines=bl, bad_cat=cat)
        if name in ("unpaired", "paired"):
            metrics_of_all(name, recs, ws, (lambda r: r["a"]) if mode == "paired"
                           else (lambda r: r["b"] if r["arm"] == "b" else r["a"]))

    # --- running comparisons (--horizon): obf ending at the horizon or a
    # verdict, pocock over the A/B split, fixed (no verdict before the
    # horizon), none (alpha at every look) with a horizon never reached
    hruns = [("paired-horizon-obf", ["--compare-scores", "score,score_shadow", "--horizon", "2500"], ppath,
              "paired", wins, 0.05, 2500, "obf"),
             ("unpaired-absent-horizon-pocock", ["--compare", "arm", "--absent-label", "0", "--horizon", "2000",
                                                 "--spending", "pocock"], upath, "unpaired", wins0, 0.05, 2000,
              "pocock"),
             ("paired-horizon-fixed", ["--compare-scores", "score,score_shadow", "--horizon", "2000", "--spending",
                                       "fixed"], ppath, "paired", wins, 0.05, 2000, "fixed"),
             ("unpaired-horizon-none", ["--compare", "arm", "--horizon", "100000", "--spending", "none",
                                        "--alpha", "0.01"], upath, "unpaired", wins, 0.01, 100000, "none")]
    hexp = {}
    for name, opts, path, mode, ws, alpha, h, sp in hruns:
        hexp[name] = expected_running(ws, mode, alpha, 100, h, sp)
    desc = {k: [(e["look"], e["labels"], e["verdict"], e["final"]) for e in v] for k, v in hexp.items()}
    report(any(v[-1]["final"] and v[-1]["verdict"] != "none" and v[-1]["labels"] < v[-1]["horizon"]
               for v in hexp.values())
           and any(v[-1]["final"] and v[-1]["labels"] == v[-1]["horizon"] for v in hexp.values())
           and any(not v[-1]["final"] for v in hexp.values()),
           "oracle: the running comparisons include one ended by a verdict before the horizon, one ended at the "
           "horizon, and one never final", str(desc))
    for name, opts, path, mode, ws, alpha, h, sp in hruns:
        check_run(args, name, opts, path, lpath, [expected_compare(w, mode, alpha, 100) for w in ws],
                  full=False, running=hexp[name])

    # --- alerts over the compare records of mature windows
    ep = expected["paired"]
    md = sorted(e["challenger_auc_delta"] for e in ep if e["mature"] and e["challenger_auc_delta"] is not None)
    k = len(md) // 2
    X = round((md[k - 1] + md[k]) / 2, 6)
    ca = sorted(e["challenger"]["roc_auc"] for e in ep if e["mature"])
    Y = round((ca[-1] + ca[-2]) / 2, 6)
    rules = [f"challenger_auc_delta<{X}", f"challenger_roc_auc>={Y}"]
    want_alerts = []
    for e in ep:
        if not e["mature"]:
            continue
        d, a = e["challenger_auc_delta"], e["challenger"]["roc_auc"]
        if d is not None and d < X:
            want_alerts.append((rules[0], e["window_start"], "challenger_auc_delta", d, X))
        if a is not None and a >= Y:
            want_alerts.append((rules[1], e["window_start"], "challenger_roc_auc", a, Y))
    fired_immature = sum(1 for e in ep if not e["mature"] and e["challenger_auc_delta"] is not None
                         and e["challenger_auc_delta"] < X)
    report(0 < sum(a[0] == rules[0] for a in want_alerts) < len(md) and fired_immature > 0,
           f"oracle: {rules[0]} breaks in {sum(a[0] == rules[0] for a in want_alerts)} of the {len(md)} mature "
           f"windows (and in {fired_immature} not mature, which must not alert)")
    check_run(args, "paired-alert", ["--compare-scores", "score,score_shadow", "--alert", rules[0], "--alert",
                                     rules[1]], ppath, lpath, ep, exit_status=2, alerts=want_alerts, full=False)
    eu = expected["unpaired"]
    check_run(args, "unpaired-alert-none", ["--compare", "arm", "--alert", "p_value<0", "--alert", "labels<1"],
              upath, lpath, eu, exit_status=0, alerts=[], full=False)

    # --- edge cases, unpaired with --arms
    erows = gen_edge_unpaired(np.random.default_rng(5))
    epath, elpath = os.path.join(wd, "edge-ab.ndjson"), os.path.join(wd, "edge-labels.ndjson")
    ebad = [(T0 + 100, {"tx": "z1", "ts": T0 + 100, "arm": "champion", "score": 0.3}),
            (T0 + 200, {"tx": "z2", "ts": T0 + 200, "arm": "challenger", "score": 0.3})]
    ebl = write_unpaired(epath, erows, names=("ctl", "new"), bad=ebad)
    write_labels(elpath, erows)
    ew = windows(erows, None)
    ee = [expected_compare(w, "unpaired", 0.05, 100, names=("ctl", "new")) for w in ew]
    _, got = check_run(args, "edge-unpaired", ["--compare", "arm", "--arms", "ctl,new"], epath, elpath, ee,
                       bad_lines=ebl, bad_cat="key")
    g = {x.get("window_start"): x for x in got}
    d = [g.get(rfc3339(T0 + i * DAY), {}) for i in range(4)]
    nul = ["roc_auc", "roc_auc_se", "roc_auc_lo", "roc_auc_hi", "pr_auc"]
    top = ["challenger_auc_delta", "challenger_auc_delta_se", "challenger_auc_delta_lo", "challenger_auc_delta_hi",
           "z", "p_value"]
    report(all(d[0].get("challenger", {}).get(k, 0) is None for k in nul)
           and all(d[0].get(k, 0) is None for k in top) and d[0].get("verdict") == "none"
           and d[0].get("champion", {}).get("roc_auc") is not None,
           "edge-unpaired: the challenger's labels all 0: its roc_auc (se, lo, hi) and pr_auc null, the delta, se, "
           "CI, z and p_value null, verdict none", json.dumps(d[0])[:600])
    report(d[1].get("challenger", {}).get("positives") == 1 and d[1].get("challenger", {}).get("roc_auc") is not None
           and all(d[1].get("challenger", {}).get(k, 0) is None for k in ("roc_auc_se", "roc_auc_lo", "roc_auc_hi"))
           and d[1].get("challenger_auc_delta") is not None
           and all(d[1].get(k, 0) is None for k in top[1:]) and d[1].get("verdict") == "none",
           "edge-unpaired: one positive in the challenger's arm: its roc_auc defined, se/lo/hi null (m < 2); the "
           "delta defined, its se, CI, z and p_value null, verdict none", json.dumps(d[1])[:600])
    allnull = ["precision", "recall", "f1", "accuracy", "roc_auc", "pr_auc", "log_loss", "brier", "ece",
               "accuracy_lo", "accuracy_hi"]
    report(d[2].get("challenger", {}).get("labels") == 0 and d[2].get("challenger", {}).get("predictions", 0) > 0
           and all(d[2].get("challenger", {}).get(k, 0) is None for k in allnull) and d[2].get("verdict") == "none",
           "edge-unpaired: the challenger's predictions all unlabeled: labels 0, every metric null, verdict none",
           json.dumps(d[2])[:600])
    report(d[3].get("champion", {}).get("predictions") == 0 and d[3].get("champion", {}).get("name") == "ctl"
           and all(d[3].get("champion", {}).get(k, 0) is None for k in allnull) and d[3].get("verdict") == "none",
           "edge-unpaired: no champion predictions in the window: its arm object with predictions 0, every metric "
           "null, verdict none", json.dumps(d[3])[:600])

    # --- edge cases, paired
    qrows = gen_edge_paired(np.random.default_rng(6))
    qpath, qlpath = os.path.join(wd, "edge-shadow.ndjson"), os.path.join(wd, "edge-shadow-labels.ndjson")
    write_paired(qpath, qrows)
    write_labels(qlpath, qrows)
    qw = windows(qrows, None)
    qe = [expected_compare(w, "paired", 0.05, 100) for w in qw]
    _, got = check_run(args, "edge-paired", ["--compare-scores", "score,score_shadow"], qpath, qlpath, qe)
    g = {x.get("window_start"): x for x in got}
    d = [g.get(rfc3339(T0 + i * DAY), {}) for i in range(3)]
    report(d[0].get("challenger_auc_delta") == 0 and d[0].get("challenger_auc_delta_se") == 0
           and d[0].get("z", 0) is None and d[0].get("p_value", 0) is None and d[0].get("verdict") == "none",
           "edge-paired: both scores identical: delta 0, se 0, z and p_value null, verdict none",
           json.dumps({k: d[0].get(k) for k in top + ["verdict", "why"]}))
    report(all(d[1].get(a, {}).get("roc_auc", 0) is None for a in ("champion", "challenger"))
           and all(d[1].get(k, 0) is None for k in top) and d[1].get("verdict") == "none",
           "edge-paired: every label 1: both roc_auc null, delta, se, CI, z, p_value null, verdict none",
           json.dumps(d[1])[:600])
    report(d[2].get("champion", {}).get("positives") == 1 and d[2].get("challenger_auc_delta") is not None
           and all(d[2].get(k, 0) is None for k in top[1:]) and d[2].get("verdict") == "none",
           "edge-paired: one positive: delta defined, its se (no covariance with m < 2), CI, z, p_value null, "
           "verdict none", json.dumps({k: d[2].get(k) for k in top + ["verdict"]}))

    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if detail and not ok:
            for line in str(detail).splitlines():
                print(f"# {line}")


if __name__ == "__main__":
    main()
