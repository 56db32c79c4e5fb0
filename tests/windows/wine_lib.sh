# Sourced by the wine test scripts (service_under_wine.sh, msi_under_wine.sh): their
# common arguments, skip/fail, and the SCM and HTTP helpers.
#
#   wine_test_args "$@"   sets wine, prefix, bin, fixtures, msi, listen, work, events from
#                         --wine --prefix --bin --fixtures --msi --listen --work --events, skips (exit 77) without wine or curl,
#                         and exports the wine environment
#   fetch_when_up URL OUT waits up to 60 s for URL to answer; 0 when it did
#   sc ARGS...            wine's sc.exe, output without CRs
#   state_of SERVICE      STOPPED, RUNNING... ("" when not installed)
wine="" prefix="" bin="" fixtures="" msi="" listen="" work="" events=""
failed=0
skip() { echo "NDES-SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; failed=1; }
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }

wine_test_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --wine) wine="$2"; shift 2 ;;
      --prefix) prefix="$2"; shift 2 ;;
      --bin) bin="$2"; shift 2 ;;
      --fixtures) fixtures="$2"; shift 2 ;;
      --msi) msi="$2"; shift 2 ;;
      --listen) listen="$2"; shift 2 ;;
      --work) work="$2"; shift 2 ;;
      --events) events="$2"; shift 2 ;;
      *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
  done
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
