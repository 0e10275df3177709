#!/usr/bin/python3
"""Train a small PyTorch MLP on fsfeat's features and export it as TorchScript for fsscore.

    /usr/bin/python3 examples/torch/train.py FEATURES.ndjson MODEL.pt [PREDICTIONS.txt]

FEATURES.ndjson is fsfeat's output: each event with its "features" object
(examples/demo.sh computes them from examples/gen-events.awk's payments with
examples/user.json, then examples/merchant.json). The demo has no real
chargebacks, so a hidden rule stands in for them, as in
examples/train_xgboost.py: an event is fraud with a probability that rises
with its amount against the user's 7-day mean, with many merchants in a day
and with a short gap since the user's previous event (seeded, so every run
gets the same labels).

The network (features -> 32 -> 16 -> 1, ReLU, sigmoid) is trained with
Debian's python3-torch on the first 80% of the events and judged on the
rest. The exported module takes the raw features, as fsfeat writes them:
the input scaling (a signed log, then standardisation by the training
period's mean and deviation) is inside it, as buffers. A null feature (no
event before in the window, say) gets a default, the training period's
median: training uses it, and the sidecar MODEL.pt.json lists it under
"impute" for fsscore, beside the feature names in the module's order:

    {"features": ["amt_sum_1h", ...], "impute": {"amt_sum_1h": 41.5, ...}}

The module is saved with torch.jit.script(...).save(MODEL.pt): a file
fsscore --model MODEL.pt loads with libtorch, without Python. Its
forward returns one probability per row, [N].

PREDICTIONS.txt gets PyTorch's own prediction for every event (one per
line, in order; nulls imputed as fsscore does), so that fsscore's can be
compared with them: the float32 results, printed exactly.
"""
import json
import sys

import numpy as np
import torch
from torch import nn


class FraudMLP(nn.Module):
    """Raw features in, a probability out: the scaling is part of the model."""

    def __init__(self, center, scale, width):
        super().__init__()
        self.register_buffer("center", torch.tensor(center, dtype=torch.float32))
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))
        self.net = nn.Sequential(nn.Linear(width, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(),
                                 nn.Linear(16, 1))

    def logit(self, x):
        x = torch.sign(x) * torch.log1p(torch.abs(x))   # amounts and gaps are heavy-tailed
        return self.net((x - self.center) / self.scale).squeeze(1)

    def forward(self, x):
        return torch.sigmoid(self.logit(x))              # [N]


def read_features(path):
    rows, names = [], None
    with open(path) as f:
        for line in f:
            feats = json.loads(line).get("features")
            if not isinstance(feats, dict):
                continue
            if names is None:
                names = list(feats)
            rows.append([np.nan if feats.get(n) is None else float(feats[n]) for n in names])
    return np.array(rows, dtype=np.float64), names


def hidden_rule(X, names):
    """The labels: a logit from three signals, then a seeded coin."""
    col = {n: X[:, i] for i, n in enumerate(names)}
    rng = np.random.default_rng(7)
    amount = np.nan_to_num(col["amt_sum_1h"] - np.nan_to_num(col["amt_max_before_1h"]))
    ratio = amount / np.maximum(np.nan_to_num(col["amt_mean_7d"], nan=50.0), 1.0)
    logit = -4.0 + 1.2 * np.log1p(np.maximum(ratio, 0)) + 0.35 * np.nan_to_num(col["merchants_24h"]) \
        - 0.002 * np.nan_to_num(col["gap"], nan=3600.0)
    return (rng.random(len(X)) < 1 / (1 + np.exp(-np.clip(logit, -30, 30)))).astype(np.float32)


def roc_auc(y, p):
    """The probability that a fraud scores above a legitimate event (ties half)."""
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    sp = p[order]
    i = 0
    while i < len(sp):
        j = i
        while j + 1 < len(sp) and sp[j + 1] == sp[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: " + __doc__.strip().splitlines()[2].strip())
    src, out = sys.argv[1], sys.argv[2]
    torch.manual_seed(1)
    torch.set_num_threads(1)
    X, names = read_features(src)
    if names is None:
        sys.exit(f"train.py: no event with a \"features\" object in {src}")
    y = hidden_rule(X, names)
    split = int(len(X) * 0.8)

    # the defaults for nulls, and the scaling, from the training period alone
    impute = {}
    for i, n in enumerate(names):
        seen = X[:split, i][~np.isnan(X[:split, i])]
        impute[n] = float(np.median(seen)) if len(seen) else 0.0
    Xi = np.where(np.isnan(X), np.array([impute[n] for n in names]), X)
    logged = np.sign(Xi[:split]) * np.log1p(np.abs(Xi[:split]))
    center = logged.mean(axis=0)
    scale = np.where(logged.std(axis=0) > 1e-6, logged.std(axis=0), 1.0)

    model = FraudMLP(center.tolist(), scale.tolist(), len(names))
    xt = torch.tensor(Xi, dtype=torch.float32)
    yt = torch.tensor(y)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    lossf = nn.BCEWithLogitsLoss()
    gen = torch.Generator().manual_seed(2)
    for _ in range(8):
        for idx in torch.randperm(split, generator=gen).split(512):
            opt.zero_grad()
            loss = lossf(model.logit(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()

    with torch.no_grad():
        pred = model(xt).double().numpy()
    auc = roc_auc(y[split:], pred[split:])
    scripted = torch.jit.script(model)
    scripted.save(out)
    with open(out + ".json", "w") as f:
        json.dump({"features": names, "impute": impute}, f, indent=1)
        f.write("\n")
    print(f"trained on {split} events, {len(names)} features, {y.mean():.1%} fraud; "
          f"holdout AUC {auc:.3f}; saved {out} (torch.jit.script) and {out}.json")
    if len(sys.argv) == 4:
        # the exported module's own predictions: what fsscore must give
        with torch.no_grad():
            again = torch.jit.load(out)(xt).double().numpy()
        np.savetxt(sys.argv[3], again, fmt="%.17g")


if __name__ == "__main__":
    main()
