#!/bin/sh
# tests/cli/fsjoin.sh: golden end-to-end tests of fsjoin, one TAP line per case.
#
# Each case tests/cli/fsjoin/NAME.sh runs in a fresh scratch directory with
# the fixtures of tests/cli/fsjoin/data copied in; its stdout, stderr and exit
# status must equal NAME.stdout, NAME.stderr and NAME.exit. To regenerate the
# golden files on purpose:
#   FS_REGEN=1 sh tests/cli/fsjoin.sh
. "$(dirname "$0")/../lib.sh"
golden "$top_srcdir/tests/cli/fsjoin"
exit 0
