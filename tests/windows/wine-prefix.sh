#!/usr/bin/env bash
# Makes the wine prefix the Windows tests run in (once; later runs reuse it), and
# starts its wine server:
#   wine-prefix.sh WINE64 PREFIX
# Headless: no display, no Mono/Gecko installers.
set -euo pipefail
wine="$1"
export WINEPREFIX="$2"
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
wineserver="$(dirname "$wine")/wineserver"
[ -x "$wineserver" ] || wineserver=wineserver
if [ -f "$WINEPREFIX/system.reg" ]; then
  echo "wine prefix $WINEPREFIX exists"
else
  echo "creating wine prefix $WINEPREFIX ($("$wine" --version))"
  "$wine" wineboot -i
  "$wineserver" -w
  test -f "$WINEPREFIX/system.reg"
fi
# One wine server for the whole test run, started here with its output on
# /dev/null and lingering 120 s after its last client. Otherwise the first wine
# program of each test starts a server that holds that test's output pipes (ctest
# waits for it to exit), and a program started just as such a server exits can
# fail to start (CreateProcess error 1359).
# The same for wine's own services (services.exe, winedevice.exe, rpcss.exe...),
# which the first program starts and which live as long as the server: started
# here, they hold /dev/null and not a test's output.
# A server that is already running (an earlier run's, lingering) is kept: other
# tests may be using it.
"$wineserver" -p120 </dev/null >/dev/null 2>&1 || true
"$wine" cmd.exe /c exit </dev/null >/dev/null 2>&1
