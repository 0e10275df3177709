#!/bin/sh
# tests/oracle/fsjoin-pandas.sh: fsjoin's as-of joins checked against
# pandas.merge_asof.
#
# tests/oracle/fsjoin_oracle.py joins a seeded spine to an unsorted right side
# with ties, absent keys and ttl edges, strict or not, with and without a ttl,
# and compares every event with merge_asof (by key, backward). It prints TAP.
. "$(dirname "$0")/../lib.sh"
py_oracle "pandas numpy" "python3-pandas" fsjoin_oracle.py --fsjoin "$top_builddir/fsjoin"
exit 0
