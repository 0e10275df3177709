#!/bin/sh
# tests/cli/fsgroundtruth.sh: golden end-to-end tests of fsgroundtruth, one TAP line per case.
#
# Each case tests/cli/fsgroundtruth/NAME.sh runs in a fresh scratch directory with
# the fixtures of tests/cli/fsgroundtruth/data copied in; its stdout, stderr and exit
# status must equal NAME.stdout, NAME.stderr and NAME.exit. To regenerate the
# golden files on purpose:
#   FS_REGEN=1 sh tests/cli/fsgroundtruth.sh
. "$(dirname "$0")/../lib.sh"
golden "$top_srcdir/tests/cli/fsgroundtruth"
exit 0
