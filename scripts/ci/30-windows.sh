#!/usr/bin/env bash
# CI stage: the Windows cross build and its tests under wine (docs/windows.md).
#   cmake --workflow --preset windows-cross
# builds the dependencies from Debian source packages, then ndes_exporter.exe and
# ndes_renew_hook.exe, then runs the Windows tests under wine. The dependencies are
# kept outside the clone, in $NDES_WINDOWS_DEPS_CACHE (default
# ~/.cache/ndes_exporter/windows-deps), in a folder named by the hash of what they are
# built from (the pins, build-deps.sh and the toolchain file): a second run with the
# same pins builds none of them; a cold run builds them all (~10 min of CPU).
# The preset's build tree is build/windows-cross in the source tree (the preset
# fixes it), next to the main build.
# Run by `scripts/bootstrap.sh test` after the main suite; NDES_CI_WINDOWS=0 skips it.
set -euo pipefail

here="${here:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=scripts/lib/ci_stage.sh
. "$here/scripts/lib/ci_stage.sh"

ci_stage_switch windows NDES_CI_WINDOWS

install_missing windows

start=$(date +%s)
step() {  # NAME COMMAND...: runs one workflow step, says which one failed and where to look
  local name="$1"
  shift
  echo "ci/windows: $name"
  if ! "$@"; then
    echo "ci/windows: FAILED at '$name' after $(($(date +%s) - start)) s." >&2
    case "$name" in
      configure)
        echo "ci/windows: the dependencies (cmake/windows-deps/build-deps.sh) or the configure" \
          "failed; the dependency logs are in $deps_cache/$deps_key/logs/." \
          "A pin Debian no longer serves is listed with the versions on offer above" \
          "(fix cmake/windows-deps/versions.txt)." >&2
        ;;
      build) echo "ci/windows: the mingw-w64 build of the project failed (see above)." >&2 ;;
      test)
        echo "ci/windows: a Windows test failed under wine (see above;" \
          "build/windows-cross/Testing/Temporary/LastTest.log has every test's output)." >&2
        ;;
    esac
    exit 1
  fi
}

cd "$here"
# The three workflow steps one by one (the same as `cmake --workflow --preset
# windows-cross`), so a failure names its step.
deps_key="$(cat cmake/windows-deps/versions.txt cmake/windows-deps/build-deps.sh \
  cmake/toolchains/mingw-w64-x86_64.cmake | sha256sum | cut -c1-16)"
deps_cache="${NDES_WINDOWS_DEPS_CACHE:-${HOME:-/root}/.cache/ndes_exporter/windows-deps}"
deps_prefix="$deps_cache/$deps_key/prefix"
echo "ci/windows: dependencies in $deps_prefix"
step configure cmake --preset windows-cross -DNDES_WINDOWS_DEPS_PREFIX="$deps_prefix"
step build cmake --build --preset windows-cross
step test ctest --preset windows-cross
echo "ci/windows: passed in $(($(date +%s) - start)) s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
