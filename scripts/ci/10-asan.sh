#!/usr/bin/env bash
# CI stage (issue #10): the whole test suite again, built with ASan + UBSan
# (-DNDES_SANITIZE=address,undefined) in a build directory of its own. Any sanitizer
# report from any process (tests, ndes_exporter, ndes_renew_hook) fails the stage, as
# does any failing test. No suppressions. Runs tests/sanitize/run-asan-tests.sh, which
# prints the time the build and the tests took.
set -euo pipefail

here="${here:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=scripts/lib/ci_stage.sh
. "$here/scripts/lib/ci_stage.sh"

# One run on the 2-core build machine, shared with other builds: build 885 s, ctest
# 468 s, no sanitizer report. NDES_CI_ASAN=0 skips the stage (a quick local run).
ci_stage_switch asan NDES_CI_ASAN
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
