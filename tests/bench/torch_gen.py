#!/usr/bin/python3
"""Seeded synthetic input and TorchScript model for the fsscore TorchScript benchmark (torch.sh).

usage: torch_gen.py events N_EVENTS SEED > events.ndjson
       torch_gen.py model SEED MODEL.pt

`events` writes one event a line, with 25 numeric features, none missing:

  {"id":0,"features":{"amount":37.2,"amount_sum_1h":81.5,...}}

the names of score_gen.py's fsfeat-like features; counts and flags as
integers, amounts to the cent, means, deviations and rates as full-precision
doubles. Each line is exactly what json.dumps(event, separators=(",", ":"))
writes, so a scorer that re-serializes the event (torch_python.py) writes its
input line back unchanged before the members it appends.

`model` writes a TorchScript MLP, torch.jit.script(module).save(MODEL.pt):
25 inputs -> Linear 64 -> ReLU -> Linear 32 -> ReLU -> Linear 1 -> sigmoid,
output [N, 1], the inputs standardized inside the module: (x - mean) / std.
It is trained briefly (2 epochs of Adam, batches of 256, one thread, from
torch.manual_seed(SEED)) on 100,000 rows of another stream of the same seed
with a label drawn from a known non-linear logistic truth (score_gen.py's,
less its nulls), so that its scores spread over (0, 1) as a real model's do;
the mean and std are those rows'. Beside it, MODEL.pt.json, fsscore's sidecar: {"features":
[the 25 names, in the model's input order]}.

Only numpy's PCG64 Generator and torch's CPU generator seeded with integers
are used, so the output is the same on every run with the same numpy and
torch.
"""
import json
import sys

import numpy as np

FEATURES = [
    "amount", "amount_sum_1h", "amount_sum_24h", "amount_mean_7d",
    "amount_std_24h", "amount_max_1h", "amount_lag_1", "amount_delta_1",
    "amount_zscore_7d", "count_10m", "count_1h", "count_24h", "count_7d",
    "distinct_merchant_24h", "distinct_country_7d", "distinct_device_7d",
    "time_since_last", "time_since_first", "hour_of_day", "day_of_week",
    "merchant_fraud_rate_30d", "merchant_count_24h", "declined_count_24h",
    "is_new_device", "is_foreign",
]
INT_FEATURES = {"count_10m", "count_1h", "count_24h", "count_7d", "distinct_merchant_24h",
                "distinct_country_7d", "distinct_device_7d", "hour_of_day", "day_of_week",
                "merchant_count_24h", "declined_count_24h", "is_new_device", "is_foreign"}
TRAIN_ROWS = 100000


def columns(rng, n):
    """A dict of the feature columns (float arrays; integer features hold integers)."""
    c = {}
    activity = rng.lognormal(0.0, 0.9, n)
    amount = np.round(rng.lognormal(3.5, 1.1, n), 2)
    mean7 = amount * rng.lognormal(0.0, 0.5, n)
    c["amount"] = amount
    c["count_10m"] = rng.poisson(activity / 6)
    c["count_1h"] = c["count_10m"] + rng.poisson(activity * 5 / 6) + 1
    c["count_24h"] = c["count_1h"] + rng.poisson(activity * 10)
    c["count_7d"] = c["count_24h"] + rng.poisson(activity * 60)
    c["amount_sum_1h"] = np.round(c["count_1h"] * mean7 * rng.lognormal(0, 0.3, n), 2)
    c["amount_sum_24h"] = np.round(c["amount_sum_1h"] + (c["count_24h"] - c["count_1h"]) * mean7, 2)
    c["amount_mean_7d"] = mean7
    std = mean7 * rng.lognormal(-0.7, 0.5, n)
    c["amount_std_24h"] = std
    c["amount_max_1h"] = np.round(np.maximum(amount, mean7 * rng.lognormal(0.3, 0.4, n)), 2)
    lag = np.round(mean7 * rng.lognormal(0, 0.6, n), 2)
    c["amount_lag_1"] = lag
    c["amount_delta_1"] = np.round(amount - lag, 2)
    c["amount_zscore_7d"] = (amount - mean7) / std
    c["distinct_merchant_24h"] = np.minimum(c["count_24h"], rng.poisson(2, n) + 1)
    c["distinct_country_7d"] = np.minimum(c["count_7d"], 1 + rng.poisson(0.15, n))
    c["distinct_device_7d"] = np.minimum(c["count_7d"], 1 + rng.poisson(0.3, n))
    c["time_since_last"] = np.round(rng.exponential(3600 / activity), 3)
    c["time_since_first"] = np.round(rng.uniform(0, 90 * 86400, n), 3)
    c["hour_of_day"] = rng.integers(0, 24, n)
    c["day_of_week"] = rng.integers(0, 7, n)
    c["merchant_fraud_rate_30d"] = rng.beta(0.5, 60, n)
    c["merchant_count_24h"] = rng.negative_binomial(2, 0.002, n)
    c["declined_count_24h"] = rng.binomial(np.minimum(c["count_24h"], 50), 0.03)
    c["is_new_device"] = (rng.random(n) < 0.05).astype(int)
    c["is_foreign"] = (rng.random(n) < 0.08).astype(int)
    return {k: np.asarray(v, dtype=float) for k, v in c.items()}


def label(rng, c):
    """A learnable, non-linear label (about 4 % positive)."""
    ratio = c["amount"] / c["amount_mean_7d"]
    z = c["amount_zscore_7d"]
    night = ((c["hour_of_day"] < 5) | (c["hour_of_day"] >= 23)).astype(float)
    logit = (-3.9 + 0.9 * np.log(ratio) + 0.25 * np.clip(z, -3, 6)
             + 0.7 * np.log1p(c["count_10m"]) + 1.8 * c["is_new_device"] * c["is_foreign"]
             + 0.8 * c["is_new_device"] + 0.5 * c["is_foreign"] + 30 * c["merchant_fraud_rate_30d"]
             + 0.6 * night * (c["amount"] > 100) + 0.5 * np.log1p(c["declined_count_24h"])
             - 0.25 * np.log1p(c["count_7d"] / 10)
             + 0.4 * (c["distinct_country_7d"] > 1) * (c["amount"] > 200))
    return (rng.random(len(logit)) < 1 / (1 + np.exp(-logit))).astype(float)


def events(n, seed):
    rng = np.random.default_rng([seed, 1])
    out = sys.stdout
    dumps = json.dumps
    chunk = 100000
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        c = columns(rng, m)
        cols = [c[name].astype(np.int64).tolist() if name in INT_FEATURES else c[name].tolist()
                for name in FEATURES]
        buf = []
        for i in range(m):
            ev = {"id": start + i, "features": {name: col[i] for name, col in zip(FEATURES, cols)}}
            buf.append(dumps(ev, separators=(",", ":")) + "\n")
        out.write("".join(buf))


def model(seed, path):
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng([seed, 2])
    c = columns(rng, TRAIN_ROWS)
    y = label(rng, c)
    X = np.column_stack([c[name] for name in FEATURES])
    mean = torch.tensor(X.mean(axis=0), dtype=torch.float32)
    std = torch.tensor(np.maximum(X.std(axis=0), 1e-6), dtype=torch.float32)

    class MLP(torch.nn.Module):
        def __init__(self, mean, std):
            super().__init__()
            self.register_buffer("mean", mean)
            self.register_buffer("std", std)
            self.l1 = torch.nn.Linear(len(FEATURES), 64)
            self.l2 = torch.nn.Linear(64, 32)
            self.l3 = torch.nn.Linear(32, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = (x - self.mean) / self.std
            x = torch.relu(self.l1(x))
            x = torch.relu(self.l2(x))
            return torch.sigmoid(self.l3(x))

    torch.manual_seed(seed)
    m = MLP(mean, std)
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    lossf = torch.nn.BCELoss()
    for _ in range(2):
        perm = torch.randperm(len(Xt))
        for i in range(0, len(Xt), 256):
            j = perm[i:i + 256]
            opt.zero_grad()
            loss = lossf(m(Xt[j]), yt[j])
            loss.backward()
            opt.step()
    m.eval()
    s = torch.jit.script(m)
    s.save(path)
    with open(path + ".json", "w") as f:
        json.dump({"features": FEATURES}, f)
        f.write("\n")
    with torch.inference_mode():
        p = s(Xt).squeeze(1).double().numpy()
    ll = -np.mean(y * np.log(np.maximum(p, 1e-12)) + (1 - y) * np.log(np.maximum(1 - p, 1e-12)))
    sys.stderr.write("torch_gen.py: model %s: MLP 25-64-32-1, sigmoid, %d parameters; %.1f %% positive, "
                     "train log loss %.4f; scores %.4f..%.4f, quartiles %.4f %.4f %.4f\n"
                     % (path, sum(x.numel() for x in m.parameters()), 100 * y.mean(), ll, p.min(), p.max(),
                        *np.quantile(p, [0.25, 0.5, 0.75])))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "events":
        events(int(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "model":
        model(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__.split("\n\n")[1])
