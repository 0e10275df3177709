# tests/lib.sh: shared set-up for the end-to-end shell tests (sourced).
#
# Sets top_srcdir/top_builddir when run by hand, puts the built programs
# first on PATH, makes a scratch directory removed at exit, and prints TAP.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
PATH="$top_builddir:$PATH"
export LC_ALL=C
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fstools-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
tap_n=0
tap_failed=0

plan() { echo "1..$1"; }
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=1; echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
diag() { sed 's/^/# /'; }
