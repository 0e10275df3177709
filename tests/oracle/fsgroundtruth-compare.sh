#!/bin/sh
# tests/oracle/fsgroundtruth-compare.sh: fsgroundtruth's champion/challenger
# comparisons (--compare FIELD, --compare-scores A,B, --horizon) checked
# against scikit-learn, statsmodels and a transcription of DeLong, DeLong &
# Clarke-Pearson (1988).
#
# tests/oracle/fsgroundtruth_compare_oracle.py generates seeded predictions
# over 7 days (an A/B split and a shadow run of the same events, tied
# scores, unlabeled predictions, --absent-label 0), works out each window's
# compare record from the spec's rules and checks, within 1e-9: each arm's
# counts and metrics (sklearn), its Wilson intervals (statsmodels
# proportion_confint), its DeLong AUC variance and interval, the unpaired and
# paired (covariance) test of the AUC difference, z, p-value and the verdict
# under --alpha and --min-labels (the DeLong components from the O(m*n)
# table of psi, no ranks); the running looks of --horizon with obf, pocock,
# fixed and no spending; arms with one class, one positive or nothing
# labeled; identical scores; rejected predictions; and --alert on compare
# records (exit 2). It prints the TAP.
. "$(dirname "$0")/../lib.sh"
py_oracle "numpy scipy sklearn statsmodels" "python3-sklearn python3-scipy python3-statsmodels" \
	fsgroundtruth_compare_oracle.py --fsgroundtruth "$top_builddir/fsgroundtruth"
exit 0
