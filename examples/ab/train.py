#!/usr/bin/python3
"""Train the champion, the challenger and a regressed model (XGBoost JSON for fsscore).

    /usr/bin/python3 examples/ab/train.py FEATURES.ndjson CUT CHARGEBACKS.ndjson

FEATURES.ndjson is fsfeat's output (../user.json, then ../merchant.json):
each event with its "features" object. The labels come from the hidden rule
of ../train_xgboost.py (a payment large for the user's 7-day mean, many
merchants in a day, a short gap since the user's previous payment), with its
seed, so that every run gets the same ones.

Three models are trained on the events before CUT (an ISO time: the
training period) and written to the current directory:

- champion.json, the model in production: 15 trees of depth 1, a sum of
  one-feature steps that cannot see two features at once;
- challenger.json: 60 trees of depth 4 on the same features, which can (the
  rule weighs an amount against the user's mean): truly better;
- no-gap.json: the challenger's settings, but trained without "gap" (the
  time since the user's previous payment, the rule's strongest signal), as
  if a change of the feature spec had lost it: a regression.

Each model's ROC AUC on the events from CUT on (the stream they will serve),
with every label known at once, is printed: the answer that the comparisons
with the labels as they come in must find.

CHARGEBACKS.ndjson gets the frauds from CUT on as ../train_xgboost.py writes
them: {"tx","ts","label":1}, from 1 hour to a few days after the payment,
sorted by that time; legitimate payments never get a label
(fsgroundtruth --absent-label 0).
"""
import json
import os
import sys

import numpy as np
import xgboost as xgb
from sklearn.metrics import roc_auc_score

sys.dont_write_bytecode = True  # no __pycache__ in examples/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from train_xgboost import write_chargebacks  # noqa: E402  the demo's chargebacks

# name, trees, depth, the feature left out
MODELS = (("champion.json", 15, 1, None),
          ("challenger.json", 60, 4, None),
          ("no-gap.json", 60, 4, "gap"))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    src, cut, cb_out = sys.argv[1:]
    rows, names, events = [], None, []
    with open(src) as f:
        for line in f:
            event = json.loads(line)
            feats = event.get("features")
            if not isinstance(feats, dict):
                continue
            events.append((event.get("tx"), event.get("ts")))
            if names is None:
                names = list(feats)
            rows.append([np.nan if feats.get(n) is None else float(feats[n]) for n in names])
    X = np.array(rows, dtype=np.float64)
    col = {n: X[:, i] for i, n in enumerate(names)}

    # the hidden rule of ../train_xgboost.py, with its seed
    rng = np.random.default_rng(7)
    amount = np.nan_to_num(col["amt_sum_1h"] - np.nan_to_num(col["amt_max_before_1h"]))
    ratio = amount / np.maximum(np.nan_to_num(col["amt_mean_7d"], nan=50.0), 1.0)
    logit = -4.0 + 1.2 * np.log1p(ratio) + 0.35 * np.nan_to_num(col["merchants_24h"]) \
        - 0.002 * np.nan_to_num(col["gap"], nan=3600.0)
    y = (rng.random(len(X)) < 1 / (1 + np.exp(-np.clip(logit, -30, 30)))).astype(np.float64)

    train = np.array([ts < cut for _, ts in events])
    serve = ~train
    print(f"trained on the {train.sum()} payments before {cut} ({y[train].mean():.1%} fraud); "
          f"ROC AUC on the {serve.sum()} after, every label known:")
    for out, trees, depth, left_out in MODELS:
        feats = [n for n in names if n != left_out]
        idx = [names.index(n) for n in feats]
        params = {"objective": "binary:logistic", "max_depth": depth, "eta": 0.2,
                  "nthread": 1, "seed": 1}
        dtrain = xgb.DMatrix(X[train][:, idx], y[train], feature_names=feats, missing=np.nan)
        bst = xgb.train(params, dtrain, trees)
        bst.save_model(out)
        p = bst.predict(xgb.DMatrix(X[serve][:, idx], feature_names=feats, missing=np.nan))
        what = f"{trees} trees of depth {depth}, {len(feats)} features"
        if left_out:
            what += f" (no {left_out})"
        print(f"  {out:<16} {what:<42} ROC AUC {roc_auc_score(y[serve], p):.4f}")
    write_chargebacks(cb_out, [e for e, s in zip(events, serve) if s], y[serve])


if __name__ == "__main__":
    main()
