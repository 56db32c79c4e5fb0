#!/usr/bin/env bash
# Builds the Windows (mingw-w64) dependencies of ndes_exporter from Debian's source
# packages, pinned in versions.txt, into one static prefix:
#
#   build-deps.sh --prefix DIR --work DIR [--toolchain FILE] [--jobs N]
#
# Each package is fetched with `apt-get source --download-only PACKAGE=VERSION` into
# WORK/src, unpacked with Debian's patches applied (dpkg-source -x), built in
# WORK/build and installed into PREFIX. A package whose stamp (version + the hash of
# its recipe below) is already in PREFIX/.stamps is skipped, so a second run costs
# nothing. cmake/windows-deps/superbuild.cmake runs this at configure time of the
# windows-cross preset; it can also be run by hand.
#
# Needs: mingw-w64, cmake, make, perl, dpkg-dev (dpkg-source) and deb-src entries
# for Debian's archive. When apt has no deb-src entries the script adds them
# (/etc/apt/sources.list.d/ndes-debian-src.sources, derived from the binary
# entries) and runs apt-get update, as root or through sudo.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
prefix="" work=""
toolchain="$root/cmake/toolchains/mingw-w64-x86_64.cmake"
jobs="$(nproc 2>/dev/null || echo 2)"
triple=x86_64-w64-mingw32

usage() {
  echo "usage: $0 --prefix DIR --work DIR [--toolchain FILE] [--jobs N]" >&2
  exit 2
}
# shellcheck source=scripts/lib/options.sh
. "$root/scripts/lib/options.sh"
parse_options "prefix work toolchain jobs" "$@" || usage
[ -n "$prefix" ] && [ -n "$work" ] || usage
mkdir -p "$prefix/.stamps" "$work/src" "$work/build" "$work/logs"
prefix="$(cd "$prefix" && pwd)"
work="$(cd "$work" && pwd)"

# Messages go to stderr: fetch's stdout is the directory it prints.
say() { echo "windows-deps: $*" >&2; }
die() { echo "windows-deps: error: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --------------------------------------------------------------------------
# Tools and deb-src

check_tools() {
  local missing=()
  local tool
  for tool in "$triple-gcc" "$triple-g++-posix" "$triple-gcc-posix" cmake make perl dpkg-source \
    apt-get; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] ||
    die "missing tools: ${missing[*]} (apt-get install mingw-w64 cmake make perl dpkg-dev)"
}

have_deb_src() {
  # Not grep -q: it would stop reading, and pipefail would count apt-cache's SIGPIPE.
  apt-cache showsrc openssl 2>/dev/null | grep '^Package: openssl' >/dev/null
}

# Adds deb-src twins of the Debian binary entries (deb822 .sources files and
# one-line sources.list entries), then refreshes the package lists.
ensure_deb_src() {
  if have_deb_src; then
    return
  fi
  local out=/etc/apt/sources.list.d/ndes-debian-src.sources
  local tmp
  tmp="$(mktemp)"
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # Stanzas (blank-line separated) whose Types include deb and whose URIs are
    # Debian's archive.
    awk 'BEGIN { RS=""; ORS="\n\n" }
         /(^|\n)Types:[^\n]*(^|[ \t])deb([ \t]|\n|$)/ &&
         /(^|\n)URIs:[^\n]*(debian\.org|debian-security)/ {
           gsub(/(^|\n)#[^\n]*/, "");
           sub(/Types:[^\n]*/, "Types: deb-src");
           sub(/^\n+/, "");
           print
         }' "$f" >>"$tmp"
  done
  if [ -f /etc/apt/sources.list ]; then
    sed -n -E 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?(.*(debian\.org|debian-security).*)$/deb-src \1\2/p' \
      /etc/apt/sources.list >"$tmp.list"
  fi
  if [ ! -s "$tmp" ] && [ ! -s "$tmp.list" ]; then
    rm -f "$tmp" "$tmp.list"
    die "no Debian binary sources found in /etc/apt to derive deb-src entries from"
  fi
  say "adding deb-src entries for Debian's archive"
  if [ -s "$tmp" ]; then
    as_root install -m 0644 "$tmp" "$out"
  fi
  if [ -s "$tmp.list" ]; then
    as_root install -m 0644 "$tmp.list" /etc/apt/sources.list.d/ndes-debian-src.list
  fi
  rm -f "$tmp" "$tmp.list"
  as_root apt-get update -qq
  have_deb_src || die "apt still has no deb-src entries after adding $out"
}

# --------------------------------------------------------------------------
# Fetching

declare -A pin
load_pins() {
  local pkg ver
  while read -r pkg ver _; do
    case "$pkg" in '' | '#'*) continue ;; esac
    pin[$pkg]="$ver"
  done <"$here/versions.txt"
}

# Prints the unpacked source directory of PACKAGE at its pinned version.
fetch() {
  local pkg="$1"
  local ver="${pin[$pkg]:?no pin for $pkg in versions.txt}"
  local bare="${ver#*:}"  # the epoch is not part of file names
  local dsc="$work/src/${pkg}_${bare}.dsc"
  local dir="$work/src/$pkg-$bare"
  if [ ! -f "$dsc" ]; then
    ensure_deb_src
    say "apt-get source $pkg=$ver"
    if ! (cd "$work/src" && apt-get source --download-only -qq "$pkg=$ver" >"$work/logs/$pkg.fetch.log" 2>&1); then
      cat "$work/logs/$pkg.fetch.log" >&2
      die "cannot fetch $pkg=$ver; Debian serves: $(apt-cache showsrc "$pkg" 2>/dev/null |
        sed -n 's/^Version: //p' | tr '\n' ' ')(update versions.txt)"
    fi
  fi
  if [ ! -d "$dir" ]; then
    rm -rf "$dir.tmp"
    dpkg-source --no-check -x "$dsc" "$dir.tmp" >"$work/logs/$pkg.unpack.log" 2>&1 ||
      { cat "$work/logs/$pkg.unpack.log" >&2; die "cannot unpack $dsc"; }
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

# --------------------------------------------------------------------------
# Building

cmake_package() {
  local name="$1" src="$2"
  shift 2
  local bld="$work/build/$name"
  rm -rf "$bld"
  local generator=()
  if command -v ninja >/dev/null 2>&1; then
    generator=(-G Ninja)
  fi
  cmake -S "$src" -B "$bld" "${generator[@]}" \
    -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_INSTALL_LIBDIR=lib \
    -DCMAKE_PREFIX_PATH="$prefix" \
    -DNDES_WINDOWS_DEPS_PREFIX="$prefix" \
    -DBUILD_SHARED_LIBS=OFF \
    -DBUILD_TESTING=OFF \
    -DCMAKE_POSITION_INDEPENDENT_CODE=OFF \
    "$@"
  cmake --build "$bld" -j "$jobs"
  cmake --install "$bld"
}

build_openssl() {
  local src bld
  src="$(fetch openssl)"
  bld="$work/build/openssl"
  rm -rf "$bld"
  mkdir -p "$bld"
  # Static libcrypto/libssl with the legacy provider built in (no-module: RC2 and
  # 3DES for old Windows PFX exports), and openssl.exe, which the Windows tests run
  # under wine. Algorithms and protocols nothing here uses are left out, to build
  # faster.
  (cd "$bld" && perl "$src/Configure" mingw64 no-shared no-module no-tests no-engine no-dso \
    no-comp no-capieng no-idea no-camellia no-seed no-aria no-sm2 no-sm3 no-sm4 no-whirlpool \
    no-mdc2 no-bf no-cast no-siphash no-srp no-ts no-ocsp no-ct no-dtls no-psk \
    --cross-compile-prefix="$triple-" --prefix="$prefix" --libdir=lib \
    --openssldir="$prefix/ssl")
  make -C "$bld" -j "$jobs" build_sw
  make -C "$bld" install_sw
  mkdir -p "$prefix/ssl"
  cp "$src/apps/openssl.cnf" "$prefix/ssl/openssl.cnf"
}

build_civetweb() {
  cmake_package civetweb "$(fetch civetweb)" \
    -DCIVETWEB_BUILD_TESTING=OFF -DCIVETWEB_ENABLE_SERVER_EXECUTABLE=OFF \
    -DCIVETWEB_ENABLE_SSL=OFF -DCIVETWEB_ENABLE_CXX=OFF -DCIVETWEB_ENABLE_IPV6=ON \
    -DCIVETWEB_ENABLE_WEBSOCKETS=OFF -DCIVETWEB_ENABLE_LUA=OFF -DCIVETWEB_ENABLE_DUKTAPE=OFF \
    -DCIVETWEB_ENABLE_ZLIB=OFF -DCIVETWEB_INSTALL_EXECUTABLE=OFF -DCIVETWEB_ENABLE_ASAN=OFF
}

build_prometheus_cpp() {
  cmake_package prometheus-cpp "$(fetch prometheus-cpp)" \
    -DENABLE_PULL=OFF -DENABLE_PUSH=OFF -DENABLE_COMPRESSION=OFF -DENABLE_TESTING=OFF \
    -DUSE_THIRDPARTY_LIBRARIES=OFF -DGENERATE_PKGCONFIG=OFF -DRUN_IWYU=OFF
}

build_yaml_cpp() {
  cmake_package yaml-cpp "$(fetch yaml-cpp)" \
    -DYAML_CPP_BUILD_TESTS=OFF -DYAML_CPP_BUILD_TOOLS=OFF -DYAML_CPP_BUILD_CONTRIB=OFF \
    -DYAML_BUILD_SHARED_LIBS=OFF -DYAML_CPP_INSTALL=ON
}

build_fmtlib() {
  cmake_package fmtlib "$(fetch fmtlib)" -DFMT_DOC=OFF -DFMT_TEST=OFF -DFMT_INSTALL=ON
}

build_spdlog() {
  cmake_package spdlog "$(fetch spdlog)" \
    -DSPDLOG_FMT_EXTERNAL=ON -DSPDLOG_BUILD_EXAMPLE=OFF -DSPDLOG_BUILD_TESTS=OFF \
    -DSPDLOG_BUILD_BENCH=OFF -DSPDLOG_INSTALL=ON
}

build_nlohmann_json3() {
  cmake_package nlohmann-json3 "$(fetch nlohmann-json3)" -DJSON_BuildTests=OFF -DJSON_Install=ON
}

build_cli11() {
  cmake_package cli11 "$(fetch cli11)" \
    -DCLI11_BUILD_TESTS=OFF -DCLI11_BUILD_EXAMPLES=OFF -DCLI11_BUILD_DOCS=OFF \
    -DCLI11_SINGLE_FILE=OFF -DCLI11_INSTALL=ON
}

build_googletest() {
  local src=/usr/src/googletest
  local installed
  installed="$(dpkg-query -W -f='${Version}' googletest 2>/dev/null || true)"
  if [ "$installed" != "${pin[googletest]}" ] || [ ! -f "$src/CMakeLists.txt" ]; then
    say "googletest $installed in /usr/src is not the pinned ${pin[googletest]}: fetching it"
    src="$(fetch googletest)"
  fi
  cmake_package googletest "$src" -DBUILD_GMOCK=ON -DINSTALL_GTEST=ON -Dgtest_disable_pthreads=OFF
}

# --------------------------------------------------------------------------

check_tools
load_pins

# In dependency order: spdlog needs fmtlib.
packages=(openssl civetweb prometheus-cpp yaml-cpp fmtlib spdlog nlohmann-json3 cli11 googletest)
total_start=$SECONDS
for pkg in "${packages[@]}"; do
  fn="build_${pkg//-/_}"
  recipe_hash="$( (declare -f "$fn" cmake_package; cat "$toolchain") | sha256sum | cut -c1-16)"
  stamp="$prefix/.stamps/$pkg"
  want="$pkg ${pin[$pkg]} $recipe_hash"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "$pkg ${pin[$pkg]}: up to date"
    continue
  fi
  say "$pkg ${pin[$pkg]}: building (log: $work/logs/$pkg.log)"
  start=$SECONDS
  # A subshell with errexit of its own: in an `if` or after `!`, bash would ignore
  # set -e inside the function and carry on after a failed step.
  set +e
  (
    set -e
    "$fn"
  ) >"$work/logs/$pkg.log" 2>&1
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then
    tail -n 40 "$work/logs/$pkg.log" >&2
    die "$pkg failed; the full log is $work/logs/$pkg.log"
  fi
  echo "$want" >"$stamp"
  say "$pkg: built in $((SECONDS - start)) s"
done
say "all dependencies ready in $prefix ($((SECONDS - total_start)) s)"
