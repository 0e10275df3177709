#!/bin/sh
# tests/oracle/fsscore-learn.sh: fsscore --learn against transcriptions of its
# update rules (FTRL-Proximal from the paper's pseudocode, AdaGrad, SGD) and
# scikit-learn's SGDClassifier on the demo stream; see fsscore_learn_oracle.py.
. "$(dirname "$0")/../lib.sh"
py_oracle "sklearn scipy numpy" "python3-sklearn python3-scipy" fsscore_learn_oracle.py \
	--fsscore "$top_builddir/fsscore" --top "$top_srcdir" --builddir "$top_builddir"
exit 0
