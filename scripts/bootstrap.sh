#!/usr/bin/env bash
# The README's two commands, for a fresh Debian 12 machine:
#   scripts/bootstrap.sh demo   install what is missing, build, run the exporter on the demo store
#   scripts/bootstrap.sh test   install what is missing, build, run every test
#   scripts/bootstrap.sh loop   install what is missing, build, run the whole loop locally
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${NDES_BUILD_DIR:-$here/build}"
jobs="$(nproc 2>/dev/null || echo 2)"

usage() { echo "usage: $0 demo|test|loop" >&2; exit 2; }
[ $# -ge 1 ] || usage
mode="$1"; shift

# shellcheck source=scripts/lib/install.sh
. "$here/scripts/lib/install.sh"

build() {
  cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
  cmake --build "$build_dir" -j "$jobs"
}

case "$mode" in
  demo)
    install_missing build
    build -DNDES_BUILD_TESTS=OFF
    exec "$build_dir/bin/ndes_exporter" --demo "$@"
    ;;
  test)
    install_missing build test
    build -DNDES_BUILD_TESTS=ON
    (cd "$build_dir" && ctest --output-on-failure --timeout 600 -j "$jobs" "$@")
    # Further CI stages (other builds: sanitizers, fuzzing, Windows, benchmarks), one
    # script each, run in name order. Each installs its own package group.
    # NDES_CI_STAGES=0 runs the main suite only.
    [ "${NDES_CI_STAGES:-1}" = 0 ] && exit 0
    for stage in "$here"/scripts/ci/*.sh; do
      [ -e "$stage" ] || continue
      echo "bootstrap: stage $(basename "$stage")"
      here="$here" NDES_BUILD_DIR="$build_dir" bash "$stage"
    done
    ;;
  loop)
    # See the whole loop (README): exporter, Prometheus, two Alertmanagers and the renew
    # hook on loopback, wired as tests/e2e does. Ctrl-C stops them all.
    install_missing build test
    build -DNDES_BUILD_TESTS=OFF
    exec python3 "$here/scripts/loop/see_the_loop.py" --build-dir "$build_dir" "$@"
    ;;
  *) usage ;;
esac
