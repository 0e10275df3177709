#!/bin/sh
# tests/oracle/fsfeat-pandas.sh: fsfeat's features checked against pandas.
#
# tests/oracle/fsfeat_oracle.py generates a seeded stream of >= 100,000 events
# over >= 3,000 skewed keys (RFC 3339 times with mixed offsets, and a second
# run with epoch milliseconds), runs fsfeat with a spec covering every
# aggregation, window and key kind, and compares every feature of every event
# with values computed independently (pandas groupby-rolling/ewm, and plain
# Python where pandas cannot express the contract). It prints the TAP.
. "$(dirname "$0")/../lib.sh"
py_oracle "pandas numpy" "python3-pandas" fsfeat_oracle.py --fsfeat "$top_builddir/fsfeat"
exit 0
