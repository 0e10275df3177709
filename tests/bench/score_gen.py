#!/usr/bin/python3
"""Seeded synthetic input and model for the fsscore benchmark (score.sh).

usage: score_gen.py events N_EVENTS SEED > events.ndjson
       score_gen.py model SEED MODEL.json

`events` writes fsfeat-like scored-pipeline input, one event a line:

  {"ts":"2024-03-01T00:00:02.517Z","user":"u01234","amount":37.2,
   "features":{"amount":37.2,"amount_sum_1h":81.5,...}}

with 25 numeric features (counts as integers, sums as cents, means,
deviations and rates as full-precision doubles, the way fsfeat prints them).
About 4 % of events are a user's first in the window, so their lag, delta
and time_since_last are null; about 10 % have a null deviation and z-score,
about 3 % a null merchant fraud rate, and 1 % lack that key altogether.

`model` trains a binary:logistic booster with python3-xgboost on 200,000
rows of the same distribution (another stream of the same seed) whose label
depends non-linearly on the features: 100 trees (num_boost_round=100),
max_depth=6, eta=0.1, tree_method=hist, nthread=1, with feature names, and
saves it as XGBoost JSON.

Only numpy's PCG64 Generator seeded with an integer is used, so the output
is the same on every run with the same numpy.
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
N_USERS = 50000
TRAIN_ROWS = 200000


def columns(rng, n):
    """A dict of feature columns (float arrays, NaN = null) and the times."""
    c = {}
    activity = rng.lognormal(0.0, 0.9, n)              # events per hour of the user
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
    std[c["count_24h"] < 2] = np.nan
    std[rng.random(n) < 0.06] = np.nan
    c["amount_std_24h"] = std
    c["amount_max_1h"] = np.round(np.maximum(amount, mean7 * rng.lognormal(0.3, 0.4, n)), 2)
    first = rng.random(n) < 0.04
    lag = np.round(mean7 * rng.lognormal(0, 0.6, n), 2)
    lag[first] = np.nan
    c["amount_lag_1"] = lag
    c["amount_delta_1"] = np.round(amount - lag, 2)
    c["amount_zscore_7d"] = (amount - mean7) / std
    c["distinct_merchant_24h"] = np.minimum(c["count_24h"], rng.poisson(2, n) + 1)
    c["distinct_country_7d"] = np.minimum(c["count_7d"], 1 + rng.poisson(0.15, n))
    c["distinct_device_7d"] = np.minimum(c["count_7d"], 1 + rng.poisson(0.3, n))
    tsl = np.round(rng.exponential(3600 / activity), 3)
    tsl[first] = np.nan
    c["time_since_last"] = tsl
    c["time_since_first"] = np.round(rng.uniform(0, 90 * 86400, n), 3)
    c["hour_of_day"] = rng.integers(0, 24, n)
    c["day_of_week"] = rng.integers(0, 7, n)
    rate = rng.beta(0.5, 60, n)
    rate[rng.random(n) < 0.03] = np.nan
    c["merchant_fraud_rate_30d"] = rate
    c["merchant_count_24h"] = rng.negative_binomial(2, 0.002, n)
    c["declined_count_24h"] = rng.binomial(np.minimum(c["count_24h"], 50), 0.03)
    c["is_new_device"] = (rng.random(n) < 0.05).astype(int)
    c["is_foreign"] = (rng.random(n) < 0.08).astype(int)
    return {k: np.asarray(v, dtype=float) for k, v in c.items()}


def label(rng, c):
    """A learnable, non-linear label (about 4 % positive)."""
    ratio = c["amount"] / c["amount_mean_7d"]
    z = np.nan_to_num(c["amount_zscore_7d"], nan=0.0)
    rate = np.nan_to_num(c["merchant_fraud_rate_30d"], nan=0.02)
    night = ((c["hour_of_day"] < 5) | (c["hour_of_day"] >= 23)).astype(float)
    first = np.isnan(c["amount_lag_1"]).astype(float)
    logit = (-3.9 + 0.9 * np.log(ratio) + 0.25 * np.clip(z, -3, 6)
             + 0.7 * np.log1p(c["count_10m"]) + 1.8 * c["is_new_device"] * c["is_foreign"]
             + 0.8 * c["is_new_device"] + 0.5 * c["is_foreign"] + 30 * rate
             + 0.6 * night * (c["amount"] > 100) + 0.5 * np.log1p(c["declined_count_24h"])
             + 0.7 * first - 0.25 * np.log1p(c["count_7d"] / 10)
             + 0.4 * (c["distinct_country_7d"] > 1) * (c["amount"] > 200))
    return (rng.random(len(logit)) < 1 / (1 + np.exp(-logit))).astype(float)


INT_FEATURES = {"count_10m", "count_1h", "count_24h", "count_7d", "distinct_merchant_24h",
                "distinct_country_7d", "distinct_device_7d", "hour_of_day", "day_of_week",
                "merchant_count_24h", "declined_count_24h", "is_new_device", "is_foreign"}


def events(n, seed):
    rng = np.random.default_rng([seed, 1])
    out = sys.stdout
    t0 = 1709251200000  # 2024-03-01T00:00:00Z in ms
    chunk = 100000
    t_ms = t0
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        c = columns(rng, m)
        users = rng.integers(0, N_USERS, m)
        drop = rng.random(m) < 0.01
        gaps = rng.exponential(250.0, m).astype(np.int64)
        times = t_ms + np.cumsum(gaps)
        t_ms = int(times[-1])
        cols = []
        for name in FEATURES:
            v = c[name]
            if name in INT_FEATURES:
                s = ["%d" % x for x in v.astype(np.int64)]
            else:
                s = [repr(x) for x in v.tolist()]
            s = ["null" if x == "nan" else x for x in s]
            cols.append(['"%s":%s' % (name, x) for x in s])
        ts = np.array(times, dtype="datetime64[ms]").astype(str)
        amounts = [repr(x) for x in c["amount"].tolist()]
        buf = []
        for i in range(m):
            feats = [col[i] for col in cols]
            if drop[i]:
                del feats[FEATURES.index("merchant_fraud_rate_30d")]
            buf.append('{"ts":"%sZ","user":"u%05d","amount":%s,"features":{%s}}\n'
                       % (ts[i], users[i], amounts[i], ",".join(feats)))
        out.write("".join(buf))


def model(seed, path):
    import xgboost as xgb
    rng = np.random.default_rng([seed, 2])
    c = columns(rng, TRAIN_ROWS)
    y = label(rng, c)
    X = np.column_stack([c[name] for name in FEATURES])
    d = xgb.DMatrix(X, label=y, feature_names=FEATURES, missing=np.nan, nthread=1)
    params = {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1,
              "tree_method": "hist", "nthread": 1, "seed": seed, "eval_metric": "auc"}
    ev = {}
    b = xgb.train(params, d, num_boost_round=100, evals=[(d, "train")], evals_result=ev,
                  verbose_eval=False)
    b.save_model(path)
    depth = 0
    for t in json.load(open(path))["learner"]["gradient_booster"]["model"]["trees"]:
        # depth of the deepest leaf, from the parents array
        parents = t["parents"]
        for i in range(len(parents)):
            d_, j = 0, i
            while parents[j] != 2147483647:
                j, d_ = parents[j], d_ + 1
            depth = max(depth, d_)
    sys.stderr.write("score_gen.py: model %s: 100 trees, max depth %d, %d features, "
                     "%.1f %% positive, train AUC %.3f\n"
                     % (path, depth, len(FEATURES), 100 * y.mean(), ev["train"]["auc"][-1]))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "events":
        events(int(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "model":
        model(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__.split("\n\n")[1])
