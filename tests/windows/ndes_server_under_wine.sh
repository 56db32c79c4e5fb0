#!/usr/bin/env bash
# An NDES-like Windows server under wine, as a scrape target of the live stack
# (tests/alerts/test_live_stack.py --windows-exporter):
#   ndes_server_under_wine.sh --wine WINE64 --prefix WINEPREFIX --bin DIR
#                             --fixtures DIR --work DIR --listen HOST:PORT [--events DIR]
# Seeds wine's LocalMachine\My and \CA with make-store-fixtures.sh's certificates
# (RA certificates with their private keys and key DACLs), the MSCEP and Intune
# connector registry keys and an applicationHost.config (wine_ndes.sh, the same
# seeding as the windows.exporter test), then becomes the real ndes_exporter.exe
# (exec, so SIGTERM ends it) with the Windows collectors certstore, services, iis,
# ndes and eventlog; with --events, the eventlog collector reads that directory of
# exported event XML (--collector.eventlog.xml-dir: wine's wevtapi is stubs, so the
# live log cannot be read; the scan after the source is the same code). The
# services reported: the NDES ones (not installed under wine:
# ndes_service_installed 0) and wine's own RpcSs, PlugPlay and Spooler (their real
# state from wine's SCM).
# Exit 77 when wine, curl or the .exe is missing; 1 when seeding fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/windows/wine_lib.sh
. "$here/wine_lib.sh"
# shellcheck source=tests/windows/winhealth.sh
. "$here/winhealth.sh"
# shellcheck source=tests/windows/wine_ndes.sh
. "$here/wine_ndes.sh"
wine_test_args "$@"
exe="$bin/ndes_exporter.exe"
[ -f "$exe" ] || skip "$exe is not built (cmake --workflow --preset windows-cross)"
[ -f "$bin/ndes_wine_store.exe" ] || skip "$bin/ndes_wine_store.exe is not built"
if [ -z "$listen" ] || [ -z "$work" ]; then
  echo "--listen and --work are required" >&2
  exit 2
fi
[ -f "$fixtures/facts.tsv" ] || { echo "no $fixtures/facts.tsv" >&2; exit 1; }

bash "$here/wine-prefix.sh" "$wine" "$prefix" >/dev/null
mkdir -p "$work"
wine_ndes_seed "$fixtures" "$work"
[ "$failed" -eq 0 ] || exit 1
services=(W3SVC WAS PFXCertificateConnectorSvc RpcSs PlugPlay Spooler)
mapfile -t wine_args < <(wine_exporter_args "$work" "${services[@]}")
if [ -n "$events" ]; then
  wine_args+=("--collector.eventlog.xml-dir=$(winpath "$events")")
fi
echo "wine prefix seeded; ndes_exporter.exe listens on $listen"
exec "$wine" "$exe" --web.listen-address="$listen" \
  --collectors.enabled=certstore,services,iis,ndes,eventlog "${wine_args[@]}"
