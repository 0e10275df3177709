#!/bin/sh
# tests/oracle/fsfeat-pandas.sh: fsfeat's features checked against pandas.
#
# tests/oracle/fsfeat_oracle.py generates a seeded stream of >= 100,000 events
# over >= 3,000 skewed keys (RFC 3339 times with mixed offsets, and a second
# run with epoch milliseconds), runs fsfeat with a spec covering every
# aggregation, window and key kind, and compares every feature of every event
# with values computed independently (pandas groupby-rolling/ewm, and plain
# Python where pandas cannot express the contract). It prints the TAP.
# Needs python3-pandas (Debian); skipped when it is missing.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
LC_ALL=C
export LC_ALL
PY=/usr/bin/python3

if ! "$PY" -c 'import pandas, numpy' >/dev/null 2>&1; then
	echo "1..0 # SKIP python3-pandas missing: apt-get install -y python3-pandas"
	exit 0
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fsfeat-oracle.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP

"$PY" "$top_srcdir/tests/oracle/fsfeat_oracle.py" \
	--fsfeat "$top_builddir/fsfeat" --workdir "$TMP" >"$TMP/tap" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && head -n 1 "$TMP/tap" | grep -q '^1\.\.[0-9]'; then
	cat "$TMP/tap"
else
	# the oracle itself failed: report it as one failing test with its output
	echo "1..1"
	echo "not ok 1 - fsfeat_oracle.py ran to the end (exit $rc)"
	sed 's/^/# /' "$TMP/tap" "$TMP/err" | tail -n 40
fi
exit 0
