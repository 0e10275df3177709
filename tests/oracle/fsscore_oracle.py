#!/usr/bin/python3
"""fsscore's predictions checked against python3-xgboost and scikit-learn.

Trains models on scikit-learn's bundled datasets (and two synthetic ones for
missing values and categorical splits), saves them as JSON, scores the same
rows with fsscore, and compares every prediction with Booster.predict
(within 1e-6) or the scikit-learn estimator (within 1e-9). The rows include
every split threshold of every tree, exactly and one float below, since
XGBoost compares in float32 and a wrong rounding shows there. Each XGBoost
model is scored a second time after conversion to the 2.x JSON schema
(xgb_v2.py). Prints TAP.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn import datasets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))
import xgb_v2  # noqa: E402
from export_linear import to_fstools_linear  # noqa: E402

TOL_XGB = 1e-6
TOL_LINEAR = 1e-9
results = []


def report(ok, name, detail=""):
    results.append((ok, name, detail))


def threshold_rows(model_json, X, limit=3000):
    """Rows whose value for a split's feature is exactly its threshold, and
    the float32 just below it."""
    rng = np.random.default_rng(7)
    learner = model_json["learner"]
    gb = learner["gradient_booster"]
    trees = (gb["gbtree"] if gb["name"] == "dart" else gb)["model"]["trees"]
    rows = []
    for tree in trees:
        for node, left in enumerate(tree["left_children"]):
            if left == -1 or (tree.get("split_type") and tree["split_type"][node] == 1):
                continue
            f, t = tree["split_indices"][node], np.float32(tree["split_conditions"][node])
            for v in (t, np.nextafter(t, np.float32(-np.inf))):
                row = X[rng.integers(len(X))].copy()
                row[f] = float(v)
                rows.append(row)
    rows = rows[:limit]
    return np.array(rows) if rows else np.empty((0, X.shape[1]))


def write_events(path, X, names, top_level=False):
    with open(path, "w") as f:
        for i, row in enumerate(X):
            feats = {n: (None if np.isnan(v) else float(v)) for n, v in zip(names, row)}
            ev = {"id": i, **feats} if top_level else {"id": i, "features": feats}
            f.write(json.dumps(ev) + "\n")


def run_fsscore(fsscore, model, events, extra=()):
    p = subprocess.run([fsscore, "--model", model, *extra, events], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"fsscore exited {p.returncode}: {p.stderr.strip()}")
    return [json.loads(line) for line in p.stdout.splitlines()]


def compare(name, got, want, tol):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        report(False, name, f"shape {got.shape} != {want.shape}")
        return
    err = np.abs(got - want)
    worst = int(np.argmax(err)) if err.size else 0
    ok = err.size and bool(np.all(err <= tol))
    report(ok, f"{name}: {got.shape[0]} rows within {tol:g}",
           "" if ok else f"row {worst}: fsscore {got.flat[worst]!r}, oracle {want.flat[worst]!r}")


def check_xgb(args, name, bst, X, names, multiclass=False, feature_types=None, extra=(),
              json_names=True):
    path = os.path.join(args.workdir, name + ".json")
    bst.save_model(path)
    model_json = json.load(open(path))
    rows = np.vstack([X, threshold_rows(model_json, X)])
    dm = xgb.DMatrix(rows, feature_names=names if json_names else None,
                     feature_types=feature_types, enable_categorical=feature_types is not None,
                     missing=np.nan)
    want = bst.predict(dm)
    events = os.path.join(args.workdir, name + ".ndjson")
    write_events(events, rows, names)
    v2 = os.path.join(args.workdir, name + ".v2.json")
    json.dump(xgb_v2.to_v2(model_json), open(v2, "w"))
    outs = {}
    for schema, model in (("1.x", path), ("2.x", v2)):
        try:
            out = run_fsscore(args.fsscore, model, events, extra)
        except RuntimeError as e:
            report(False, f"{name} ({schema} schema)", str(e))
            continue
        outs[schema] = [{k: v for k, v in o.items() if k != "model"} for o in out]
        if multiclass:
            probs = np.array([o["scores"] for o in out])
            if bst.attr("objective") == "multi:softmax" or model_json["learner"]["objective"]["name"] == "multi:softmax":
                classes = np.array([o["class"] for o in out])
                ok = classes.shape == want.shape and bool(np.all(classes == want))
                report(ok, f"{name} ({schema} schema): class equals Booster.predict on {len(rows)} rows",
                       "" if ok else f"first difference at row {int(np.argmax(classes != want))}")
                margin = bst.predict(dm, output_margin=True).astype(np.float32)
                e = np.exp(margin - margin.max(axis=1, keepdims=True))
                compare(f"{name} ({schema} schema) scores vs softmax of the margins", probs,
                        e / e.sum(axis=1, keepdims=True), TOL_XGB)
            else:
                compare(f"{name} ({schema} schema)", probs, want, TOL_XGB)
                classes = np.array([o["class"] for o in out])
                ok = bool(np.all(classes == np.argmax(want, axis=1)))
                report(ok, f"{name} ({schema} schema): class is the most probable one")
        else:
            compare(f"{name} ({schema} schema)", [o["score"] for o in out], want, TOL_XGB)
    if len(outs) == 2:
        report(outs["1.x"] == outs["2.x"], f"{name}: the 1.x and 2.x schemas give the same bytes")


def xgb_models(args):
    params = {"nthread": 1, "seed": 1, "max_depth": 4, "eta": 0.3}

    bc = datasets.load_breast_cancer(as_frame=True)
    Xb, yb, nb = bc.data.to_numpy(), bc.target.to_numpy(), list(bc.data.columns)
    for obj, extra in (("binary:logistic", {}), ("binary:logitraw", {"base_score": 0.3}),
                       ("reg:logistic", {"base_score": 0.7})):
        bst = xgb.train({**params, "objective": obj, **extra}, xgb.DMatrix(Xb, yb, feature_names=nb), 30)
        check_xgb(args, "breast-cancer-" + obj.replace(":", "-"), bst, Xb, nb)

    # DART, with its per-tree weights
    bst = xgb.train({**params, "booster": "dart", "objective": "binary:logistic", "rate_drop": 0.2,
                     "skip_drop": 0.0, "base_score": 0.3}, xgb.DMatrix(Xb, yb, feature_names=nb), 25)
    check_xgb(args, "breast-cancer-dart", bst, Xb, nb)

    # a forest per round (num_parallel_tree)
    bst = xgb.train({**params, "objective": "binary:logistic", "num_parallel_tree": 3, "subsample": 0.7,
                     "colsample_bynode": 0.6}, xgb.DMatrix(Xb, yb, feature_names=nb), 5)
    check_xgb(args, "breast-cancer-forest", bst, Xb, nb)

    # missing values: 25% of the training and scoring values are NaN
    rng = np.random.default_rng(3)
    Xm = Xb.copy()
    Xm[rng.random(Xm.shape) < 0.25] = np.nan
    bst = xgb.train({**params, "objective": "binary:logistic"}, xgb.DMatrix(Xm, yb, feature_names=nb,
                                                                          missing=np.nan), 30)
    check_xgb(args, "breast-cancer-missing", bst, Xm, nb)

    # no feature names in the model: --features names them
    bst = xgb.train({**params, "objective": "binary:logistic"}, xgb.DMatrix(Xb, yb), 10)
    fnames = [f"c{i}" for i in range(Xb.shape[1])]
    check_xgb(args, "breast-cancer-unnamed", bst, Xb, fnames, extra=("--features", ",".join(fnames)),
              json_names=False)

    for loader, obj in ((datasets.load_iris, "multi:softprob"), (datasets.load_wine, "multi:softmax"),
                        (datasets.load_wine, "multi:softprob")):
        d = loader(as_frame=True)
        X, y, n = d.data.to_numpy(), d.target.to_numpy(), list(d.data.columns)
        bst = xgb.train({**params, "objective": obj, "num_class": int(y.max()) + 1},
                        xgb.DMatrix(X, y, feature_names=n), 20)
        check_xgb(args, f"{loader.__name__[5:]}-{obj.replace(':', '-')}", bst, X, n, multiclass=True)

    d = datasets.load_diabetes(as_frame=True)
    X, y, n = d.data.to_numpy(), d.target.to_numpy(), list(d.data.columns)
    for obj in ("reg:squarederror", "count:poisson"):
        bst = xgb.train({**params, "objective": obj}, xgb.DMatrix(X, y, feature_names=n), 40)
        check_xgb(args, "diabetes-" + obj.replace(":", "-"), bst, X, n)

    # categorical splits: two category columns (codes), partition-based splits
    rng = np.random.default_rng(5)
    N = 3000
    c1, c2 = rng.integers(0, 12, N), rng.integers(0, 40, N)
    num = rng.normal(size=N)
    y = ((np.isin(c1, [1, 4, 7, 9]) ^ (c2 % 3 == 0)) + (num > 0.5)).astype(float)
    df = pd.DataFrame({"merchant_type": pd.Categorical(c1), "country": pd.Categorical(c2), "amount_z": num})
    bst = xgb.train({**params, "objective": "reg:squarederror", "tree_method": "hist",
                     "max_cat_to_onehot": 1, "max_depth": 5},
                    xgb.DMatrix(df, y, enable_categorical=True), 30)
    X = np.column_stack([c1, c2, num]).astype(float)
    # unseen, negative, fractional and missing categories too
    edge = np.array([[12, 3, 0.1], [-1, 5, 0.2], [2.7, 39.9, 0.3], [np.nan, 1, 0.4], [1e8, 40, 0.5],
                     [3, np.nan, np.nan], [16777216, 0, 0], [-0.5, 0, 0]], dtype=float)
    types = ["c", "c", "q"]
    check_xgb(args, "categorical", bst, np.vstack([X, edge]), list(df.columns), feature_types=types)


def linear_models(args):
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    bc = datasets.load_breast_cancer(as_frame=True)
    X, y, names = bc.data.to_numpy(), bc.target.to_numpy(), list(bc.data.columns)
    rng = np.random.default_rng(11)
    Xm = X.copy()
    Xm[rng.random(X.shape) < 0.1] = np.nan
    d = datasets.load_diabetes(as_frame=True)
    cases = [
        ("logistic-regression", make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)), X, y, names, True),
        ("logistic-regression-raw", LogisticRegression(max_iter=20000, C=0.5), X / X.max(axis=0), y, names, True),
        ("logistic-regression-missing", make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=5000)),
         Xm, y, names, True),
        ("sgd-classifier", make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss", random_state=0)), X, y, names, True),
        ("linear-regression", LinearRegression(), d.data.to_numpy(), d.target.to_numpy(), list(d.data.columns), False),
        ("linear-regression-scaled", make_pipeline(StandardScaler(), LinearRegression()), d.data.to_numpy(),
         d.target.to_numpy(), list(d.data.columns), False),
    ]
    for name, model, Xc, yc, n, proba in cases:
        model.fit(Xc, yc)
        path = os.path.join(args.workdir, name + ".json")
        json.dump(to_fstools_linear(model, n), open(path, "w"))
        events = os.path.join(args.workdir, name + ".ndjson")
        write_events(events, Xc, n, top_level=True)
        want = model.predict_proba(Xc)[:, 1] if proba else model.predict(Xc)
        try:
            out = run_fsscore(args.fsscore, path, events, ("--from", "."))
        except RuntimeError as e:
            report(False, name, str(e))
            continue
        compare(f"fstools-linear {name}", [o["score"] for o in out], want, TOL_LINEAR)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsscore", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    xgb_models(args)
    linear_models(args)
    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if detail:
            print(f"# {detail}")


if __name__ == "__main__":
    main()
