#!/usr/bin/python3
"""fsgroundtruth's per-window quality metrics checked against scikit-learn.

Generates seeded predictions (binary scores with ties, exact 0.0 and 1.0;
multiclass rows of 3 probabilities, some one-hot) spread over several days,
and their labels, each file sorted by time as a replay would be: labels
whose time is before their prediction's (their line is read first), labels
within the maturity, exactly at it and one second past it (late), repeated
labels (the last one read counts), predictions never labelled, and labels
for ids no prediction has (unmatched). Binary labels come as 0/1,
true/false, "0"/"1" and "true"/"false"; multiclass ones as class indices or
as names with --classes a,b,c.

The expected windows are computed here from the spec's rules alone: the
two files merged by time (predictions first on a tie), the clock the latest
prediction time, a label counting when t_l <= t_p + maturity (the last one
read), a prediction final when the clock has passed t_p + maturity (then
--absent-label fills it), windows by floor(t / 1d) or every N predictions,
mature when the clock reaches window_end + maturity (or, for N, when full
and all final). Each window's metrics are then sklearn's on its (score,
label) pairs: roc_auc_score, average_precision_score, log_loss,
brier_score_loss, precision/recall/f1/accuracy at the threshold (f1 macro
and log_loss(labels=range(3)) for multiclass); the ECE with
calibration_curve's uniform bins in numpy, and the delays' quartiles with
numpy.percentile; undefined ones null. Every "kind":"metrics" record must
equal them within 1e-9, window by window, with labels from a file and from
a pipe (/dev/fd/N). Prints TAP.
"""
import argparse
import calendar
import fcntl
import json
import os
import re
import subprocess
import threading
import time
import warnings
from collections import Counter, defaultdict

import numpy as np
from sklearn.metrics import (accuracy_score, average_precision_score, brier_score_loss, f1_score,
                             log_loss, precision_score, recall_score, roc_auc_score)

DAY = 86400
T0 = calendar.timegm((2026, 11, 1, 0, 0, 0))
TOL = 1e-9
results = []


def report(ok, name, detail=""):
    results.append((bool(ok), name, detail))


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_rfc3339(s):
    """Seconds since the epoch of an RFC 3339 UTC time (fraction allowed)."""
    if not isinstance(s, str) or not s.endswith("Z"):
        return None
    base, _, frac = s[:-1].partition(".")
    try:
        t = calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return None
    return t + (float("0." + frac) if frac else 0)


# ---------------------------------------------------------------- data

BIN_FORMS = {0: [0, False, "0", "false"], 1: [1, True, "1", "true"]}


def label_times(rng, tp, maturity, win_end, kind):
    """Label times of one prediction for its kind of labelling."""
    if kind == "never":
        return []
    if kind == "late":  # after t_p + maturity, while its window is still open
        room = win_end - tp - 1
        return [tp + maturity + (1 if rng.random() < 0.3 else int(rng.integers(1, room + 1)))]
    if kind == "early":  # before the prediction: its line is read first
        return [tp - int(rng.integers(1, 6 * 3600))]
    if kind == "edge":  # exactly at the maturity: still counts
        return [tp + maturity]
    if kind == "dup":  # 2 or 3 labels, some before the prediction, all in time
        k = int(rng.integers(2, 4))
        return sorted(int(x) for x in tp + rng.integers(-2 * 3600, maturity + 1, k))
    delay = int(min(rng.exponential(maturity / 4), maturity))
    return [tp + delay]


def label_kind(rng, tp, window_end):
    u = rng.random()
    if u < 0.10:
        return "never"
    if u < 0.16:
        return "late" if window_end - tp >= 2 else "never"
    if u < 0.22:
        return "early"
    if u < 0.24:
        return "edge"
    if u < 0.33:
        return "dup"
    return "normal"


def gen_binary(rng, days, per_day, maturity, ghosts=40):
    preds, labels = [], []
    kinds = Counter()
    for d in range(days):
        n = int(per_day + rng.integers(-per_day // 5, per_day // 5 + 1))
        ts = np.sort(rng.integers(0, DAY, n)) + T0 + d * DAY
        truth_p = rng.beta(2, 3, n)
        score = np.clip(truth_p + rng.normal(0, 0.15, n), 0, 1)
        for i in range(n):
            s = round(float(score[i]), 2) if rng.random() < 0.3 else round(float(score[i]), 6)
            u = rng.random()
            if u < 0.01:
                s = 0.0
            elif u < 0.02:
                s = 1.0
            tid = f"t{len(preds)}"
            tp = int(ts[i])
            y = int(rng.random() < truth_p[i])
            preds.append({"id": tid, "t": tp, "score": s})
            kind = label_kind(rng, tp, T0 + (d + 1) * DAY)
            kinds[kind] += 1
            for tl in label_times(rng, tp, maturity, T0 + (d + 1) * DAY, kind):
                v = y if kind != "dup" or rng.random() < 0.6 else 1 - y
                labels.append({"id": tid, "t": tl, "value": v})
    for g in range(ghosts):
        labels.append({"id": f"ghost{g}", "t": T0 + int(rng.integers(0, days * DAY)),
                       "value": int(rng.integers(0, 2))})
    kinds["ghost"] = ghosts
    labels.sort(key=lambda r: r["t"])  # stable: file order = read order on equal times
    return preds, labels, kinds


def gen_multiclass(rng, days, per_day, maturity, ghosts=20):
    preds, labels = [], []
    kinds = Counter()
    for d in range(days):
        n = int(per_day + rng.integers(-per_day // 5, per_day // 5 + 1))
        ts = np.sort(rng.integers(0, DAY, n)) + T0 + d * DAY
        for i in range(n):
            while True:
                p = [round(float(x), 6) for x in rng.dirichlet([1.5, 1.5, 1.5])]
                if rng.random() < 0.03:
                    p = [0.0, 0.0, 0.0]
                    p[int(rng.integers(0, 3))] = 1.0
                if sorted(p)[-1] != sorted(p)[-2]:  # argmax without a tie
                    break
            q = 0.6 * np.array(p) + 0.4 / 3
            y = int(rng.choice(3, p=q / q.sum()))
            tid = f"m{len(preds)}"
            tp = int(ts[i])
            preds.append({"id": tid, "t": tp, "scores": p})
            kind = label_kind(rng, tp, T0 + (d + 1) * DAY)
            kinds[kind] += 1
            for tl in label_times(rng, tp, maturity, T0 + (d + 1) * DAY, kind):
                v = y if kind != "dup" or rng.random() < 0.6 else int(rng.integers(0, 3))
                labels.append({"id": tid, "t": tl, "value": v})
    for g in range(ghosts):
        labels.append({"id": f"ghost{g}", "t": T0 + int(rng.integers(0, days * DAY)),
                       "value": int(rng.integers(0, 3))})
    kinds["ghost"] = ghosts
    labels.sort(key=lambda r: r["t"])
    return preds, labels, kinds


def write_preds(path, preds):
    with open(path, "w") as f:
        for p in preds:
            rec = {"tx": p["id"], "ts": p["t"], "model": "m7"}
            if "score" in p:
                rec["score"] = p["score"]
            else:
                rec["scores"] = p["scores"]
            f.write(json.dumps(rec) + "\n")


def label_lines(labels, rng, form):
    """The labels file's lines; form: 'binary' (mixed spellings), 'index', 'names'."""
    out = []
    for lab in labels:
        v = lab["value"]
        if form == "binary":
            v = BIN_FORMS[v][int(rng.integers(0, 4))]
            ts = lab["t"]
        else:
            v = "abc"[v] if form == "names" else v
            ts = rfc3339(lab["t"])  # RFC 3339 labels against epoch-number predictions
        out.append(json.dumps({"tx": lab["id"], "label": v, "ts": ts}) + "\n")
    return "".join(out)


# ---------------------------------------------------------------- the spec's rules

def simulate(preds, labels, maturity, window, absent):
    """Windows as the spec defines them. window: ('time', seconds) or ('count', n).
    Returns (windows in order, rejects) where each window is a dict of its
    predictions' outcomes."""
    mode, size = window
    byid = {}
    waiting = defaultdict(list)
    wcount, wmaxt = Counter(), {}
    late, dups = Counter(), Counter()
    late_lines, gone_lines = [], []
    clock = None

    def written(w):
        if mode == "time":
            return clock >= (w + 1) * size + maturity
        return wcount[w] == size and clock > wmaxt[w] + maturity

    def attach(p, lab):
        if lab["t"] <= p["t"] + maturity:
            if p["label"] is not None:
                dups[p["w"]] += 1
            p["label"], p["lt"] = lab["value"], lab["t"]
        else:
            late[p["w"]] += 1
            late_lines.append(lab["line"])

    i = j = 0
    order = []
    while i < len(preds) or j < len(labels):
        if j >= len(labels) or (i < len(preds) and preds[i]["t"] <= labels[j]["t"]):
            p = dict(preds[i], label=None, lt=None, idx=i)
            i += 1
            clock = p["t"] if clock is None else max(clock, p["t"])
            p["w"] = p["t"] // size if mode == "time" else p["idx"] // size
            wcount[p["w"]] += 1
            wmaxt[p["w"]] = max(wmaxt.get(p["w"], p["t"]), p["t"])
            byid[p["id"]] = p
            order.append(p)
            for lab in waiting.pop(p["id"], []):
                attach(p, lab)
        else:
            lab = dict(labels[j], line=j + 1)
            j += 1
            p = byid.get(lab["id"])
            if p is None:
                waiting[lab["id"]].append(lab)
            elif written(p["w"]):
                gone_lines.append(lab["line"])  # its window is out: it cannot count any more
            else:
                attach(p, lab)
    unmatched_lines = sorted(lab["line"] for labs in waiting.values() for lab in labs)
    wins = []
    for w in sorted(set(p["w"] for p in order)):
        ps = [p for p in order if p["w"] == w]
        for p in ps:
            p["final"] = clock > p["t"] + maturity
            if p["label"] is not None:
                p["status"] = "labeled"
            elif p["final"] and absent is not None:
                p["status"], p["label"] = "absent", absent
            else:
                p["status"] = "unlabeled"
        rec = {"w": w, "preds": ps, "mature": written(w), "dups": dups[w], "late": late[w]}
        if mode == "time":
            rec["start"], rec["end"] = w * size, (w + 1) * size
        else:
            rec["start"], rec["end"] = min(p["t"] for p in ps), max(p["t"] for p in ps)
        wins.append(rec)
    return wins, {"late_lines": late_lines, "unmatched_lines": unmatched_lines, "gone_lines": gone_lines}


def ece(y, s):
    edges = np.linspace(0, 1, 11)
    b = np.searchsorted(edges[1:-1], s)
    total = 0.0
    for k in range(10):
        m = b == k
        if m.any():
            total += m.sum() / len(s) * abs(y[m].mean() - s[m].mean())
    return float(total)


def quiet(f, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(f(*a, **k))


def expected_binary(win, threshold, mode):
    ps = win["preds"]
    ev = [p for p in ps if p["status"] != "unlabeled"]
    lab = [p for p in ps if p["status"] == "labeled"]
    y = np.array([p["label"] for p in ev], dtype=int)
    s = np.array([p["score"] for p in ev], dtype=float)
    pred = (s >= threshold).astype(int)
    n = len(ev)
    tp, fp = int(((pred == 1) & (y == 1)).sum()), int(((pred == 1) & (y == 0)).sum())
    tn, fn = int(((pred == 0) & (y == 0)).sum()), int(((pred == 0) & (y == 1)).sum())
    e = header(win, mode)
    e.update({"positives": int((y == 1).sum()), "negatives": int((y == 0).sum()), "threshold": threshold,
              "tp": tp, "fp": fp, "tn": tn, "fn": fn})
    both = n and 0 < y.sum() < n
    e["precision"] = quiet(precision_score, y, pred) if tp + fp else None
    e["recall"] = quiet(recall_score, y, pred) if tp + fn else None
    e["f1"] = quiet(f1_score, y, pred) if 2 * tp + fp + fn else None
    e["accuracy"] = quiet(accuracy_score, y, pred) if n else None
    e["roc_auc"] = quiet(roc_auc_score, y, s) if both else None
    e["pr_auc"] = quiet(average_precision_score, y, s) if n and y.sum() else None
    e["log_loss"] = quiet(log_loss, y, s, labels=[0, 1]) if n else None
    e["brier"] = quiet(brier_score_loss, y, s) if n else None
    e["ece"] = ece(y, s) if n else None
    delays(e, lab)
    return e


def expected_multiclass(win, mode):
    ps = win["preds"]
    ev = [p for p in ps if p["status"] != "unlabeled"]
    lab = [p for p in ps if p["status"] == "labeled"]
    y = np.array([p["label"] for p in ev], dtype=int)
    P = np.array([p["scores"] for p in ev], dtype=float).reshape(-1, 3)
    pred = P.argmax(axis=1)
    n = len(ev)
    e = header(win, mode)
    e["accuracy"] = quiet(accuracy_score, y, pred) if n else None
    e["f1_macro"] = quiet(f1_score, y, pred, average="macro") if n else None
    e["log_loss"] = quiet(log_loss, y, P, labels=[0, 1, 2]) if n else None
    delays(e, lab)
    return e


def header(win, mode):
    ps = win["preds"]
    st = Counter(p["status"] for p in ps)
    e = {"window_start": rfc3339(win["start"]), "window_end": rfc3339(win["end"]), "mature": win["mature"],
         "predictions": len(ps), "labeled": st["labeled"], "absent": st["absent"], "unlabeled": st["unlabeled"],
         "labeled_share": st["labeled"] / len(ps), "duplicate_labels": win["dups"], "late_labels": win["late"]}
    if mode == "count":
        e["window"] = win["w"]
    return e


def delays(e, lab):
    if lab:
        d = np.array([p["lt"] - p["t"] for p in lab], dtype=float)
        e["delay_p50"], e["delay_p95"] = (float(x) for x in np.percentile(d, [50, 95]))
    else:
        e["delay_p50"] = e["delay_p95"] = None


# ---------------------------------------------------------------- running and comparing

def run_tool(args, name, opts, preds_path, labels_text, via="file"):
    """Runs fsgroundtruth; labels from a file, or from a pipe filled before
    the start (via='pipe', so that a line is always ready, as from a file)."""
    errs = os.path.join(args.workdir, name + ".errors")
    argv = [args.fsgroundtruth, "--id", "tx", "--errors", errs, *opts]
    if via == "file":
        lpath = os.path.join(args.workdir, name + ".labels.ndjson")
        with open(lpath, "w") as f:
            f.write(labels_text)
        p = subprocess.run([*argv, "--labels", lpath, preds_path], capture_output=True, text=True, timeout=60)
    else:
        lpath = None
        data = labels_text.encode()
        r, w = os.pipe()
        try:
            fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ
        except OSError:
            pass
        writer = None
        size = fcntl.fcntl(w, 1032)  # F_GETPIPE_SZ
        if len(data) <= size:
            os.write(w, data)
            os.close(w)
        else:  # too big to fill first: a writer alongside (timing may differ)
            def feed():
                with os.fdopen(w, "wb") as f:
                    f.write(data)
            writer = threading.Thread(target=feed)
            writer.start()
        try:
            p = subprocess.run([*argv, "--labels", f"/dev/fd/{r}", preds_path], capture_output=True, text=True,
                               timeout=60, pass_fds=(r,))
        finally:
            os.close(r)
            if writer:
                writer.join()
    rejects = []
    if os.path.exists(errs):
        with open(errs) as f:
            for line in f:
                try:
                    rejects.append(json.loads(line))
                except ValueError:
                    rejects.append({"reason": "unparsable: " + line.strip()})
    recs = []
    bad_lines = []
    for line in p.stdout.splitlines():
        try:
            recs.append(json.loads(line))
        except ValueError:
            bad_lines.append(line)
    return p, recs, rejects, lpath, bad_lines


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(b, bool) or not isinstance(b, (int, float)):
        return False
    return abs(a - b) <= TOL * max(1.0, abs(a))


COUNTS_BIN = ["predictions", "labeled", "absent", "unlabeled", "positives", "negatives", "tp", "fp", "tn", "fn",
              "duplicate_labels", "late_labels"]
COUNTS_MC = ["predictions", "labeled", "absent", "unlabeled", "duplicate_labels", "late_labels"]


def check_run(args, name, opts, preds, labels_text, exp_wins, rejects_exp, kind, threshold=0.5, mode="time",
              via="file", preds_path=None):
    p, recs, rejects, lpath, bad_lines = run_tool(args, name, opts, preds_path, labels_text, via)
    report(p.returncode == 0 and not bad_lines,
           f"{name}: exits 0 and writes NDJSON ({' '.join(opts)}{', labels on a pipe' if via == 'pipe' else ''})",
           f"exit {p.returncode}; {p.stderr.strip()[-400:]}; {bad_lines[:2]}")
    got = [r for r in recs if r.get("kind") == "metrics"]
    want = [expected_binary(w, threshold, mode) if kind == "binary" else expected_multiclass(w, mode)
            for w in exp_wins]
    keyf = (lambda r: r.get("window")) if mode == "count" else (lambda r: parse_rfc3339(r.get("window_start")))
    wkeys = [w["w"] if mode == "count" else w["start"] for w in exp_wins]
    gkeys = [keyf(r) for r in got]
    ok = gkeys == wkeys
    detail = [f"windows {gkeys} vs expected {wkeys}"] if not ok else []
    pairs = []
    for k, e in zip(wkeys, want):
        g = next((r for r in got if keyf(r) == k), None)
        if g is None:
            continue
        pairs.append((e, g))
        if g.get("mature") is not e["mature"] or parse_rfc3339(g.get("window_start")) != parse_rfc3339(
                e["window_start"]) or parse_rfc3339(g.get("window_end")) != parse_rfc3339(e["window_end"]):
            ok = False
            detail.append(f"window {e['window_start']}: mature {g.get('mature')} vs {e['mature']}, "
                          f"{g.get('window_start')} .. {g.get('window_end')} vs "
                          f"{e['window_start']} .. {e['window_end']}")
    nmature = sum(e["mature"] for e in want)
    report(ok, f"{name}: {len(wkeys)} metrics records, in order, {nmature} mature, the rest \"mature\":false",
           "; ".join(detail[:4]))

    def group(fields, title, exact=False):
        bad = []
        worst = 0.0
        for e, g in pairs:
            for f in fields:
                ev, gv = e[f], g.get(f, "missing")
                if exact:
                    good = gv == ev and type(gv) is type(ev)
                else:
                    good = close(ev, gv)
                    if good and ev is not None:
                        worst = max(worst, abs(ev - gv))
                if not good:
                    bad.append(f"{e['window_start']}{' #%s' % e['window'] if mode == 'count' else ''} "
                               f"{f}: got {gv}, expected {ev}")
        defined = sum(e[f] is not None for e, _ in pairs for f in fields)
        nulls = sum(e[f] is None for e, _ in pairs for f in fields)
        report(not bad and pairs, f"{name}: {title} ({defined} values" + (f", {nulls} null" if nulls else "")
               + ("" if exact else f", largest difference {worst:.1e}") + ")", "; ".join(bad[:4]))

    if kind == "binary":
        group(COUNTS_BIN + ["threshold"], "counts: predictions, labeled, absent, unlabeled, positives, tp/fp/tn/fn, "
              "duplicate and late labels", exact=True)
        group(["labeled_share"], "labeled_share = labeled/predictions")
        group(["precision", "recall", "f1", "accuracy"],
              f"precision/recall/f1/accuracy at {threshold} equal sklearn's")
        group(["roc_auc"], "roc_auc equals sklearn roc_auc_score (tied scores)")
        group(["pr_auc"], "pr_auc equals sklearn average_precision_score")
        group(["log_loss"], "log_loss equals sklearn log_loss (scores 0.0 and 1.0 clipped)")
        group(["brier"], "brier equals sklearn brier_score_loss")
        group(["ece"], "ece equals calibration_curve's 10 uniform bins")
    else:
        group(COUNTS_MC, "counts: predictions, labeled, absent, unlabeled, duplicate and late labels", exact=True)
        group(["labeled_share"], "labeled_share = labeled/predictions")
        group(["accuracy"], "accuracy equals sklearn accuracy_score of the argmax")
        group(["f1_macro"], "f1_macro equals sklearn f1_score(average=\"macro\")")
        group(["log_loss"], "log_loss equals sklearn log_loss(labels=[0, 1, 2]) (one-hot rows clipped)")
        stray = sorted({f for _, g in pairs for f in ("positives", "threshold", "tp", "fp", "tn", "fn", "roc_auc")
                        if f in g})
        report(not stray, f"{name}: multiclass records carry no binary fields", f"found {stray}")
    group(["delay_p50", "delay_p95"], "delay_p50/p95 equal numpy.percentile of t_l - t_p")

    # the rejected labels: late ones, and those no prediction claimed; the
    # JSON records name the labels' lines, the summary on stderr the reasons
    lines = sorted(r.get("line") for r in rejects if via == "pipe" or r.get("source") == lpath)
    cats = {k: int(n) for n, k in re.findall(r"(\d+) (too late|unmatched)", p.stderr)}
    late_n, unm_n = len(rejects_exp["late_lines"]), len(rejects_exp["unmatched_lines"])
    want_lines = sorted(rejects_exp["late_lines"] + rejects_exp["unmatched_lines"] + rejects_exp["gone_lines"])
    ok = lines == want_lines and len(rejects) == len(want_lines)
    if rejects_exp["gone_lines"]:
        # a late label for a prediction whose window is out: "too late" or
        # "unmatched", the spec does not say
        ok = ok and sum(cats.values()) == len(want_lines)
        title = f"{len(want_lines)} labels rejected as too late or unmatched, with their line numbers"
    else:
        ok = ok and cats == ({"too late": late_n} if late_n else {}) | ({"unmatched": unm_n} if unm_n else {})
        title = f"{late_n} labels rejected as too late, {unm_n} as unmatched, with their line numbers"
    extra = sorted(set(lines) - set(want_lines))[:5]
    missing = sorted(set(want_lines) - set(lines))[:5]
    report(ok, f"{name}: {title}",
           f"summary counts {cats}; {len(rejects)} rejected lines, expected {len(want_lines)}; "
           f"unexpected lines {extra}, missing lines {missing}; "
           + "; ".join(f"line {r.get('line')}: {r.get('reason')}" for r in rejects
                       if r.get("line") in extra)[:600])
    return recs


def check_undefined_in_sklearn():
    """sklearn itself has no value where the spec says null."""
    y = np.zeros(20, dtype=int)
    s = np.linspace(0.05, 0.45, 20)
    raised = False
    try:
        roc_auc_score(y, s)
    except ValueError:
        raised = True
    with warnings.catch_warnings(record=True) as w1:
        warnings.simplefilter("always")
        ap = average_precision_score(y, s)
    with warnings.catch_warnings(record=True) as w2:
        warnings.simplefilter("always")
        pr = precision_score(y, s >= 0.5)
    report(raised and w1 and w2 and ap == 0 and pr == 0,
           "sklearn: with only negatives roc_auc_score raises, average_precision_score and precision_score "
           "(nothing predicted positive) warn and return 0: fsgroundtruth must write null there",
           f"raised {raised}, ap {ap} ({len(w1)} warnings), precision {pr} "
           f"({[str(x.category.__name__) for x in w2]})")


def gen_undefined(rng):
    """Day 0: only negatives, nothing predicted positive. Day 1: no labels at
    all. Day 2: both classes, nothing predicted positive. Days 3-4: ordinary,
    moving the clock past day 2's maturity (1d)."""
    preds, labels = [], []
    for d, n in enumerate((40, 30, 30, 50, 50)):
        ts = np.sort(rng.integers(0, DAY - 3600, n)) + T0 + d * DAY
        for i in range(n):
            tid = f"u{len(preds)}"
            tp = int(ts[i])
            if d in (0, 2):
                s = round(float(rng.uniform(0.01, 0.49)), 3)
            else:
                s = round(float(rng.uniform(0, 1)), 3)
            preds.append({"id": tid, "t": tp, "score": s})
            if d == 1:
                continue
            y = 0 if d == 0 else int(rng.random() < (0.3 if d == 2 else s))
            labels.append({"id": tid, "t": tp + int(rng.integers(0, 20 * 3600)), "value": y})
    labels.sort(key=lambda r: r["t"])
    return preds, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsgroundtruth", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    if not os.access(args.fsgroundtruth, os.X_OK):
        print("1..1")
        print(f"not ok 1 - {args.fsgroundtruth} is built")
        return

    # --- binary: 8 days, 1d windows, maturity 3d
    M = 3 * DAY
    rng = np.random.default_rng(20261101)
    preds, labels, kinds = gen_binary(rng, 8, 700, M)
    ppath = os.path.join(args.workdir, "predictions.ndjson")
    write_preds(ppath, preds)
    ltext = label_lines(labels, np.random.default_rng(7), "binary")
    scores = [p["score"] for p in preds]
    ties = len(scores) - len(set(scores))
    tp_of = {p["id"]: p["t"] for p in preds}
    early = sum(1 for lab in labels if lab["id"] in tp_of and lab["t"] < tp_of[lab["id"]])
    late = sum(1 for lab in labels if lab["id"] in tp_of and lab["t"] > tp_of[lab["id"]] + M)
    report(ties > 100 and 0.0 in scores and 1.0 in scores and early > 50 and late > 50 and kinds["dup"] > 50
           and kinds["never"] > 50 and kinds["edge"] > 10,
           f"binary data: {len(preds)} predictions over 8 days, {len(labels)} labels: {ties} tied scores, "
           f"{scores.count(0.0)} scores 0.0 and {scores.count(1.0)} 1.0, {early} labels before their prediction, "
           f"{kinds['dup']} predictions labelled 2-3 times, {late} late labels, {kinds['edge']} exactly at the "
           f"maturity, {kinds['never']} never labelled, {kinds['ghost']} for no prediction")

    common = ["--maturity", "3d", "--window", "1d"]
    wins, rej = simulate(preds, labels, M, ("time", DAY), None)
    check_run(args, "binary", common, preds, ltext, wins, rej, "binary", preds_path=ppath)
    wins, rej = simulate(preds, labels, M, ("time", DAY), 0)
    check_run(args, "binary-absent", common + ["--absent-label", "0"], preds, ltext, wins, rej, "binary",
              preds_path=ppath)
    check_run(args, "binary-absent-pipe", common + ["--absent-label", "0"], preds, ltext, wins, rej, "binary",
              via="pipe", preds_path=ppath)
    wins, rej = simulate(preds, labels, M, ("count", 500), 0)
    check_run(args, "binary-count", ["--maturity", "3d", "--window", "500", "--absent-label", "0",
                                     "--threshold", "0.3"],
              preds, ltext, wins, rej, "binary", threshold=0.3, mode="count", preds_path=ppath)

    # --- undefined metrics
    check_undefined_in_sklearn()
    upreds, ulabels = gen_undefined(np.random.default_rng(99))
    upath = os.path.join(args.workdir, "undefined.ndjson")
    write_preds(upath, upreds)
    utext = label_lines(ulabels, np.random.default_rng(8), "binary")
    for absent in (None, 0):
        name = "undefined" + ("-absent" if absent is not None else "")
        opts = ["--maturity", "1d"] + (["--absent-label", "0"] if absent is not None else [])
        wins, rej = simulate(upreds, ulabels, DAY, ("time", DAY), absent)
        recs = check_run(args, name, opts, upreds, utext, wins, rej, "binary", preds_path=upath)
        got = {parse_rfc3339(r.get("window_start")): r for r in recs if r.get("kind") == "metrics"}
        d0, d1, d2 = (got.get(T0 + d * DAY, {}) for d in range(3))
        names = ["precision", "recall", "f1", "roc_auc", "pr_auc"]
        report(all(k in d0 and d0[k] is None for k in names) and d0.get("accuracy") == 1,
               f"{name}: a window with only negatives, none predicted positive: {', '.join(names)} null, accuracy 1",
               json.dumps(d0))
        report("precision" in d2 and d2["precision"] is None and d2.get("recall") == 0 and d2.get("f1") == 0,
               f"{name}: nothing predicted positive among both classes: precision null, recall and f1 0",
               json.dumps(d2))
        if absent is None:
            allm = ["precision", "recall", "f1", "accuracy", "roc_auc", "pr_auc", "log_loss", "brier", "ece",
                    "delay_p50", "delay_p95"]
            report(all(k in d1 and d1[k] is None for k in allm) and d1.get("unlabeled") == 30,
                   f"{name}: a window with nothing labelled: every metric null", json.dumps(d1))
        else:
            report(d1.get("absent") == 30 and d1.get("delay_p50", 0) is None and d1.get("roc_auc", 0) is None
                   and d1.get("accuracy") is not None,
                   f"{name}: a window all absent: 30 absent, delays and roc_auc null, accuracy defined",
                   json.dumps(d1))

    # --- multiclass: 5 days, maturity 2d
    M2 = 2 * DAY
    mpreds, mlabels, mkinds = gen_multiclass(np.random.default_rng(31337), 5, 600, M2)
    mpath = os.path.join(args.workdir, "multiclass.ndjson")
    write_preds(mpath, mpreds)
    onehot = sum(1 for p in mpreds if 1.0 in p["scores"])
    report(onehot > 20 and mkinds["dup"] > 20 and mkinds["late"] > 20,
           f"multiclass data: {len(mpreds)} predictions over 5 days, {onehot} one-hot rows, "
           f"{mkinds['dup']} labelled 2-3 times, {mkinds['late']} late, {mkinds['never']} never labelled")
    wins, rej = simulate(mpreds, mlabels, M2, ("time", DAY), None)
    check_run(args, "multiclass", ["--maturity", "2d"], mpreds, label_lines(mlabels, None, "index"), wins, rej,
              "multiclass", preds_path=mpath)
    wins, rej = simulate(mpreds, mlabels, M2, ("time", DAY), 1)
    check_run(args, "multiclass-names", ["--maturity", "2d", "--classes", "a,b,c", "--absent-label", "b"],
              mpreds, label_lines(mlabels, None, "names"), wins, rej, "multiclass", preds_path=mpath)

    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if detail and not ok:
            for line in str(detail).splitlines():
                print(f"# {line}")


if __name__ == "__main__":
    main()
