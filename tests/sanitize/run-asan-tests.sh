#!/usr/bin/env bash
# The whole test suite under ASan + UBSan (issue #10):
#   tests/sanitize/run-asan-tests.sh [CTEST_ARGS...]
# Builds <src>/build-asan with -DNDES_SANITIZE=address,undefined (gcc is fine), runs
# ctest, and fails if any process wrote a sanitizer report. The tests start the real
# binaries (ndes_exporter, ndes_renew_hook) and those may exit or be killed without
# a test looking at their stderr, so every report goes to a file in
# <build>/sanitizer-logs (log_path) and any file there fails the run, whichever
# process wrote it. No suppressions are used.
#
# Environment: NDES_ASAN_BUILD_DIR (default <src>/build-asan), NDES_ASAN_JOBS
# (default nproc), NDES_ASAN_CXX (default: CMake's choice).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../.." && pwd)"
build="${NDES_ASAN_BUILD_DIR:-$src/build-asan}"
jobs="${NDES_ASAN_JOBS:-$(nproc 2>/dev/null || echo 2)}"

# -O1 -g1: ASan's recommended optimisation level, and line tables only (file:line in
# every report): less to compile than RelWithDebInfo's -O2 -g, in CI's 60 minutes.
# The benchmarks are not tests and are left out.
configure=(-S "$src" -B "$build" -DNDES_SANITIZE=address,undefined
           -DCMAKE_BUILD_TYPE=ASan -DCMAKE_CXX_FLAGS_ASAN="-O1 -g1"
           -DNDES_BUILD_TESTS=ON -DNDES_BUILD_BENCH=OFF)
if [ -n "${NDES_ASAN_CXX:-}" ]; then configure+=(-DCMAKE_CXX_COMPILER="$NDES_ASAN_CXX"); fi
start=$(date +%s)
cmake "${configure[@]}" >/dev/null
cmake --build "$build" -j "$jobs"
built=$(date +%s)

logs="$build/sanitizer-logs"
rm -rf "$logs"; mkdir -p "$logs"
# abort_on_error: a report kills the process with SIGABRT, so a test that checks the
# exit status sees it too. detect_leaks: LSan at every normal exit.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$logs/asan:log_exe_name=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=$logs/ubsan:log_exe_name=1"
set +e
(cd "$build" && ctest --output-on-failure --timeout 600 -j "$jobs" "$@")
rc=$?
set -e
done_at=$(date +%s)

reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
  echo "run-asan-tests: sanitizer reports:" >&2
  for f in $reports; do echo "--- $f" >&2; cat "$f" >&2; done
  rc=1
fi
echo "run-asan-tests: build $((built - start))s, ctest $((done_at - built))s, exit $rc"
exit "$rc"
