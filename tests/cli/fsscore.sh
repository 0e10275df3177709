#!/bin/sh
# tests/cli/fsscore.sh: golden end-to-end tests of fsscore, one TAP line per case.
#
# Each case tests/cli/fsscore/NAME.sh runs in a fresh scratch directory with
# the fixtures of tests/cli/fsscore/data copied in; its stdout, stderr and exit
# status must equal NAME.stdout, NAME.stderr and NAME.exit. The name states the
# rule the case checks. To regenerate the golden files on purpose:
#   FS_REGEN=1 sh tests/cli/fsscore.sh
. "$(dirname "$0")/../lib.sh"
golden "$top_srcdir/tests/cli/fsscore"
exit 0
