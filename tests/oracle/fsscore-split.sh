#!/bin/sh
# tests/oracle/fsscore-split.sh: fsscore's A/B split (--challenger, --split,
# --split-key, --split-seed) checked against its rule transcribed with
# python3-xxhash: u = (XXH64(key, seed) >> 11) / 2^53, challenger iff
# u < FRACTION.
#
# tests/oracle/fsscore_split_oracle.py scores 100,000 distinct entities
# (string and integer keys, and repeat events) with two fstools-linear
# models and checks every event's arm against the rule (seeds 0, 7 and
# 2^63-1; fractions 0, 0.2, 0.3, 1), the challenger's share within 5 sigma,
# the share another seed switches (2f(1-f)), the monotone ramp 0.2 -> 0.3,
# each event's score and model against fsscore --model with its arm's model
# alone, --threshold, --shadow, --batch, odd keys (non-ASCII, escaped, large
# integers, booleans), rejected keys, --kcat's @key and the refused
# combinations. It prints the TAP.
. "$(dirname "$0")/../lib.sh"
py_oracle "numpy xxhash" "python3-numpy python3-xxhash" fsscore_split_oracle.py --fsscore "$top_builddir/fsscore"
exit 0
