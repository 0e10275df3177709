#!/bin/sh
# tests/oracle/fsgroundtruth-sklearn.sh: fsgroundtruth's per-window metrics
# checked against scikit-learn.
#
# tests/oracle/fsgroundtruth_oracle.py generates seeded predictions and
# delayed labels (labels before their prediction, repeated, late, never
# coming, for no prediction), works out from the spec's rules which label
# counts for which prediction and window, and checks every window's counts,
# precision/recall/F1/accuracy, ROC AUC, PR AUC, log loss, Brier, ECE and
# delay percentiles against sklearn and numpy (within 1e-9): 1d and
# 500-prediction windows, with and without --absent-label, labels from a
# file and from a pipe, multiclass with indices and with --classes names,
# and windows where a metric is undefined (null). It prints the TAP.
. "$(dirname "$0")/../lib.sh"
py_oracle "numpy sklearn" "python3-sklearn" fsgroundtruth_oracle.py --fsgroundtruth "$top_builddir/fsgroundtruth"
exit 0
