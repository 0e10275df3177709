#!/bin/sh
# tests/oracle/ab-simulation.sh: fsgroundtruth's champion/challenger
# comparisons (--compare, --compare-scores, --horizon, --spending) by
# simulation, with fixed seeds.
#
# tests/oracle/ab_simulation.py draws binormal scores (AUC 0.80 for both
# models, or 0.80 against 0.83) for an A/B split (--compare arm, unpaired)
# and a shadow model (--compare-scores score,score_shadow, paired) and
# shows: with identical models the verdict names a winner in no more than
# binom.ppf(0.999, 200, 0.05) of 200 daily windows; a challenger better by
# 0.03 AUC is named (never the champion) within the horizon a power
# calculation gives in at least 80% of 50 runs, in both designs; over 200
# runs of 10 looks --spending none inflates the false positives beyond that
# bound while obf, pocock and fixed stay within it. It also checks the
# records' z against DeLong's computed with numpy, and alpha_spent and
# alpha_look against the spending functions. It prints the measured rates as
# TAP diagnostics, and the TAP.
. "$(dirname "$0")/../lib.sh"
py_oracle "numpy scipy" "python3-numpy python3-scipy" ab_simulation.py --fsgroundtruth "$top_builddir/fsgroundtruth"
exit 0
