#!/bin/sh
# tests/oracle/fspsi-scipy.sh: fspsi's baselines and drift metrics checked
# against numpy and scipy.
#
# tests/oracle/fspsi_oracle.py fits a baseline on seeded training data and
# checks it against numpy.quantile and friends, then streams data with known
# shifts and recomputes every window's PSI, Jensen-Shannon distance and KS
# from its raw values (within 1e-9). It prints the TAP.
. "$(dirname "$0")/../lib.sh"
py_oracle "numpy scipy" "python3-scipy" fspsi_oracle.py --fspsi "$top_builddir/fspsi"
exit 0
