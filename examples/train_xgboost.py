#!/usr/bin/python3
"""Train an XGBoost fraud model on fsfeat's features and save it as JSON for fsscore.

    python3 examples/train_xgboost.py FEATURES.ndjson MODEL.json [PREDICTIONS.txt [CHARGEBACKS.ndjson]]

FEATURES.ndjson is fsfeat's output: each event with its "features" object.
The demo has no real chargebacks, so a hidden rule stands in for them: an
event is fraud with a probability that rises with its amount against the
user's 7-day mean, with many merchants in a day and with a short gap since
the user's previous event (seeded, so every run gets the same labels).

The model is trained with Debian's python3-xgboost on the features exactly
as fsfeat computed them (nulls are missing values), saved with
Booster.save_model, and its predictions on every event are written to
PREDICTIONS.txt (one per line) so that fsscore's can be compared with them.

CHARGEBACKS.ndjson gets the hidden rule's frauds as the labels that would
come back from the card network: {"tx", "ts", "label": 1}, each from 1 hour
to 3 days after its event (a few later), sorted by that time; legitimate
events never get a label, as in life (fsgroundtruth --absent-label 0).
"""
import datetime
import json
import sys

import numpy as np
import xgboost as xgb


def main():
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    src, out = sys.argv[1], sys.argv[2]
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

    # the hidden rule: a logit from three signals, then a seeded coin
    rng = np.random.default_rng(7)
    amount = np.nan_to_num(col["amt_sum_1h"] - np.nan_to_num(col["amt_max_before_1h"]))
    ratio = amount / np.maximum(np.nan_to_num(col["amt_mean_7d"], nan=50.0), 1.0)
    logit = -4.0 + 1.2 * np.log1p(ratio) + 0.35 * np.nan_to_num(col["merchants_24h"]) \
        - 0.002 * np.nan_to_num(col["gap"], nan=3600.0)
    y = (rng.random(len(X)) < 1 / (1 + np.exp(-np.clip(logit, -30, 30)))).astype(np.float64)

    split = int(len(X) * 0.8)
    dtrain = xgb.DMatrix(X[:split], y[:split], feature_names=names, missing=np.nan)
    dtest = xgb.DMatrix(X[split:], y[split:], feature_names=names, missing=np.nan)
    params = {"objective": "binary:logistic", "max_depth": 4, "eta": 0.2, "nthread": 1,
              "seed": 1, "eval_metric": "auc"}
    result = {}
    bst = xgb.train(params, dtrain, 60, evals=[(dtest, "holdout")], evals_result=result,
                    verbose_eval=False)
    bst.save_model(out)
    auc = result["holdout"]["auc"][-1]
    print(f"trained on {split} events, {len(names)} features, {y.mean():.1%} fraud; "
          f"holdout AUC {auc:.3f}; saved {out}")
    if len(sys.argv) == 5:
        write_chargebacks(sys.argv[4], events, y)
    if len(sys.argv) >= 4:
        preds = bst.predict(xgb.DMatrix(X, feature_names=names, missing=np.nan))
        np.savetxt(sys.argv[3], preds.astype(np.float64), fmt="%.17g")


def write_chargebacks(path, events, y):
    rng = np.random.default_rng(11)
    out = []
    for (tx, ts), fraud in zip(events, y):
        if not fraud or tx is None:
            continue
        t = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
        delay = 3600 + rng.gamma(2.0, 0.5) * 86400      # hours to days, a long tail
        out.append((int(t + delay), tx))
    out.sort()
    with open(path, "w") as f:
        for t, tx in out:
            when = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
            f.write(json.dumps({"tx": tx, "ts": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "label": 1},
                               separators=(",", ":")) + "\n")
    print(f"{len(out)} chargebacks written to {path}, from 1 hour to days after their event")


if __name__ == "__main__":
    main()
