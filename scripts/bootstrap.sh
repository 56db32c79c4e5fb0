#!/usr/bin/env bash
# The README's two commands, for a fresh Debian 12 machine:
#   scripts/bootstrap.sh demo   install what is missing, build, run the exporter on the demo store
#   scripts/bootstrap.sh test   install what is missing, build, run every test
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${NDES_BUILD_DIR:-$here/build}"
jobs="$(nproc 2>/dev/null || echo 2)"

usage() { echo "usage: $0 demo|test" >&2; exit 2; }
[ $# -ge 1 ] || usage
mode="$1"; shift

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the packages of the given groups that are not installed yet.
install_missing() {
  local missing=()
  local group pkg
  while read -r group pkg; do
    case "$group" in ''|'#'*) continue ;; esac
    for want in "$@"; do
      if [ "$group" = "$want" ] && ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
        missing+=("$pkg")
      fi
    done
  done < "$here/scripts/debian-packages.txt"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

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
    cd "$build_dir"
    ctest --output-on-failure --timeout 600 -j "$jobs" "$@"
    ;;
  *) usage ;;
esac
