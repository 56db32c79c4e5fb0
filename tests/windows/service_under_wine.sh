#!/usr/bin/env bash
# ndes_exporter.exe as a Windows service under wine's service control manager:
#   service_under_wine.sh --wine WINE64 --prefix WINEPREFIX --bin DIR --fixtures DIR
# Registers the exporter with sc.exe (demand start) next to a disabled dummy service,
# starts it with `sc start`, scrapes /metrics from Linux, and checks that
#   - the SCM sees it RUNNING (it reported START_PENDING, then RUNNING), and its own
#     services collector says so: ndes_service_state{name=<it>,state="running"} 1;
#   - the services collector reports wine's services as sc.exe and the registry say
#     (state and start mode), and a missing one as ndes_service_installed 0;
#   - the ndes and iis collectors read the registry values and applicationHost.config
#     the test wrote (winhealth.sh);
#   - `sc stop` stops it cleanly: STOPPED, exit code 0, the port closed;
#   - ndes_renew_hook.exe runs as a service too (answers /metrics, stops on sc stop).
# Exit 77 (ctest: skipped) when wine, curl or the .exe is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/windows/wine_lib.sh
. "$here/wine_lib.sh"
# shellcheck source=tests/windows/winhealth.sh
. "$here/winhealth.sh"
wine_test_args "$@"
exe="$bin/ndes_exporter.exe"
tool="$bin/ndes_wine_store.exe"
[ -f "$exe" ] || skip "$exe is not built (cmake --workflow --preset windows-cross)"
[ -f "$tool" ] || skip "$tool is not built"
[ -f "$fixtures/ca.der" ] || { echo "no $fixtures/ca.der" >&2; exit 1; }

bash "$here/wine-prefix.sh" "$wine" "$prefix" >/dev/null

svc=NdesExporterUnderTest
dummy=NdesDisabledDummy
hook_svc=NdesHookUnderTest
# In the build tree: the service's command line must not have spaces in its paths.
work="$(mktemp -d "$(dirname "$prefix")/service-test-XXXXXX")"
cleanup() {
  if [ "$(state_of "$svc")" = RUNNING ]; then
    sc stop "$svc" >/dev/null || true
    sleep 2
  fi
  sc delete "$svc" >/dev/null || true
  sc delete "$dummy" >/dev/null || true
  if [ "$(state_of "$hook_svc")" = RUNNING ]; then
    sc stop "$hook_svc" >/dev/null || true
    sleep 2
  fi
  sc delete "$hook_svc" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
has() { grep -qF -- "$1" "$m" || fail "no series: $1"; }

# The registry facts, the connector's certificate (the CA) in LocalMachine\My.
"$wine" "$tool" clear My >/dev/null
thumbprint="$("$wine" "$tool" add-der My "$(winpath "$fixtures/ca.der")" | tr -d '\r')"
winhealth_setup "$work" "$thumbprint"
services=("$svc" RpcSs "$dummy" NdesNoSuchService)

sc delete "$svc" >/dev/null || true
sc delete "$dummy" >/dev/null || true
sc delete "$hook_svc" >/dev/null || true
sc create "$dummy" binPath= 'C:\windows\system32\notepad.exe' start= disabled >/dev/null
port=$((20000 + RANDOM % 20000))
cmdline="\"$(winpath "$exe")\" --web.listen-address=127.0.0.1:$port"
cmdline+=" --collectors.enabled=services,iis,ndes,eventlog,certstore"
while IFS= read -r arg; do
  cmdline+=" $arg"
done < <(winhealth_args "$work" "${services[@]}")
sc create "$svc" binPath= "$cmdline" start= demand >/dev/null
[ "$(state_of "$svc")" = STOPPED ] || { echo "FAIL: sc create $svc did not register it" >&2; exit 1; }

echo "sc start $svc"
sc start "$svc" >"$work/start.txt" || true
m="$work/metrics.txt"
up=no
fetch_when_up "http://127.0.0.1:$port/metrics" "$m" && up=yes
if [ "$up" != yes ]; then
  cat "$work/start.txt" >&2
  sc query "$svc" >&2
  echo "FAIL: the service did not answer /metrics on 127.0.0.1:$port" >&2
  exit 1
fi
echo "the service answers on 127.0.0.1:$port"
[ "$(state_of "$svc")" = RUNNING ] || fail "the SCM says $(state_of "$svc"), not RUNNING"
has "ndes_service_state{name=\"$svc\",state=\"running\"} 1"
has "ndes_service_start_mode{name=\"$svc\",start_mode=\"manual\"} 1"
has "ndes_service_start_mode{name=\"$dummy\",start_mode=\"disabled\"} 1"
has "ndes_service_state{name=\"$dummy\",state=\"stopped\"} 1"
winhealth_check "$m" "${services[@]}"

echo "sc stop $svc"
sc stop "$svc" >/dev/null || true
stopped=no
for _ in $(seq 1 60); do
  if [ "$(state_of "$svc")" = STOPPED ]; then
    stopped=yes
    break
  fi
  sleep 0.5
done
[ "$stopped" = yes ] || fail "the service did not stop (SCM: $(state_of "$svc"))"
exit_code="$(sc query "$svc" | awk '/WIN32_EXIT_CODE/ {print $3; exit}')"
[ "$exit_code" = 0 ] || fail "the service stopped with WIN32_EXIT_CODE $exit_code"
if curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics" -o /dev/null 2>/dev/null; then
  fail "the port still answers after sc stop"
fi

# ndes_renew_hook.exe as a service the same way (dry-run, no token: a test setup).
hook="$bin/ndes_renew_hook.exe"
if [ -f "$hook" ]; then
  hport=$((port + 1))
  mkdir -p "$work/hook-state"
  sc create "$hook_svc" binPath= "\"$(winpath "$hook")\" --web.listen-address=127.0.0.1:$hport --web.insecure-no-auth --state.dir=$(winpath "$work/hook-state")" start= demand >/dev/null
  sc start "$hook_svc" >/dev/null || true
  if fetch_when_up "http://127.0.0.1:$hport/metrics" "$work/hook.txt"; then
    [ "$(state_of "$hook_svc")" = RUNNING ] || fail "the hook service is $(state_of "$hook_svc")"
    grep -qF 'ndes_renewal_in_progress' "$work/hook.txt" || fail "the hook service's /metrics lacks its series"
    sc stop "$hook_svc" >/dev/null || true
    for _ in $(seq 1 60); do
      [ "$(state_of "$hook_svc")" = STOPPED ] && break
      sleep 0.5
    done
    [ "$(state_of "$hook_svc")" = STOPPED ] || fail "the hook service did not stop"
    echo "ndes_renew_hook.exe ran as a service: answered /metrics, stopped on sc stop"
  else
    fail "the hook service did not answer on 127.0.0.1:$hport (SCM: $(state_of "$hook_svc"))"
  fi
else
  echo "note: $hook is not built; the hook's service mode is not tested"
fi

if [ "$failed" -ne 0 ]; then
  echo "--- metrics" >&2
  grep -E '^ndes_(service|iis|config|connector|collector|eventlog)' "$m" >&2 || true
  exit 1
fi
echo "PASS: ndes_exporter.exe ran as a service under wine's SCM, started, answered and stopped"
