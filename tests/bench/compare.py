#!/usr/bin/python3
"""Check that fsfeat and the pandas baseline compute the same features.

usage: compare.py FSFEAT_ROWS.ndjson PANDAS.ndjson

FSFEAT_ROWS is `fsfeat --spec spec8.json --emit rows` output, PANDAS is
features_pandas.py output for the same input.  Prints one line and exits 1
if any value differs (relative 1e-9, absolute 1e-6; null must match null).
"""
import sys

import numpy as np
import pandas as pd

kw = dict(lines=True, convert_dates=False, keep_default_dates=False, dtype=False)
fs = pd.read_json(sys.argv[1], **kw)
pd_ = pd.read_json(sys.argv[2], **kw)
feats = pd.json_normalize(fs["features"])
if len(fs) != len(pd_) or not (fs["user_id"].astype(str) == pd_["user_id"].astype(str)).all() \
        or not (fs["ts"] == pd_["ts"]).all():
    print("cross-check: the two outputs do not list the same events (%d vs %d lines)"
          % (len(fs), len(pd_)))
    sys.exit(1)
bad = []
for c in feats.columns:
    x = pd.to_numeric(feats[c], errors="coerce").to_numpy(float)
    y = pd.to_numeric(pd_[c], errors="coerce").to_numpy(float)
    diff = ~((np.isnan(x) & np.isnan(y)) | np.isclose(x, y, rtol=1e-9, atol=1e-6))
    if diff.any():
        i = int(np.argmax(diff))
        bad.append("%s: %d differ, first at line %d (fsfeat %r, pandas %r)"
                   % (c, diff.sum(), i + 1, x[i], y[i]))
if bad:
    print("cross-check MISMATCH on %d events: %s" % (len(fs), "; ".join(bad)))
    sys.exit(1)
print("cross-check OK: fsfeat and pandas agree on all %d features of %d events"
      % (feats.shape[1], len(fs)))
