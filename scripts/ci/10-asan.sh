#!/usr/bin/env bash
# CI stage (issue #10): the whole test suite again, built with ASan + UBSan
# (-DNDES_SANITIZE=address,undefined) in a build directory of its own. Any sanitizer
# report from any process (tests, ndes_exporter, ndes_renew_hook) fails the stage, as
# does any failing test. No suppressions. Runs tests/sanitize/run-asan-tests.sh, which
# prints the time the build and the tests took.
set -euo pipefail

here="${here:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=scripts/lib/install.sh
. "$here/scripts/lib/install.sh"

# Off by default (issue #10 stays open for it). One run on the 2-core build machine:
# build 902 s, ctest 428 s, no sanitizer report, but three tests whose bounds do not
# hold under ASan fail (Kill9Test.TheHookLosesAndDoublesNoRenewal and
# ScanRaceTest.NoStaleSeriesAfterTheNextScan: too slow for their windows;
# LoadTest.TwoHundredScrapers...: RSS grows with ASan's quarantine). They need
# ASan-aware bounds before this stage can gate CI. NDES_CI_ASAN=1 turns it on.
if [ "${NDES_CI_ASAN:-0}" != 1 ]; then
  echo "ci/asan: skipped (not timed yet; NDES_CI_ASAN=1 runs it)"
  exit 0
fi
install_missing build test

build_parent="$(cd "$(dirname "${NDES_BUILD_DIR:-$here/build}")" && pwd)"
export NDES_ASAN_BUILD_DIR="${NDES_ASAN_BUILD_DIR:-$build_parent/build-asan}"

set +e
bash "$here/tests/sanitize/run-asan-tests.sh"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  echo "10-asan: FAILED: a test failed or a sanitizer reported an error (see above)" >&2
fi
exit "$rc"
