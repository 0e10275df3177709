#!/usr/bin/python3
"""fsscore --learn checked against direct transcriptions of its algorithms.

FTRL-Proximal is transcribed here from McMahan et al. 2013 ("Ad Click
Prediction: a View from the Trenches"), Algorithm 1, coordinate by
coordinate:

    w_i = 0                                          if |z_i| <= l1
        = -(z_i - sgn(z_i) l1) / ((beta + sqrt(n_i)) / alpha + l2)   otherwise
    p   = sigmoid(x . w)
    g_i = (p - y) x_i
    sigma_i = (sqrt(n_i + g_i^2) - sqrt(n_i)) / alpha
    z_i += g_i - sigma_i w_i
    n_i += g_i^2

with fsscore's documented additions: an intercept whose input is always 1,
the gradient's L2 norm capped at --clip, the inverse rate (beta + sqrt(n)) /
alpha capped at 1 / --min-rate. AdaGrad and SGD (invsqrt and constant) are
transcribed the same way, and squared loss with the identity link. Hashed
string fields use scikit-learn's murmurhash3_32 of "NAME=VALUE", an
independent implementation of the hash.

Cases: every event's score and the saved weights equal the transcription
within 1e-9, over streams with missing, null and string-number features,
hashed strings, integers and booleans, a 4-bit table where fields collide,
and labels as 0/1, true/false, null and absent; a saved model, served by a
plain fsscore, scores the next event exactly as the learner did; a run
continued from its save equals one run. On a stream with a known logistic
truth the weights approach it; when the truth changes half-way, progressive
log loss recovers within a stated number of examples. On the demo stream
(fsfeat's features of generated card transactions, labels from a hidden
rule) progressive log loss is compared with scikit-learn's
SGDClassifier.partial_fit fed the same examples one at a time. Prints TAP.
"""
import argparse
import json
import math
import os
import subprocess
import sys

import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.utils import murmurhash3_32

TOL = 1e-9
results = []


def report(ok, name, detail=""):
    results.append((bool(ok), name, detail))


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def text(v):
    """The text a hashed field's value is hashed as (fsscore(1))."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return v


def number(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return float(v)
    return float(v)


class Learner:
    """A transcription of fsscore --learn's update rules."""

    def __init__(self, algo="ftrl", alpha=0.1, beta=1.0, l1=0.0, l2=0.0, min_rate=0.0, clip=0.0,
                 bits=18, squared=False, invsqrt=True, center=None, scale=None):
        self.algo, self.alpha, self.beta, self.l1, self.l2 = algo, alpha, beta, l1, l2
        self.min_rate, self.clip, self.bits, self.squared, self.invsqrt = min_rate, clip, bits, squared, invsqrt
        self.center, self.scale = center or {}, scale or {}
        self.z, self.n, self.w = {}, {}, {}
        self.t = 0

    def inv_rate(self, n):
        r = (self.beta + math.sqrt(n)) / self.alpha
        if self.min_rate > 0:
            r = min(r, 1 / self.min_rate)
        return r

    def weight(self, i):
        if self.algo != "ftrl":
            return self.w.get(i, 0.0)
        z, n = self.z.get(i, 0.0), self.n.get(i, 0.0)
        if abs(z) <= self.l1:
            return 0.0
        return -(z - math.copysign(1, z) * self.l1) / (self.inv_rate(n) + self.l2)

    def inputs(self, e, names, hashed):
        """Numeric features from the event's "features", hashed fields from the event itself."""
        feats = e.get("features", {})
        x = {("b",): 1.0}
        for name in names:
            v = number(feats.get(name))
            c = self.center.get(name, 0.0)
            v = c if v is None else v
            v = (v - c) / self.scale.get(name, 1.0)
            if v != 0:
                x[("f", name)] = v
        for name in hashed:
            v = e.get(name)
            if v is None:
                continue
            b = murmurhash3_32(f"{name}={text(v)}", seed=0, positive=True) % (1 << self.bits)
            x[("h", b)] = x.get(("h", b), 0.0) + 1
        return x

    def predict(self, x):
        m = sum(self.weight(i) * v for i, v in x.items())
        return m if self.squared else sigmoid(m)

    def update(self, x, p, y):
        g = {i: (p - y) * v for i, v in x.items()}
        norm = math.sqrt(sum(v * v for v in g.values()))
        if self.clip > 0 and norm > self.clip:
            g = {i: v * self.clip / norm for i, v in g.items()}
        self.t += 1
        for i, gi in g.items():
            if self.algo == "ftrl":
                w = self.weight(i)
                n = self.n.get(i, 0.0)
                sigma = self.inv_rate(n + gi * gi) - self.inv_rate(n)
                self.z[i] = self.z.get(i, 0.0) + gi - sigma * w
                self.n[i] = n + gi * gi
                continue
            if self.algo == "adagrad":
                self.n[i] = self.n.get(i, 0.0) + gi * gi
                eta = 1 / self.inv_rate(self.n[i])
            else:
                eta = self.alpha / math.sqrt(self.t) if self.invsqrt else self.alpha
                eta = max(eta, self.min_rate)
            w = self.w.get(i, 0.0)
            w -= eta * (gi + self.l2 * w)
            t = eta * self.l1
            self.w[i] = w - t if w > t else w + t if w < -t else 0.0


def run(fsscore, args, inp, check=True):
    p = subprocess.run([fsscore] + args, input=inp, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f"fsscore {' '.join(args)}: exit {p.returncode}: {p.stderr[-2000:]}")
    return p


def label_of(e):
    y = e.get("y")
    if y is None:
        return None
    return float(y)


def transcribe(events, learner, names, hashed):
    """The scores of every event and the final learner."""
    scores = []
    for e in events:
        x = learner.inputs(e, names, hashed)
        p = learner.predict(x)
        scores.append(p)
        y = label_of(e)
        if y is not None:
            learner.update(x, p, y)
    return scores


def gen_stream(rng, n, squared=False):
    """Events with awkward features and labels."""
    colors = ["red", "green", "blue", "cyan", "magenta"]
    out = []
    for i in range(n):
        f = {}
        a = rng.normal()
        f["a"] = None if i % 17 == 3 else round(float(a), 6)
        if i % 13 != 5:
            f["b"] = float(rng.normal(3, 2))
        f["c"] = str(round(float(rng.normal()), 3)) if i % 7 == 0 else float(rng.exponential())
        f["flag"] = bool(rng.random() < 0.3)
        e = {"id": i, "features": f}
        e["color"] = colors[int(rng.integers(len(colors)))] if i % 11 != 0 else None
        e["shop"] = int(rng.integers(0, 40)) if i % 5 else "s%d" % int(rng.integers(0, 40))
        if i % 19 == 0:
            e["ok"] = True if i % 2 else False
        z = 0.8 * (a) - 0.3 * f.get("b", 3) + (1.0 if e["color"] == "red" else 0.0)
        if squared:
            e["y"] = z + float(rng.normal(0, 0.1))
        else:
            y = int(rng.random() < sigmoid(z))
            r = i % 10
            if r == 0:
                e["y"] = None
            elif r == 1:
                pass                        # absent: scored, not learned from
            elif r == 2:
                e["y"] = bool(y)
            else:
                e["y"] = y
        out.append(e)
    return out


NAMES = ["a", "b", "c", "flag"]
HASHED = ["color", "shop", "ok"]


def opts(o):
    args = []
    for k, v in o.items():
        args += [f"--{k}", str(v)]
    return args


def kwargs(o):
    m = {"hash-bits": "bits", "min-rate": "min_rate", "algorithm": "algo"}
    kw = {}
    for k, v in o.items():
        if k == "schedule":
            kw["invsqrt"] = v == "invsqrt"
        elif k == "loss":
            kw["squared"] = v == "squared"
        else:
            kw[m.get(k, k)] = v
    return kw


def scores_of(stdout):
    return [json.loads(l)["score"] for l in stdout.splitlines()]


def case_transcription(fsscore, work, rng):
    stream = gen_stream(rng, 3000)
    sq = gen_stream(rng, 2000, squared=True)
    inp = "".join(json.dumps(e) + "\n" for e in stream)
    sqinp = "".join(json.dumps(e) + "\n" for e in sq)
    cases = [
        ("ftrl, defaults", {}, inp, stream),
        ("ftrl, l1 0.5, l2 1, alpha 0.05, beta 0.5, 4 hash bits (fields collide)",
         {"l1": 0.5, "l2": 1.0, "alpha": 0.05, "beta": 0.5, "hash-bits": 4}, inp, stream),
        ("ftrl, --clip 0.3 and --min-rate 0.02", {"clip": 0.3, "min-rate": 0.02}, inp, stream),
        ("adagrad, l1 0.01, l2 0.1", {"algorithm": "adagrad", "l1": 0.01, "l2": 0.1}, inp, stream),
        ("sgd, alpha/sqrt(t), l2 0.01", {"algorithm": "sgd", "l2": 0.01}, inp, stream),
        ("sgd, constant 0.01, --min-rate ignored above it, clip 1",
         {"algorithm": "sgd", "schedule": "constant", "alpha": 0.01, "clip": 1.0}, inp, stream),
        ("ftrl, squared loss", {"loss": "squared", "alpha": 0.05}, sqinp, sq),
        ("sgd, squared loss", {"loss": "squared", "algorithm": "sgd", "alpha": 0.01}, sqinp, sq),
    ]
    for name, o, text_in, events in cases:
        save = os.path.join(work, "t.json")
        p = run(fsscore, ["--learn", "-q", "--label", "y", "--features", ",".join(NAMES), "--hash",
                          ",".join(HASHED), "--save", save] + opts(o), text_in)
        got = scores_of(p.stdout)
        want_l = Learner(**kwargs(o))
        want = transcribe(events, want_l, NAMES, HASHED)
        worst = max(abs(a - b) for a, b in zip(got, want)) if len(got) == len(want) else math.inf
        report(len(got) == len(want) and worst <= TOL,
               f"{name}: every score equals the transcription within 1e-9",
               f"{len(got)} of {len(want)} events, largest difference {worst:.3g}")
        m = json.load(open(save))
        diffs = [abs(m["intercept"] - want_l.weight(("b",)))]
        diffs += [abs(m["weights"][k] - want_l.weight(("f", k))) for k in NAMES]
        hw = {int(k): v for k, v in m["hashed"]["weights"].items()}
        keys = {i[1] for i in list(want_l.z) + list(want_l.w) if i[0] == "h"} | set(hw)
        diffs += [abs(hw.get(b, 0.0) - want_l.weight(("h", b))) for b in keys]
        report(max(diffs) <= TOL and m["learning"]["examples"] == want_l.t,
               f"{name}: the saved weights equal the transcription's within 1e-9",
               f"largest difference {max(diffs):.3g}, examples {m['learning']['examples']} vs {want_l.t}")


def case_serving_and_resume(fsscore, work, rng):
    stream = gen_stream(rng, 1200)
    lines = [json.dumps(e) + "\n" for e in stream]
    base = ["--learn", "-q", "--label", "y", "--features", ",".join(NAMES), "--hash", ",".join(HASHED)]
    whole = run(fsscore, base, "".join(lines)).stdout.splitlines()
    exact = 0
    ks = [1, 57, 300, 811, 1199]
    for k in ks:
        save = os.path.join(work, f"s{k}.json")
        run(fsscore, base + ["--save", save], "".join(lines[:k]))
        served = run(fsscore, ["--model", save], lines[k]).stdout
        exact += json.loads(served)["score"] == json.loads(whole[k])["score"]
    report(exact == len(ks), "a saved model served by plain fsscore scores the next event bit for "
           "bit as the learner did", f"{exact} of {len(ks)} cut points")
    save = os.path.join(work, "r.json")
    first = run(fsscore, base + ["--save", save], "".join(lines[:600])).stdout.splitlines()
    second = run(fsscore, ["--learn", "-q", "--label", "y", "--model", save, "--save", save],
                 "".join(lines[600:])).stdout.splitlines()
    strip = lambda ls: [json.loads(l)["score"] for l in ls]
    report(strip(first + second) == strip(whole), "a run continued with --model from its save "
           "equals one run, score for score")
    # centring and scaling from the start model stay, and apply as serving applies them
    tmpl = os.path.join(work, "tmpl.json")
    json.dump({"format": "fstools-linear", "version": 1, "link": "logistic", "intercept": 0,
               "weights": {"a": 0, "b": 0, "c": 0}, "center": {"b": 3}, "scale": {"b": 2, "c": 0.5},
               "hashed": {"bits": 10, "fields": ["color"]}}, open(tmpl, "w"))
    out = os.path.join(work, "o.json")
    got = scores_of(run(fsscore, ["--learn", "-q", "--label", "y", "--model", tmpl, "--save", out],
                        "".join(lines)).stdout)
    want = transcribe(stream, Learner(bits=10, center={"b": 3}, scale={"b": 2, "c": 0.5}),
                      ["a", "b", "c"], ["color"])
    worst = max(abs(a - b) for a, b in zip(got, want))
    m = json.load(open(out))
    report(worst <= TOL and m.get("center") == {"b": 3} and m.get("scale") == {"b": 2, "c": 0.5},
           "a start model's center and scale standardize the inputs and are saved back",
           f"largest difference {worst:.3g}; center {m.get('center')}, scale {m.get('scale')}")


def truth_stream(rng, n, w_true, b_true, cats, flip_at=None):
    out = []
    names = list(w_true)
    for i in range(n):
        x = {k: float(rng.normal()) for k in names}
        col = list(cats)[int(rng.integers(len(cats)))]
        sign = -1 if flip_at is not None and i >= flip_at else 1
        z = sign * (b_true + sum(w_true[k] * x[k] for k in names) + cats[col])
        y = int(rng.random() < sigmoid(z))
        out.append({"id": i, "features": x, "color": col, "y": y})
    return out


def log_losses(stdout, events):
    ll = []
    for line, e in zip(stdout.splitlines(), events):
        p = min(max(json.loads(line)["score"], 1e-15), 1 - 1e-15)
        ll.append(-math.log(p) if e["y"] else -math.log(1 - p))
    return np.array(ll)


def case_truth(fsscore, work, rng):
    w_true = {"a": 1.5, "b": -2.0, "c": 0.5, "d": 0.0}
    cats = {"red": 1.0, "green": -1.0, "blue": 0.0}
    events = truth_stream(rng, 60000, w_true, -0.5, cats)
    save = os.path.join(work, "truth.json")
    run(fsscore, ["--learn", "-q", "--label", "y", "--features", "a,b,c,d", "--hash", "color",
                  "--save", save], "".join(json.dumps(e) + "\n" for e in events))
    m = json.load(open(save))
    err = max(abs(m["weights"][k] - w_true[k]) for k in w_true)
    # the colours: intercept + bucket weight against -0.5 + the colour's effect
    hw = {int(k): v for k, v in m["hashed"]["weights"].items()}
    cerr = max(abs(m["intercept"] + hw.get(murmurhash3_32(f"color={c}", seed=0, positive=True)
                                           % (1 << 18), 0.0) - (-0.5 + v)) for c, v in cats.items())
    report(err < 0.1 and cerr < 0.15, "on 60000 examples of a known logistic truth the weights "
           "approach it (numeric within 0.1, intercept + colour within 0.15)",
           f"largest numeric error {err:.3f}, colour {cerr:.3f}; weights {m['weights']}")


def recovery(ll, at, window=2000):
    """Examples after `at` until the rolling mean log loss over `window` is back
    within 10% of its level over the `window` examples before `at`."""
    before = ll[at - window:at].mean()
    c = np.concatenate([[0], np.cumsum(ll)])
    for k in range(at + window, len(ll) + 1):
        if (c[k] - c[k - window]) / window <= 1.1 * before:
            return k - at, before
    return None, before


def case_drift(fsscore, work, rng):
    w_true = {"a": 1.5, "b": -2.0, "c": 0.5}
    events = truth_stream(rng, 80000, w_true, -0.5, {"red": 1.0, "green": -1.0}, flip_at=40000)
    inp = "".join(json.dumps(e) + "\n" for e in events)
    base = ["--learn", "-q", "--label", "y", "--features", "a,b,c", "--hash", "color"]
    floor = log_losses(run(fsscore, base + ["--min-rate", "0.05"], inp).stdout, events)
    plain = log_losses(run(fsscore, base, inp).stdout, events)
    k_floor, lvl = recovery(floor, 40000)
    k_plain, _ = recovery(plain, 40000)
    report(k_floor is not None and k_floor <= 6000,
           "when the truth flips half-way, progressive log loss with --min-rate 0.05 is back within "
           "10% of its earlier level within 6000 examples (rolling 2000)",
           f"recovered after {k_floor} examples (level {lvl:.3f}); without a floor: {k_plain}")
    report(k_plain is None or k_floor < k_plain, "the rate floor recovers sooner than the "
           "falling FTRL rate alone", f"{k_floor} vs {k_plain} examples")


def demo_stream(top, builddir, work, n):
    """fsfeat's features of generated card transactions with hidden-rule labels."""
    ev = os.path.join(work, "demo-events.ndjson")
    with open(ev, "w") as f:
        subprocess.run(["awk", "-v", f"n={n}", "-v", "keys=2000", "-v", "bad=0", "-v", "ids=1", "-f",
                        os.path.join(top, "examples/gen-events.awk")], stdout=f, check=True)
    a = subprocess.Popen([os.path.join(builddir, "fsfeat"), "--spec", os.path.join(top, "examples/user.json"),
                          ev], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    b = subprocess.run([os.path.join(builddir, "fsfeat"), "--spec", os.path.join(top, "examples/merchant.json")],
                       stdin=a.stdout, capture_output=True, text=True, check=True)
    a.wait()
    events = [json.loads(l) for l in b.stdout.splitlines()]
    # the hidden rule of examples/train_xgboost.py, per event
    rng = np.random.default_rng(7)
    for e in events:
        f = e["features"]
        nz = lambda v, d=0.0: d if v is None else v
        amount = nz(f["amt_sum_1h"]) - nz(f["amt_max_before_1h"])
        ratio = amount / max(nz(f["amt_mean_7d"], 50.0), 1.0)
        logit = -4.0 + 1.2 * math.log1p(max(ratio, -0.99)) + 0.35 * nz(f["merchants_24h"]) \
            - 0.002 * nz(f["gap"], 3600.0)
        e["label"] = int(rng.random() < sigmoid(max(min(logit, 30), -30)))
    return events


def case_sklearn(fsscore, top, builddir, work, n):
    events = demo_stream(top, builddir, work, n)
    names = list(events[0]["features"])
    hashed = ["channel", "merchant_id"]
    # standardization from the first 10% (the "training period"), the same for both learners
    head = events[: len(events) // 10]
    center, scale = {}, {}
    for k in names:
        v = np.array([e["features"][k] for e in head if e["features"][k] is not None], dtype=float)
        center[k] = float(v.mean()) if len(v) else 0.0
        sd = float(v.std()) if len(v) else 1.0
        scale[k] = sd if sd > 0 else 1.0
    tmpl = os.path.join(work, "demo-start.json")
    json.dump({"format": "fstools-linear", "version": 1, "link": "logistic", "intercept": 0,
               "weights": {k: 0 for k in names}, "center": center, "scale": scale,
               "hashed": {"bits": 18, "fields": hashed}}, open(tmpl, "w"))
    inp = "".join(json.dumps(e) + "\n" for e in events)
    prog = os.path.join(work, "demo-progress.ndjson")
    out = run(fsscore, ["--learn", "-q", "--label", "label", "--model", tmpl, "--progress", prog],
              inp).stdout
    ours = log_losses(out, [{"y": e["label"]} for e in events])
    last = [json.loads(l) for l in open(prog)][-1]
    # scikit-learn, one example at a time, scored before it learns: the same
    # standardized numbers and the same hashed buckets as one-hot columns;
    # its default schedule and two common ones, so the comparison is not
    # with a poor setting only
    from scipy.sparse import csr_matrix
    nb = 1 << 18
    rows = []
    for e in events:
        f = e["features"]
        cols, vals = [], []
        for j, k in enumerate(names):
            v = center[k] if f[k] is None else f[k]
            x = (v - center[k]) / scale[k]
            if x != 0:
                cols.append(j)
                vals.append(x)
        for k in hashed:
            cols.append(len(names) + murmurhash3_32(f"{k}={e[k]}", seed=0, positive=True) % nb)
            vals.append(1.0)
        rows.append(csr_matrix((vals, ([0] * len(cols), cols)), shape=(1, len(names) + nb)))
    settings = {"default (optimal, alpha 1e-4)": {},
                "constant eta0 0.01": {"learning_rate": "constant", "eta0": 0.01},
                "invscaling eta0 0.1": {"learning_rate": "invscaling", "eta0": 0.1}}
    theirs = {}
    for label, kw in settings.items():
        clf = SGDClassifier(loss="log_loss", random_state=0, **kw)
        ll, fitted = [], False
        for X, e in zip(rows, events):
            p = clf.predict_proba(X)[0, 1] if fitted else 0.5
            p = min(max(p, 1e-15), 1 - 1e-15)
            ll.append(-math.log(p) if e["label"] else -math.log(1 - p))
            clf.partial_fit(X, [e["label"]], classes=[0, 1])
            fitted = True
        theirs[label] = float(np.mean(ll))
    mine = float(np.mean(ours))
    best = min(theirs.values())
    report(abs(last["log_loss"] - mine) <= 1e-9, "--progress's final log_loss is the mean of the "
           "examples' log losses", f"{last['log_loss']} vs {mine}")
    side = "; ".join(f"SGDClassifier {k} {v:.5f}" for k, v in theirs.items())
    report(mine <= best, f"demo stream ({len(events)} events, {int(sum(e['label'] for e in events))} "
           "frauds): fsscore --learn's progressive log loss is no worse than SGDClassifier.partial_fit's "
           "(default, constant and invscaling rates)",
           f"fsscore --learn (ftrl) {mine:.5f}; {side}; ratio to the best {mine / best:.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsscore", required=True)
    ap.add_argument("--top", required=True)
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--demo-events", type=int, default=20000)
    a = ap.parse_args()
    rng = np.random.default_rng(2026)
    for case in (lambda: case_transcription(a.fsscore, a.workdir, rng),
                 lambda: case_serving_and_resume(a.fsscore, a.workdir, rng),
                 lambda: case_truth(a.fsscore, a.workdir, rng),
                 lambda: case_drift(a.fsscore, a.workdir, rng),
                 lambda: case_sklearn(a.fsscore, a.top, a.builddir, a.workdir, a.demo_events)):
        case()
    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if detail:
            print(f"# {detail}")


if __name__ == "__main__":
    main()
