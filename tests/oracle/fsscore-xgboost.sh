#!/bin/sh
# tests/oracle/fsscore-xgboost.sh: fsscore's predictions checked against
# python3-xgboost and scikit-learn.
#
# tests/oracle/fsscore_oracle.py trains XGBoost models (binary, multiclass,
# regression, Poisson, DART, forests, missing values, categorical splits; in
# the 1.x schema and converted to 2.x by xgb_v2.py) and fstools-linear
# exports of scikit-learn models, scores rows including every split
# threshold, and compares fsscore with Booster.predict (1e-6) and
# predict_proba / predict (1e-9). It prints the TAP.
. "$(dirname "$0")/../lib.sh"
py_oracle "xgboost sklearn pandas" "python3-xgboost python3-sklearn" fsscore_oracle.py \
	--fsscore "$top_builddir/fsscore"
exit 0
