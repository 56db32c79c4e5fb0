# Sourced by the wine test scripts (service_under_wine.sh, msi_under_wine.sh): their
# common arguments, skip/fail, and the SCM and HTTP helpers.
#
#   wine_test_args "$@"   sets wine, prefix, bin, fixtures, msi, listen, work, events from
#                         --wine --prefix --bin --fixtures --msi --listen --work --events (and
#                         the script's own $wine_test_more_options, in parse_options' words),
#                         skips (exit 77) without wine or curl, and exports the wine environment
#   fetch_when_up URL OUT waits up to 60 s for URL to answer; 0 when it did
#   sc ARGS...            wine's sc.exe, output without CRs
#   state_of SERVICE      STOPPED, RUNNING... ("" when not installed)
wine="" prefix="" bin="" fixtures="" msi="" listen="" work="" events=""
failed=0
skip() { echo "NDES-SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; failed=1; }
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }

# shellcheck source=scripts/lib/options.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/options.sh"

wine_test_args() {
  parse_options "wine prefix bin fixtures msi listen work events ${wine_test_more_options:-}" "$@" ||
    { echo "unknown argument $bad_option" >&2; exit 2; }
  [ -n "$wine" ] && [ -x "$wine" ] || skip "wine64 is not installed (apt-get install wine64)"
  command -v curl >/dev/null || skip "curl is not installed"
  export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
}

fetch_when_up() {
  local i
  for i in $(seq 1 120); do
    if curl -fsS --max-time 10 "$1" -o "$2" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

sc() { "$wine" sc "$@" </dev/null 2>&1 | tr -d '\r'; }
state_of() { sc query "$1" | awk '/STATE/ {print $4; exit}'; }
