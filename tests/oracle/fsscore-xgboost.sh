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
# Needs python3-xgboost and python3-sklearn (Debian); skipped without them.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
LC_ALL=C
export LC_ALL
PY=/usr/bin/python3

if ! "$PY" -c 'import xgboost, sklearn, pandas' >/dev/null 2>&1; then
	echo "1..0 # SKIP python3-xgboost or python3-sklearn missing: apt-get install -y python3-xgboost python3-sklearn"
	exit 0
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fsscore-oracle.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP

"$PY" "$top_srcdir/tests/oracle/fsscore_oracle.py" \
	--fsscore "$top_builddir/fsscore" --workdir "$TMP" >"$TMP/tap" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && head -n 1 "$TMP/tap" | grep -q '^1\.\.[0-9]'; then
	cat "$TMP/tap"
else
	echo "1..1"
	echo "not ok 1 - fsscore_oracle.py ran to the end (exit $rc)"
	sed 's/^/# /' "$TMP/tap" "$TMP/err" | tail -n 40
fi
exit 0
