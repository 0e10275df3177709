#!/usr/bin/python3
"""Seeded labelled events with a known logistic truth, for the fsscore --learn
benchmark (learn.sh).

usage: learn_gen.py N_EVENTS SEED EVENTS_OUT TRUTH_OUT.npy [TOP_OUT]

EVENTS_OUT: one event a line, about 344 bytes,

  {"id":"e0000001","features":{"f0":-0.4121,...,"f19":1,"s0":"v7","s1":"v42",
   "s2":"v913","s3":"v5121","s4":"v70355"},"y":0}

- f0..f13: normal(0, 1); f14..f17: uniform(0, 1); f18, f19: 0 or 1 (30 %
  ones); four decimals (f18, f19 as integers). 0.5 % of the numeric values
  are null (missing).
- s0..s4: strings drawn from vocabularies of 10, 100, 1,000, 10,000 and
  100,000 values ("v0", "v1", ...): s0 uniform, s1..s4 Zipf-like
  (probability of rank k proportional to 1 / (k + 1)^1.1, ranks shuffled
  over the values).
- y ~ Bernoulli(p), p = 1 / (1 + exp(-z)), z = b + sum_i w_i f_i +
  sum_j e_j[s_j]: w_i ~ normal(0, 0.5) except f10..f13, which are noise
  (w = 0); e_j[v] ~ normal(0, 0.8, 0.6, 0.5, 0.4) for s0..s4; b sets the
  positive rate near 25 %. A missing numeric value adds nothing (as an
  input of 0 would).

TOP_OUT: the same events with s0..s4 at the top level of the event, after
"features" (where fsscore --hash s0 finds them since hashed fields are paths
into the event):

  {"id":"e0000001","features":{"f0":-0.4121,...,"f19":1},"s0":"v7",...,
   "s4":"v70355","y":0}

TRUTH_OUT.npy: the true p of each event (float64), for the truth's log loss
(the best any learner could do). A one-line summary goes to stderr.

numpy's PCG64 seeded with an integer: the same output on every run with the
same numpy.
"""
import sys

import numpy as np

NUM = 20
VOCAB = [10, 100, 1000, 10000, 100000]
EFFECT_SD = [0.8, 0.6, 0.5, 0.4, 0.4]
NULL_RATE = 0.005
CHUNK = 200_000


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__.split("\n\n")[1])
    n, seed = int(sys.argv[1]), int(sys.argv[2])
    out_path, truth_path = sys.argv[3], sys.argv[4]
    top = open(sys.argv[5], "w") if len(sys.argv) == 6 else None
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 0.5, NUM)
    w[10:14] = 0
    effects, probs, perms = [], [], []
    for v, sd in zip(VOCAB, EFFECT_SD):
        effects.append(rng.normal(0, sd, v))
        if v == VOCAB[0]:
            probs.append(np.full(v, 1.0 / v))
        else:
            q = 1.0 / np.arange(1, v + 1) ** 1.1
            probs.append(q / q.sum())
        perms.append(rng.permutation(v))
    # the intercept: about 25 % positives (found on a sample of this truth)
    b = -1.4
    names = ["f%d" % i for i in range(NUM)] + ["s%d" % j for j in range(len(VOCAB))]
    fmt = ('{"id":"e%07d","features":{' + ",".join('"%s":%%s' % k for k in names) +
           '},"y":%d}\n')
    fmt_top = ('{"id":"e%07d","features":{' + ",".join('"%s":%%s' % k for k in names[:NUM]) +
               '},' + ",".join('"%s":%%s' % k for k in names[NUM:]) + ',"y":%d}\n')
    vocab_text = [np.array(["\"v%d\"" % k for k in range(v)], dtype=object) for v in VOCAB]
    truth = np.empty(n)
    pos, ll = 0, 0.0
    with open(out_path, "w") as f:
        for start in range(0, n, CHUNK):
            m = min(CHUNK, n - start)
            x = np.empty((m, NUM))
            x[:, :14] = rng.normal(0, 1, (m, 14))
            x[:, 14:18] = rng.uniform(0, 1, (m, 4))
            x[:, 18:20] = rng.uniform(0, 1, (m, 2)) < 0.3
            x = np.round(x, 4)
            null = rng.uniform(0, 1, (m, NUM)) < NULL_RATE
            z = b + np.where(null, 0, x) @ w
            cols = []
            for i in range(NUM):
                c = np.char.mod("%d" if i >= 18 else "%.4f", x[:, i]).astype(object)
                c[null[:, i]] = "null"
                cols.append(c)
            for j, v in enumerate(VOCAB):
                idx = perms[j][rng.choice(v, m, p=probs[j])]
                z += effects[j][idx]
                cols.append(vocab_text[j][idx])
            p = 1 / (1 + np.exp(-z))
            y = (rng.uniform(0, 1, m) < p).astype(int)
            truth[start:start + m] = p
            pos += int(y.sum())
            ll -= float(np.sum(np.where(y == 1, np.log(p), np.log1p(-p))))
            ids = range(start + 1, start + m + 1)
            rows = list(zip(ids, *cols, y.tolist()))
            f.write("".join(fmt % row for row in rows))
            if top:
                top.write("".join(fmt_top % row for row in rows))
    if top:
        top.close()
    np.save(truth_path, truth)
    print("%d events, %.2f %% positive, the truth's log loss %.6f" % (n, 100.0 * pos / n, ll / n),
          file=sys.stderr)


if __name__ == "__main__":
    main()
