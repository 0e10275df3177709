#!/usr/bin/python3
"""Export a scikit-learn linear model to the fstools linear format (fsscore(1)).

    from export_linear import to_fstools_linear
    json.dump(to_fstools_linear(pipeline, feature_names), open("model.json", "w"))

Takes LogisticRegression (binary), SGDClassifier (binary; loss="log_loss" gets
the logistic link, other losses the decision function), LinearRegression,
Ridge, Lasso or SGDRegressor, alone or as the last step of a Pipeline whose
earlier steps are a SimpleImputer (strategy "mean", "median" or "constant")
and/or a StandardScaler. fsscore then gives predict_proba(X)[:, 1] for
classifiers with a logistic link and predict(X) or decision_function(X)
otherwise.
"""
import json
import sys


def to_fstools_linear(model, feature_names):
    steps = model.steps if hasattr(model, "steps") else [("model", model)]
    est = steps[-1][1]
    names = [str(n) for n in feature_names]
    doc = {"format": "fstools-linear", "version": 1}
    for _, step in steps[:-1]:
        kind = type(step).__name__
        if kind == "StandardScaler":
            if step.with_mean:
                doc["center"] = dict(zip(names, map(float, step.mean_)))
            if step.with_std:
                doc["scale"] = dict(zip(names, map(float, step.scale_)))
        elif kind == "SimpleImputer":
            doc["impute"] = dict(zip(names, map(float, step.statistics_)))
        else:
            raise ValueError(f"pipeline step {kind} has no fstools-linear form")
    coef = est.coef_.ravel() if est.coef_.ndim == 1 or est.coef_.shape[0] == 1 else None
    if coef is None:
        raise ValueError("only binary classifiers and single-output regressors export")
    intercept = est.intercept_
    intercept = float(intercept[0] if hasattr(intercept, "__len__") else intercept)
    logistic = type(est).__name__ == "LogisticRegression" or getattr(est, "loss", "") in ("log_loss", "log")
    doc["link"] = "logistic" if logistic else "identity"
    doc["intercept"] = intercept
    doc["weights"] = dict(zip(names, map(float, coef)))
    return doc


if __name__ == "__main__":
    # A demonstration: train on scikit-learn's breast cancer set, export.
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)
    json.dump(to_fstools_linear(pipe, X.columns), sys.stdout, indent=1)
    print()
