#!/usr/bin/env bash
# Makes the wine prefix the Windows tests run in (once; later runs reuse it):
#   wine-prefix.sh WINE64 PREFIX
# Headless: no display, no Mono/Gecko installers.
set -euo pipefail
wine="$1"
export WINEPREFIX="$2"
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
if [ -f "$WINEPREFIX/system.reg" ]; then
  echo "wine prefix $WINEPREFIX exists"
  exit 0
fi
wineserver="$(dirname "$wine")/wineserver"
[ -x "$wineserver" ] || wineserver=wineserver
echo "creating wine prefix $WINEPREFIX ($("$wine" --version))"
"$wine" wineboot -i
"$wineserver" -w
test -f "$WINEPREFIX/system.reg"
