#!/usr/bin/env bash
# CI stage: the benchmarks build, and the macro script runs at its smallest size
# (issue #9). Benchmarks are not tests: no number here fails the run, only a
# benchmark that cannot run. The report goes to $NDES_BUILD_DIR/bench/performance.md,
# never to docs/.
set -euo pipefail
here="${here:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
build_dir="${NDES_BUILD_DIR:-$here/build}"
# shellcheck source=scripts/lib/install.sh
. "$here/scripts/lib/install.sh"
install_missing build test bench

# The main build already has the bench binaries (NDES_BUILD_BENCH follows
# NDES_BUILD_TESTS); this only builds what is missing.
cmake -S "$here" -B "$build_dir" -DNDES_BUILD_BENCH=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc 2>/dev/null || echo 2)" --target ndes_bench
if ! timeout 900 python3 "$here/bench/run_macro.py" --quick --build-dir "$build_dir" \
    --out "$build_dir/bench/performance.md"; then
  echo "40-bench: the macro benchmarks failed (bench/run_macro.py --quick)" >&2
  exit 1
fi
echo "40-bench: report in $build_dir/bench/performance.md"
