#!/bin/sh
# tests/cli/fsfeat.sh: golden end-to-end tests of fsfeat, one TAP line per case.
#
# Each case tests/cli/fsfeat/NAME.sh runs in a fresh scratch directory with
# the fixtures of tests/cli/fsfeat/data copied in; its stdout, stderr and exit
# status must equal NAME.stdout, NAME.stderr and NAME.exit. The name states the
# rule the case checks. To regenerate the golden files on purpose:
#   FS_REGEN=1 sh tests/cli/fsfeat.sh
. "$(dirname "$0")/../lib.sh"
golden "$top_srcdir/tests/cli/fsfeat"
exit 0
