#!/bin/sh
# tests/oracle/fsscore-torch.sh: fsscore's TorchScript scoring checked against
# python3-torch.
#
# tests/oracle/fsscore_torch_oracle.py builds three small models with a fixed
# seed (an MLP returning [N,1], two heads returning a tuple of [N] tensors, a
# softmax returning [N,3]), exports each with torch.jit.script and with
# torch.jit.trace beside a FILE.pt.json sidecar, and compares every score of
# 2000 events (edge values included) with the module's own, within 1e-5, with
# --batch 1, --batch 64 and --batch 64 --threads 2; a file and a slow pipe
# give the same bytes with --batch 7; missing features are imputed from the
# sidecar or rejected. It prints the TAP, or skips when fsscore was built
# without libtorch (./configure --with-libtorch).
. "$(dirname "$0")/../lib.sh"
py_oracle "torch numpy" "python3-torch" fsscore_torch_oracle.py \
	--fsscore "$top_builddir/fsscore"
exit 0
