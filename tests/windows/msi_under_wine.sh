#!/usr/bin/env bash
# The MSI (wixl): its tables and files as msiinfo shows them, then an install under
# wine (`msiexec /i ... /qn`): the exporter service is installed by the
# ServiceInstall table and started by ServiceControl, answers /metrics on the
# LISTENADDRESS given as a property, the hook service is installed but disabled;
# `msiexec /x` stops and removes both.
#   msi_under_wine.sh --wine WINE64 --prefix WINEPREFIX --msi FILE
# Exit 77 (ctest: skipped) when wine, curl, msiinfo or the .msi is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/windows/wine_lib.sh
. "$here/wine_lib.sh"
wine_test_args "$@"
command -v msiinfo >/dev/null || skip "msiinfo is not installed (apt-get install msitools)"
[ -f "$msi" ] || skip "$msi is not built (apt-get install wixl; cmake --workflow --preset windows-cross)"

# ---------------------------------------------------------------------------
# What msiinfo sees.
tables="$(msiinfo tables "$msi")"
for t in File Component ServiceInstall ServiceControl Registry CustomAction Property; do
  grep -qx "$t" <<<"$tables" || fail "the MSI has no $t table"
done
files="$(msiinfo export "$msi" File)"
for f in ndes_exporter.exe ndes_renew_hook.exe ndes_exporter.yml; do
  grep -qF "$f" <<<"$files" || fail "the MSI's File table has no $f"
done
services="$(msiinfo export "$msi" ServiceInstall | tr -d '\r')"
# Name, StartType (2 auto, 4 disabled), as the columns say.
start_types="$(awk -F'\t' 'NR > 3 {print $2, $5}' <<<"$services")"
grep -qx 'ndes_exporter 2' <<<"$start_types" || fail "ServiceInstall: ndes_exporter is not auto-start"
grep -qx 'ndes_renew_hook 4' <<<"$start_types" ||
  fail "ServiceInstall: ndes_renew_hook is not disabled"
grep -qF -- '--web.listen-address=[LISTENADDRESS]' <<<"$services" ||
  fail "ServiceInstall: the exporter's arguments do not take LISTENADDRESS"
actions="$(msiinfo export "$msi" CustomAction)"
grep -qF 'failure ndes_exporter reset= 86400' <<<"$actions" ||
  fail "no restart-on-failure custom action"
[ "$failed" -eq 0 ] && echo "msiinfo: tables, files, services and custom actions as expected"

# ---------------------------------------------------------------------------
# Install under wine.
bash "$here/wine-prefix.sh" "$wine" "$prefix" >/dev/null
work="$(mktemp -d "${TMPDIR:-/tmp}/ndes-msi-XXXXXX")"
winmsi="$(winpath "$msi")"
uninstall() { "$wine" msiexec /x "$winmsi" /qn </dev/null >/dev/null 2>&1 || true; }
cleanup() {
  uninstall
  rm -rf "$work"
}
trap cleanup EXIT
uninstall  # an earlier run's, if it was interrupted

port=$((20000 + RANDOM % 20000))
echo "msiexec /i $(basename "$msi") /qn LISTENADDRESS=127.0.0.1:$port"
if ! "$wine" msiexec /i "$winmsi" /qn "LISTENADDRESS=127.0.0.1:$port" \
  COLLECTORS=services,ndes,certstore /l*v "$(winpath "$work/install.log")" \
  </dev/null >/dev/null 2>&1; then
  iconv -f UTF-16LE -t UTF-8 "$work/install.log" 2>/dev/null | tail -40 >&2 || true
  echo "FAIL: msiexec /i failed" >&2
  exit 1
fi
installed="$prefix/drive_c/Program Files/ndes_exporter"
for f in ndes_exporter.exe ndes_renew_hook.exe ndes_exporter.yml; do
  [ -f "$installed/$f" ] || fail "msiexec did not install $f"
done
up=no
fetch_when_up "http://127.0.0.1:$port/metrics" "$work/metrics.txt" && up=yes
if [ "$up" != yes ]; then
  sc query ndes_exporter >&2
  echo "FAIL: the installed ndes_exporter service does not answer on 127.0.0.1:$port" >&2
  exit 1
fi
echo "the installed service answers on 127.0.0.1:$port"
[ "$(state_of ndes_exporter)" = RUNNING ] || fail "ndes_exporter is $(state_of ndes_exporter)"
grep -qF 'ndes_collector_success{collector="services"} 1' "$work/metrics.txt" ||
  fail "the installed exporter does not run the COLLECTORS given to msiexec"
[ "$(state_of ndes_renew_hook)" = STOPPED ] || fail "ndes_renew_hook is $(state_of ndes_renew_hook)"
start="$("$wine" reg query 'HKLM\System\CurrentControlSet\Services\ndes_renew_hook' /v Start \
  </dev/null 2>/dev/null | tr -d '\r' | awk '/Start/ {print $3}')"
[ "$((start))" = 4 ] || fail "ndes_renew_hook's start type is '$start', not disabled (4)"

# ---------------------------------------------------------------------------
# Uninstall: the services stop and go.
"$wine" msiexec /x "$winmsi" /qn </dev/null >/dev/null 2>&1 || fail "msiexec /x failed"
# The SCM deletes a service marked for deletion once it has stopped and its last
# handle is closed, which under load can be a moment after msiexec returns: wait
# for that, bounded.
for _ in $(seq 1 30); do
  [ -z "$(state_of ndes_exporter)" ] && break
  sleep 1
done
[ -z "$(state_of ndes_exporter)" ] ||
  fail "ndes_exporter is still installed 30 s after msiexec /x ($(state_of ndes_exporter))"
if curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics" -o /dev/null 2>/dev/null; then
  fail "the port still answers after msiexec /x"
fi
[ "$failed" -eq 0 ] || exit 1
echo "PASS: the MSI installs, starts and removes the services under wine"
