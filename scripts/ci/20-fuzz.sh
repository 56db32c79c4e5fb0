#!/usr/bin/env bash
# CI stage (issue #10): every libFuzzer target for NDES_FUZZ_SECONDS (default 60) each,
# built with clang and -DNDES_FUZZ=ON in a build directory of its own. The targets are
# the ones tests/fuzz/CMakeLists.txt declares with ndes_fuzz_target() (read from
# <build>/fuzz/targets.txt), so a new target runs here without editing this file.
# A crash, leak, sanitizer report, hang or out-of-memory fails the stage; the summary
# names the target and the artifact, and the artifact's bytes are printed (base64) so
# the finding survives the CI machine. Details: tests/fuzz/README.md.
set -euo pipefail

here="${here:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=scripts/lib/install.sh
. "$here/scripts/lib/install.sh"
install_missing build fuzz

build_parent="$(cd "$(dirname "${NDES_BUILD_DIR:-$here/build}")" && pwd)"
export NDES_FUZZ_BUILD_DIR="${NDES_FUZZ_BUILD_DIR:-$build_parent/build-fuzz}"
seconds="${NDES_FUZZ_SECONDS:-60}"
# One target per core: 7 targets x 60 s take half the time on the 2-core CI machine.
export NDES_FUZZ_PARALLEL="${NDES_FUZZ_PARALLEL:-$(nproc 2>/dev/null || echo 2)}"

start=$(date +%s)
set +e
bash "$here/tests/fuzz/run-fuzzers.sh" "$seconds"
rc=$?
set -e
echo "20-fuzz: $(( $(date +%s) - start ))s in all (build + ${seconds}s per target, $NDES_FUZZ_PARALLEL at once), exit $rc"
if [ "$rc" -ne 0 ]; then
  echo "20-fuzz: FAILED: a fuzz target found a problem (see the summary above)" >&2
fi
exit "$rc"
