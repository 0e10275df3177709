#!/usr/bin/python3
"""Python peers and checks for the fsscore --learn benchmark (learn.sh).

usage: learn_python.py sgd-one INPUT N [SCHEDULE]
       learn_python.py sgd-batch INPUT BATCH [SCHEDULE]
       learn_python.py ftrl INPUT N [SCORES_OUT]
       learn_python.py check INPUT FSSCORE_OUTPUT N
       learn_python.py loss FSSCORE_OUTPUT N...
       learn_python.py truth INPUT TRUTH.npy N...

Every learner reads learn_gen.py's events (numeric f0..f19 and string s0..s4
under "features", the label in "y") with json.loads, and scores each example
before it learns from it (progressive validation), as fsscore --learn does;
its progressive log loss (p clipped to [1e-15, 1 - 1e-15]) is printed with
its timing on stderr as `examples=N loop_s=S log_loss=L ...`. None of them
writes the scored events (fsscore does).

sgd-one    scikit-learn SGDClassifier(loss="log_loss", random_state=0), otherwise
           defaults (SCHEDULE "default"), or with learning_rate and eta0 from
           SCHEDULE "constant:0.01" (or "invscaling:0.1", ...), partial_fit one example at a time over the first N lines, each
           example's features through FeatureHasher(2^18, input_type="dict",
           alternate_sign=False): numbers by name, strings as "name=value"
           with 1 (null values dropped); predict_proba before partial_fit
           (0.5 before the first). Timed: the loop, without interpreter start
           and imports; also the time per example (p50_us, p99_us).
sgd-batch  the same in mini-batches of BATCH lines over the whole file: json
           parsing, FeatureHasher.transform of the batch, predict_proba of the
           batch with the model of the batches before it, partial_fit. Timed
           by the caller as a whole process; its phases on stderr.
ftrl       pure Python FTRL-Proximal one example at a time over the first N
           lines, as fsscore --learn does it by default (alpha 0.1, beta 1,
           l1 = l2 = 0, the intercept a coordinate, numeric inputs as they
           come, strings hashed with scikit-learn's murmurhash3_32 of
           "name=value", seed 0, into 2^18 buckets; the names from
           LEARN_HASH_NAMES, default s0,...,s4), in lists of floats.
           Timed: the loop (p50_us, p99_us per example). SCORES_OUT: each
           score, one a line (repr).
check      runs ftrl over the first N lines and compares its scores with the
           "score" of the first N lines of fsscore's output: prints one line,
           exits 1 on a difference above 1e-12.
loss       the progressive log loss of fsscore's output (its "score" and "y")
           over its first N lines, for each N: prints `N=L` for each.
truth      the log loss of the true probabilities (learn_gen.py's .npy) over
           the first N events, and of always predicting the base rate of the
           first N: prints `N=TRUTH/BASE` for each.
"""
import json
import math
import os
import sys
import time

import numpy as np

NUM = ["f%d" % i for i in range(20)]
STR = ["s%d" % j for j in range(5)]
# the names fsscore hashes the string fields by ("name=value"): s0..s4 when
# --hash names fields of the features object, features.s0.. when it names
# paths into the event (learn.sh finds which and sets LEARN_HASH_NAMES)
HASH_NAMES = os.environ.get("LEARN_HASH_NAMES", ",".join(STR)).split(",")
BITS = 18
EPS = 1e-15
clock = time.perf_counter


def logloss_one(p, y):
    q = EPS if p < EPS else 1 - EPS if p > 1 - EPS else p
    return -math.log(q) if y else -math.log(1 - q)


def pct(lat):
    lat.sort()
    n = len(lat)
    if not n:
        return 0.0, 0.0
    return lat[n // 2] / 1000.0, lat[min(n - 1, int(0.99 * n))] / 1000.0


def classifier(schedule):
    """SGDClassifier(loss="log_loss"), scikit-learn's defaults ("optimal"
    rate, L2 alpha 1e-4) or, with schedule "constant:ETA0", a constant rate
    ETA0; random_state=0 (partial_fit shuffles each batch)."""
    from sklearn.linear_model import SGDClassifier
    if schedule == "default":
        return SGDClassifier(loss="log_loss", random_state=0)
    kind, eta0 = schedule.split(":")
    return SGDClassifier(loss="log_loss", learning_rate=kind, eta0=float(eta0), random_state=0)


def sgd_one(path, n, schedule):
    from sklearn.feature_extraction import FeatureHasher
    hasher = FeatureHasher(n_features=2 ** BITS, input_type="dict", alternate_sign=False)
    clf = classifier(schedule)
    classes = np.array([0, 1])
    loads, ns = json.loads, time.perf_counter_ns
    loss, done, lat = 0.0, 0, []
    with open(path) as f:
        t0 = clock()
        for line in f:
            if done == n:
                break
            t = ns()
            ev = loads(line)
            feats = {k: v for k, v in ev["features"].items() if v is not None}
            x = hasher.transform([feats])
            y = ev["y"]
            p = clf.predict_proba(x)[0, 1] if done else 0.5
            loss += logloss_one(p, y)
            clf.partial_fit(x, [y], classes=classes)
            done += 1
            lat.append(ns() - t)
        secs = clock() - t0
    p50, p99 = pct(lat)
    print("examples=%d loop_s=%.3f log_loss=%.6f p50_us=%.1f p99_us=%.1f"
          % (done, secs, loss / max(done, 1), p50, p99), file=sys.stderr)


def sgd_batch(path, batch, schedule):
    from sklearn.feature_extraction import FeatureHasher
    hasher = FeatureHasher(n_features=2 ** BITS, input_type="dict", alternate_sign=False)
    clf = classifier(schedule)
    classes = np.array([0, 1])
    loads = json.loads
    t_read = t_parse = t_hash = t_pred = t_fit = 0.0
    loss, done, fitted = 0.0, 0, False
    t = clock()
    with open(path) as f:
        while True:
            t0 = clock()
            lines = [line for _, line in zip(range(batch), f)]
            if not lines:
                break
            t1 = clock()
            feats, ys = [], []
            for line in lines:
                ev = loads(line)
                feats.append({k: v for k, v in ev["features"].items() if v is not None})
                ys.append(ev["y"])
            y = np.array(ys)
            t2 = clock()
            x = hasher.transform(feats)
            t3 = clock()
            p = clf.predict_proba(x)[:, 1] if fitted else np.full(len(ys), 0.5)
            q = np.clip(p, EPS, 1 - EPS)
            loss -= float(np.sum(np.where(y == 1, np.log(q), np.log(1 - q))))
            t4 = clock()
            clf.partial_fit(x, y, classes=classes)
            fitted = True
            t5 = clock()
            done += len(ys)
            t_read += t1 - t0
            t_parse += t2 - t1
            t_hash += t3 - t2
            t_pred += t4 - t3
            t_fit += t5 - t4
    secs = clock() - t
    print("examples=%d log_loss=%.6f batch=%d read=%.2f parse=%.2f hash=%.2f predict=%.2f fit=%.2f all_s=%.2f"
          % (done, loss / max(done, 1), batch, t_read, t_parse, t_hash, t_pred, t_fit, secs),
          file=sys.stderr)


def ftrl_scores(path, n, scores=None, timing=True):
    """Pure Python FTRL-Proximal (McMahan et al. 2013, Algorithm 1) as
    fsscore --learn runs it by default; returns (done, loss, secs, lat)."""
    from sklearn.utils import murmurhash3_32
    alpha, beta, l1, l2 = 0.1, 1.0, 0.0, 0.0
    nf = len(NUM)
    mask = (1 << BITS) - 1
    size = 1 + nf + (1 << BITS)
    z = [0.0] * size
    nn = [0.0] * size
    w = [0.0] * size
    sqrt, exp, loads, ns = math.sqrt, math.exp, json.loads, time.perf_counter_ns
    if len(HASH_NAMES) != len(STR):
        sys.exit("learn_python.py: LEARN_HASH_NAMES must name %d fields" % len(STR))
    hprefix = [s + "=" for s in HASH_NAMES]
    loss, done, lat = 0.0, 0, []
    out = scores.write if scores else None
    with open(path) as f:
        t0 = clock()
        for line in f:
            if done == n:
                break
            t = ns()
            ev = loads(line)
            feats = ev["features"]
            # predict: the same sum, in the same order, as fsscore
            act, ax = [0], [1.0]
            zi, ni = z[0], nn[0]
            wi = 0.0 if abs(zi) <= l1 else -(zi - (-l1 if zi < 0 else l1)) / ((beta + sqrt(ni)) / alpha + l2)
            w[0] = wi
            m = wi
            for i in range(nf):
                v = feats.get(NUM[i])
                if v is None or v == 0:
                    continue
                k = 1 + i
                zi, ni = z[k], nn[k]
                wi = 0.0 if abs(zi) <= l1 else -(zi - (-l1 if zi < 0 else l1)) / ((beta + sqrt(ni)) / alpha + l2)
                w[k] = wi
                m += wi * v
                act.append(k)
                ax.append(float(v))
            first = len(act)
            for j in range(len(STR)):
                v = feats.get(STR[j])
                if v is None:
                    continue
                k = 1 + nf + (murmurhash3_32(hprefix[j] + v, seed=0, positive=True) & mask)
                if k in act[first:]:
                    ax[act.index(k, first)] += 1.0
                else:
                    zi, ni = z[k], nn[k]
                    wi = 0.0 if abs(zi) <= l1 else -(zi - (-l1 if zi < 0 else l1)) / ((beta + sqrt(ni)) / alpha + l2)
                    w[k] = wi
                    act.append(k)
                    ax.append(1.0)
                m += w[k]
            p = 1 / (1 + exp(-m)) if m >= 0 else exp(m) / (1 + exp(m))
            y = ev["y"]
            loss += logloss_one(p, y)
            if out:
                out("%r\n" % p)
            # update
            g0 = p - y
            for k, x in zip(act, ax):
                g = g0 * x
                ni = nn[k]
                n1 = ni + g * g
                sigma = (beta + sqrt(n1)) / alpha - (beta + sqrt(ni)) / alpha
                z[k] += g - sigma * w[k]
                nn[k] = n1
            done += 1
            if timing:
                lat.append(ns() - t)
        secs = clock() - t0
    return done, loss, secs, lat


def ftrl(path, n, scores_path=None):
    scores = open(scores_path, "w") if scores_path else None
    done, loss, secs, lat = ftrl_scores(path, n, scores)
    if scores:
        scores.close()
    p50, p99 = pct(lat)
    print("examples=%d loop_s=%.3f log_loss=%.6f p50_us=%.1f p99_us=%.1f"
          % (done, secs, loss / max(done, 1), p50, p99), file=sys.stderr)


def check(path, fsscore_out, n):
    import io
    buf = io.StringIO()
    done, _, _, _ = ftrl_scores(path, n, buf, timing=False)
    ours = [float(s) for s in buf.getvalue().split()]
    theirs = []
    with open(fsscore_out) as f:
        for line in f:
            if len(theirs) == n:
                break
            theirs.append(json.loads(line)["score"])
    if len(theirs) != done:
        print("check FAILED: fsscore wrote %d scored lines, pure-Python FTRL %d" % (len(theirs), done))
        return 1
    diff = max(abs(a - b) for a, b in zip(ours, theirs))
    same = sum(a == b for a, b in zip(ours, theirs))
    ok = diff <= 1e-12
    print("check %s: fsscore --learn's scores equal the pure-Python FTRL's on the first %d examples "
          "(%d bit for bit, largest difference %.1e)" % ("OK" if ok else "FAILED", done, same, diff))
    return 0 if ok else 1


def loss(fsscore_out, ns):
    ns = sorted(ns)
    res, total, done = {}, 0.0, 0
    with open(fsscore_out) as f:
        for line in f:
            if done == ns[-1]:
                break
            ev = json.loads(line)
            total += logloss_one(ev["score"], ev["y"])
            done += 1
            if done in ns:
                res[done] = total / done
    print(" ".join("%d=%.6f" % (k, res.get(k, float("nan"))) for k in ns))


def truth(path, truth_path, ns):
    p = np.load(truth_path)
    ys = np.empty(len(p))
    with open(path) as f:
        for i, line in enumerate(f):
            # the label is the last member: ...,"y":0}
            ys[i] = int(line[line.rindex(":") + 1:line.rindex("}")])
    q = np.clip(p, EPS, 1 - EPS)
    ll = np.where(ys == 1, -np.log(q), -np.log(1 - q))
    out = []
    for k in ns:
        k = min(k, len(p))
        r = ys[:k].mean()
        base = -(r * math.log(r) + (1 - r) * math.log(1 - r)) if 0 < r < 1 else 0.0
        out.append("%d=%.6f/%.6f" % (k, ll[:k].mean(), base))
    print(" ".join(out))


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    cmd = a[0]
    if cmd == "sgd-one" and len(a) in (3, 4):
        sgd_one(a[1], int(a[2]), a[3] if len(a) == 4 else "default")
    elif cmd == "sgd-batch" and len(a) in (3, 4):
        sgd_batch(a[1], int(a[2]), a[3] if len(a) == 4 else "default")
    elif cmd == "ftrl" and len(a) in (3, 4):
        ftrl(a[1], int(a[2]), a[3] if len(a) == 4 else None)
    elif cmd == "check" and len(a) == 4:
        sys.exit(check(a[1], a[2], int(a[3])))
    elif cmd == "loss" and len(a) >= 3:
        loss(a[1], [int(x) for x in a[2:]])
    elif cmd == "truth" and len(a) >= 4:
        truth(a[1], a[2], [int(x) for x in a[3:]])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
