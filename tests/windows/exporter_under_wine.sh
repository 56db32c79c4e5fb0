#!/usr/bin/env bash
# ndes_exporter.exe under wine, scraped from Linux (the certificate collectors and
# the Windows health collectors services, iis, ndes, eventlog):
#   exporter_under_wine.sh --wine WINE64 --prefix WINEPREFIX --bin DIR --fixtures DIR
#                          [--linux-exporter PATH] [--make-fixtures]
# Fills the wine LocalMachine\My and \CA with the certificates of
# make-store-fixtures.sh (FIXTURES/facts.tsv says what openssl says of them), starts
# ndes_exporter.exe on loopback with the certstore and files collectors, scrapes
# /metrics with curl and checks the series against openssl's facts. The label set
# of the certstore series must be the Linux file collector's: the Linux
# ndes_exporter (--linux-exporter, when it exists) is run on the same certificates
# as PEM files and its label names compared.
# --make-fixtures runs make-store-fixtures.sh into FIXTURES first (the Linux build's
# registration of this test). Exit 77 (ctest: skipped) when wine, curl or the .exe
# is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/windows/wine_lib.sh
. "$here/wine_lib.sh"
# shellcheck source=tests/windows/winhealth.sh
. "$here/winhealth.sh"
# shellcheck source=tests/windows/wine_ndes.sh
. "$here/wine_ndes.sh"

linux_exporter="" make_fixtures=no
wine_test_more_options="linux-exporter make-fixtures?"
wine_test_args "$@"
exe="$bin/ndes_exporter.exe"
tool="$bin/ndes_wine_store.exe"
[ -f "$exe" ] || skip "$exe is not built (cmake --workflow --preset windows-cross)"
[ -f "$tool" ] || skip "$tool is not built"
if [ "$make_fixtures" = yes ]; then
  bash "$here/make-store-fixtures.sh" "$fixtures"
fi
[ -f "$fixtures/facts.tsv" ] || { echo "no $fixtures/facts.tsv" >&2; exit 1; }

bash "$here/wine-prefix.sh" "$wine" "$prefix" >/dev/null

work="$(mktemp -d "${TMPDIR:-/tmp}/ndes-wine-exporter-XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
# The store (and the same certificates as PEM files for the file collector), the
# key DACLs, the registry keys and applicationHost.config (wine_ndes.sh).
wine_ndes_seed "$fixtures" "$work"
services=(RpcSs PlugPlay Spooler NdesNoSuchService)
mapfile -t wine_args < <(wine_exporter_args "$work" "${services[@]}")

# ---------------------------------------------------------------------------
# Start and scrape.
scrape_when_up() {  # URL OUT PID: waits up to 90 s for the exporter to answer
  local i
  for i in $(seq 1 180); do
    if curl -fsS --max-time 10 "$1" -o "$2" 2>/dev/null; then
      return 0
    fi
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

port=$((20000 + RANDOM % 20000))
"$wine" "$exe" --web.listen-address="127.0.0.1:$port" \
  --collectors.enabled=certstore,files,services,iis,ndes,eventlog "${wine_args[@]}" \
  "--collector.files.path=$(winpath "$work/files")" \
  >"$work/exporter.log" 2>&1 &
pids+=($!)
if ! scrape_when_up "http://127.0.0.1:$port/metrics" "$work/metrics.txt" "${pids[0]}"; then
  cat "$work/exporter.log" >&2
  echo "FAIL: ndes_exporter.exe did not serve /metrics on 127.0.0.1:$port" >&2
  exit 1
fi
echo "ndes_exporter.exe under wine answers on 127.0.0.1:$port"
m="$work/metrics.txt"

has() { grep -qF -- "$1" "$m" || fail "no series: $1"; }
value_of() {  # METRIC COLLECTOR THUMBPRINT -> the sample value
  grep -F -- "$1{collector=\"$2\"" "$m" | grep -F "thumbprint=\"$3\"" | head -1 | awk '{print $NF}'
}

has 'ndes_exporter_build_info{'
grep -F 'ndes_exporter_build_info{' "$m" | grep -qF 'platform="windows/amd64"' ||
  fail "build_info does not say windows/amd64"
has 'ndes_collector_success{collector="certstore"} 1'
winhealth_check "$m" "${services[@]}"
# Where the event log API fails (wine's wevtapi), the failure is the collector's,
# said in the log, and the exporter goes on serving.
if grep -qF 'ndes_collector_success{collector="eventlog"} 0' "$m"; then
  grep -qF 'msg="collector failed" collector=eventlog err="EvtQuery' "$work/exporter.log" ||
    fail "the eventlog collector failed without saying why in the log"
  echo "note: the eventlog collector fails here:" \
    "$(grep -oE "failed without an error code \([^)]*\)|EvtQuery[^:]*: 0x[0-9A-F]+" "$work/exporter.log" | head -1)"
fi

while IFS=$'\t' read -r name t _serial _nb na key archived _subject; do
  if [ "$archived" = yes ] && [ "$archived_ok" = yes ]; then
    if grep -qF "thumbprint=\"$t\"" "$m"; then fail "$name is archived but exported"; fi
    continue
  fi
  got="$(value_of ndes_certificate_not_after_timestamp_seconds certstore "$t")"
  [ -n "$got" ] || { fail "$name ($t) is not exported by certstore"; continue; }
  # The text format may print 1797437245 as 1797437245 or 1.797437245e+09.
  [ "$(awk -v v="$got" 'BEGIN { printf "%d", v }')" = "$na" ] ||
    fail "$name: not_after $got, openssl says $na"
  want_key=0
  [ "$key" = yes ] && want_key=1
  got_key="$(value_of ndes_certificate_has_private_key certstore "$t")"
  [ "$got_key" = "$want_key" ] || fail "$name: has_private_key $got_key, want $want_key"
done <"$fixtures/facts.tsv"

readable() {
  grep -F "ndes_certificate_private_key_readable{" "$m" | grep -F "thumbprint=\"$1\"" |
    grep -F 'identity="IIS APPPOOL\\SCEP"' | awk '{print $NF}'
}
[ "$(readable "${thumb[cep]}")" = 1 ] || fail "the SCEP app pool cannot read the cep key"
[ "$(readable "${thumb[eea-1]}")" = 0 ] || fail "the SCEP app pool can read the eea-1 key"
has 'ndes_certificates_valid{collector="certstore",source="LocalMachine\\My",template="EnrollmentAgentOffline",role="enrollment_agent"} 2'
has "ndes_certificate_not_after_timestamp_seconds{collector=\"certstore\",source=\"LocalMachine\\\\CA\",path=\"\",thumbprint=\"${thumb[ca]}\""

# ---------------------------------------------------------------------------
# The label set of the certstore series is the Linux file collector's.
label_names() {  # METRICS_FILE COLLECTOR -> sorted label names of its not_after series
  grep -F "ndes_certificate_not_after_timestamp_seconds{collector=\"$2\"" "$1" | head -1 |
    grep -oE '[a-z_]+="([^"\\]|\\.)*"' | sed 's/=.*//' | tr '\n' ' '
}
certstore_labels="$(label_names "$m" certstore)"
if [ -n "$linux_exporter" ] && [ -x "$linux_exporter" ]; then
  lport=$((port + 1))
  "$linux_exporter" --web.listen-address="127.0.0.1:$lport" --collectors.enabled=files \
    "--collector.files.path=$work/files" >"$work/linux.log" 2>&1 &
  pids+=($!)
  if ! scrape_when_up "http://127.0.0.1:$lport/metrics" "$work/linux.txt" "${pids[1]}"; then
    cat "$work/linux.log" >&2
    fail "the Linux exporter $linux_exporter did not start"
  fi
  files_labels="$(label_names "$work/linux.txt" files)"
  reference="the Linux file collector ($linux_exporter)"
else
  echo "note: no Linux ndes_exporter at '$linux_exporter'; comparing with the file collector" \
    "inside ndes_exporter.exe (the same code)"
  files_labels="$(label_names "$m" files)"
  reference="the file collector of ndes_exporter.exe"
fi
echo "certstore labels: $certstore_labels"
echo "files labels:     $files_labels"
[ -n "$certstore_labels" ] && [ "$certstore_labels" = "$files_labels" ] ||
  fail "the certstore label set differs from $reference"

if [ "$failed" -ne 0 ]; then
  echo "--- metrics" >&2
  grep -E '^ndes_' "$m" | head -80 >&2
  echo "--- exporter log" >&2
  tail -40 "$work/exporter.log" >&2
  exit 1
fi
echo "PASS: $(grep -cF 'collector="certstore"' "$m") certstore series match openssl's facts"
