#!/usr/bin/env bash
# windows.renew_hook_execute: ndes_renew_hook.exe in --mode=execute under wine, end to end.
#   renew_hook_execute.sh --wine WINE64 --prefix WINEPREFIX --bin DIR [--work DIR] [--keep]
#                         [--cases "certreq succeeded pending wrong_template"]
#                         [--service-account 'NT AUTHORITY\NETWORK SERVICE' (the default; "" = none)]
#
# The wine machine plays the NDES server: LocalMachine\My holds the two RA certificates
# (CEPEncryption, 20 days left; EnrollmentAgentOffline, 25 days left; RSA keys in the
# machine key set), and wine's SCM runs three test services named as IIS and the
# connector run (WAS, W3SVC, PFXCertificateConnectorSvc; each a real program,
# ndes_exporter.exe on a port of its own, as service_under_wine.sh uses it). The hook
# runs every step for real there; only two things are stand-ins, as wine lacks them:
#   - certreq.exe (tests/windows/tools/certreq_standin.cpp, put into the prefix's
#     system32): a new key in the machine store, the request signed with the old
#     certificate's key, the certificate issued by an openssl CA on the Linux side
#     (tests/windows/ndes_standin/ndes_standin.py);
#   - NDES's events, read from exported-XML files (--verify.events.xml-dir), which the
#     same Linux-side program writes (Event 1) on the first SCEP request after the
#     W3SVC service restarted, and it answers GetCACaps/GetCACert as NDES would.
# From Linux, curl POSTs an Alertmanager webhook (version 4, bearer token) for the
# CEPEncryption certificate and polls GET /renewals until the renewal is over; then
# tests/windows/ndes_standin/check_renewal.py checks what a user sees. First the certreq
# stand-in alone ("certreq": -new, -submit, -accept as the hook runs them; an unknown
# RenewalCert fails with 0x80092004; a pending request writes no .cer), then three
# cases, each on a fresh state directory and store:
#   succeeded       (CA "<host>\Test CA"): status succeeded; the record renews both RA
#                   certificates; both new ones are in LocalMachine\My with their keys
#                   (the certstore collector's view), the old ones gone, each backed up
#                   as <state>/backups/.../<thumbprint>.pfx that openssl opens with the
#                   .pfx.password beside it; the service account may read both new keys
#                   (grant_key_read; the collector's private_key_readable is 1 where it
#                   was 0); the three services run in new processes,
#                   PkiCreateConnectorSvc is skipped as not installed; Event 1 was seen;
#                   check_scep saw the new thumbprints in GetCACert.
#   pending         (CA "<host>\Pending CA"): status pending, the request id and the
#                   certutil -resubmit / certreq -retrieve advice; no certreq -accept ran;
#                   the old certificates untouched, nothing backed up, nothing restarted.
#   wrong_template  (CA "<host>\Wrong Template CA": issues the other RA template): status
#                   failed at verify_new_cert; nothing removed or backed up, the old
#                   certificates in place, nothing restarted.
# Exit 77 (ctest: skipped, "NDES-SKIP:") only when wine (or curl) is missing; a missing
# .exe, python3 or openssl is a failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/windows/wine_lib.sh
. "$here/wine_lib.sh"
keep=no cases="certreq succeeded pending wrong_template" service_account='NT AUTHORITY\NETWORK SERVICE'
wine_test_more_options="keep? cases service-account"
wine_test_args "$@"
# shellcheck source=tests/windows/ndes_standin/standin_lib.sh
. "$here/ndes_standin/standin_lib.sh"

for exe in ndes_renew_hook.exe ndes_exporter.exe ndes_wine_store.exe certreq.exe; do
  [ -f "$bin/$exe" ] || { echo "FAIL: $bin/$exe is not built" >&2; exit 1; }
done
for tool in openssl python3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed" >&2; exit 1; }
done

bash "$here/wine-prefix.sh" "$wine" "$prefix" >/dev/null

# In the build tree: the services' command lines must not have spaces in their paths.
if [ -n "$work" ]; then
  rm -rf "$work"
  mkdir -p "$work"
else
  work="$(mktemp -d "$(dirname "$prefix")/renew-execute-XXXXXX")"
fi
services=(WAS W3SVC PFXCertificateConnectorSvc)
declare -A svc_port=()
hook_pid=""
cleanup() {
  [ -n "$hook_pid" ] && { kill "$hook_pid" 2>/dev/null || true; wait "$hook_pid" 2>/dev/null || true; }
  standin_stop
  for s in "${services[@]}"; do
    if [ "$(state_of "$s")" = RUNNING ]; then sc stop "$s" >/dev/null || true; fi
  done
  for s in "${services[@]}"; do
    for _ in $(seq 1 20); do
      [ "$(state_of "$s")" = RUNNING ] || break
      sleep 0.5
    done
    sc delete "$s" >/dev/null || true
  done
  standin_store clear My >/dev/null 2>&1 || true
  standin_store clear REQUEST >/dev/null 2>&1 || true
  standin_uninstall
  if [ "$keep" = yes ] || [ "$failed" -ne 0 ]; then
    echo "the test's files are in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# The Linux PIDs of a service's wine process (wine's sc has no queryex): found by its
# own --web.listen-address, which no other process has.
svc_pids() {
  pgrep -f -- "--web.listen-address=127.0.0.1:${svc_port[$1]}( |\$)" | sort | tr '\n' ' ' || true
}
pids_to() {  # FILE: one "NAME PID..." line per service
  local s
  for s in "${services[@]}"; do
    echo "$s $(svc_pids "$s")"
  done >"$1"
}

# ---------------------------------------------------------------------------
# The test services, installed once, demand start.
base=$((20000 + RANDOM % 20000))
i=0
for s in "${services[@]}"; do
  sc stop "$s" >/dev/null 2>&1 || true
  sc delete "$s" >/dev/null 2>&1 || true
  svc_port[$s]=$((base + i))
  i=$((i + 1))
  # The certstore collector of the W3SVC one is the test's view of LocalMachine\My: the
  # certificates, their keys, and whether the service account may read each key.
  sc create "$s" binPath= "\"$(winpath "$bin/ndes_exporter.exe")\" --web.listen-address=127.0.0.1:${svc_port[$s]} --collectors.enabled=certstore \"--collector.certstore.key-reader=${service_account:-IIS APPPOOL\\SCEP}\"" start= demand >/dev/null
  [ "$(state_of "$s")" = STOPPED ] || { echo "FAIL: sc create $s did not register it" >&2; exit 1; }
done
start_services() {
  local s
  for s in "${services[@]}"; do
    [ "$(state_of "$s")" = RUNNING ] || sc start "$s" >/dev/null || true
  done
  for s in "${services[@]}"; do
    fetch_when_up "http://127.0.0.1:${svc_port[$s]}/metrics" "$work/up.txt" ||
      { echo "FAIL: service $s did not answer on 127.0.0.1:${svc_port[$s]} (SCM: $(state_of "$s"))" >&2; exit 1; }
  done
}

# The test PKI and the two RA certificates (Linux side), once.
standin_pki "$work/pki" >/dev/null
echo "old RA certificates: CEPEncryption ${old[cep]}, EnrollmentAgentOffline ${old[eea]}"
token="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$token" >"$work/token"
ca_host="$(hostname | tr -cd 'A-Za-z0-9.-')"
[ -n "$ca_host" ] || ca_host=localhost

webhook() {  # THUMBPRINT: the Alertmanager payload for the CEPEncryption certificate
  cat <<JSON
{"receiver":"ndes-renew-hook","status":"firing","version":"4",
 "groupKey":"{}:{alertname=\"NdesCertificateExpiringSoon\"}","truncatedAlerts":0,
 "groupLabels":{"alertname":"NdesCertificateExpiringSoon"},"commonLabels":{},
 "commonAnnotations":{},"externalURL":"http://alertmanager:9093",
 "alerts":[{"status":"firing",
   "labels":{"alertname":"NdesCertificateExpiringSoon","severity":"warning",
     "instance":"ndes01.corp.example:9751","job":"ndes","collector":"certstore",
     "source":"LocalMachine\\\\My","thumbprint":"$1","template":"CEPEncryption",
     "role":"cep_encryption","subject":"NDES01-MSCEP-RA","issuer":"CORP-ISSUING-CA"},
   "annotations":{"summary":"cep_encryption certificate NDES01-MSCEP-RA expires in 20d"},
   "startsAt":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","endsAt":"0001-01-01T00:00:00Z",
   "generatorURL":"http://prometheus:9090/graph","fingerprint":"5d1c0e6a7b2f3c41"}]}
JSON
}

# The certreq stand-in on its own first, as the hook will run it (so that a broken
# stand-in is not mistaken for a broken hook): -new from the INF, -submit, -accept; an
# unknown RenewalCert fails as certreq does; a pending request writes no .cer.
check_certreq() {
  local dir="$work/certreq" out new key
  echo "--- the certreq.exe stand-in"
  mkdir -p "$dir/ca"
  standin_seed_store "$work/pki"
  start_services
  standin_start "$work/pki" "$dir/ca" "127.0.0.1:${svc_port[W3SVC]}"
  certreq() { "$wine" certreq.exe "$@" </dev/null 2>&1 | tr -d '\r'; }
  inf() {  # THUMBPRINT FILE: the hook's five-line INF (renew/plan.cpp renewal_inf)
    # shellcheck disable=SC2016  # $Windows NT$ is the INF's literal signature
    printf '[Version]\r\nSignature="$Windows NT$"\r\n[NewRequest]\r\nRenewalCert="%s"\r\nMachineKeySet=TRUE\r\n' "$1" >"$2"
  }
  inf "${old[cep]}" "$dir/cep.inf"
  inf 0123456789ABCDEF0123456789ABCDEF01234567 "$dir/unknown.inf"

  out="$(certreq -f -q -new "$(winpath "$dir/cep.inf")" "$(winpath "$dir/cep.req")")"
  grep -qs 'BEGIN NEW CERTIFICATE REQUEST' "$dir/cep.req" || fail "certreq -new wrote no request: $out"
  out="$(certreq -f -q -submit -config "$ca_host\\Test CA" "$(winpath "$dir/cep.req")" \
    "$(winpath "$dir/cep.cer")")"
  if ! grep -q 'Certificate retrieved(Issued) Issued' <<<"$out" || [ ! -s "$dir/cep.cer" ]; then
    fail "certreq -submit did not say issued or wrote no .cer: $out"
  fi
  out="$(certreq -q -accept -machine "$(winpath "$dir/cep.cer")")"
  new="$(store_thumbprint "$dir/cep.cer" 2>/dev/null || true)"
  fetch_when_up "http://127.0.0.1:${svc_port[W3SVC]}/metrics" "$dir/metrics.txt" || true
  # The certstore collector's line for it: its template and whether the key is there.
  key="$(grep -F 'ndes_certificate_has_private_key{' "$dir/metrics.txt" |
    grep -F "thumbprint=\"${new:-none}\"" | sed -E 's/.*(template="[^"]*").*\} ([01])$/\1 \2/' || true)"
  [ "$key" = 'template="CEPEncryption" 1' ] ||
    fail "certreq -accept: the new certificate ${new:-?} is not in LocalMachine\\My with its key ($out; the collector: '$key')"

  out="$(certreq -f -q -new "$(winpath "$dir/unknown.inf")" "$(winpath "$dir/unknown.req")")" || true
  grep -q 0x80092004 <<<"$out" || fail "certreq -new of an unknown RenewalCert did not fail with 0x80092004: $out"
  out="$(certreq -f -q -submit -config "$ca_host\\Pending CA" "$(winpath "$dir/cep.req")" \
    "$(winpath "$dir/pending.cer")")"
  if ! grep -q 'Certificate request is pending: Taken Under Submission' <<<"$out" ||
    [ -e "$dir/pending.cer" ]; then
    fail "certreq -submit to the Pending CA: $out (a .cer written: $([ -e "$dir/pending.cer" ] && echo yes || echo no))"
  fi
  standin_stop
  if [ "$failed" -eq 0 ]; then
    echo "ok: certreq.exe -new/-submit/-accept put a new CEPEncryption certificate with its key into LocalMachine\\My;" \
      "an unknown RenewalCert fails with 0x80092004; a pending request writes no .cer"
  fi
}

# run_case NAME CA_NAME: one renewal on a fresh store and state directory.
run_case() {
  local name="$1" ca_name="$2" dir="$work/$1"
  echo "--- case $name (CA \"$ca_host\\$ca_name\")"
  mkdir -p "$dir/state"
  standin_seed_store "$work/pki"
  start_services
  pids_to "$dir/pids.before"
  mkdir -p "$dir/ca"
  svc_pids W3SVC >"$dir/ca/iis.pids"
  standin_start "$work/pki" "$dir/ca" "127.0.0.1:${svc_port[W3SVC]}"

  local hport=$((base + 10)) auth="Authorization: Bearer $token"
  "$wine" "$bin/ndes_renew_hook.exe" --mode=execute --executor=windows \
    "--web.listen-address=127.0.0.1:$hport" "--web.auth-token-file=$(winpath "$work/token")" \
    "--state.dir=$(winpath "$dir/state")" "--ca.config=$ca_host\\$ca_name" \
    "--verify.scep-url=http://127.0.0.1:$standin_port/certsrv/mscep/mscep.dll" \
    "--verify.events.xml-dir=$(winpath "$dir/ca/events")" \
    --restart.services=WAS,W3SVC,PFXCertificateConnectorSvc,PkiCreateConnectorSvc \
    --instance=ndes01.corp.example ${service_account:+"--service-account=$service_account"} \
    --log.level=debug </dev/null >"$dir/hook.log" 2>&1 &
  hook_pid=$!
  if ! fetch_when_up "http://127.0.0.1:$hport/healthz" "$dir/healthz.txt"; then
    cat "$dir/hook.log" >&2
    echo "FAIL: ndes_renew_hook.exe did not answer on 127.0.0.1:$hport" >&2
    exit 1
  fi
  webhook "${old[cep]}" >"$dir/webhook.json"
  local code
  code="$(curl -sS -o "$dir/webhook.out" -w '%{http_code}' -H "$auth" \
    -H 'Content-Type: application/json' --data-binary "@$dir/webhook.json" \
    "http://127.0.0.1:$hport/alertmanager")"
  [ "$code" = 202 ] || fail "$name: POST /alertmanager answered $code: $(cat "$dir/webhook.out")"
  grep -Eq '"started": *1' "$dir/webhook.out" || fail "$name: the webhook started no renewal: $(cat "$dir/webhook.out")"

  # Until the renewal is over (at most 120 s: certreq twice, the restarts, the checks).
  local status="" deadline=$((SECONDS + 120))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$hook_pid" 2>/dev/null || { fail "$name: ndes_renew_hook.exe exited"; break; }
    curl -fsS -H "$auth" "http://127.0.0.1:$hport/renewals" -o "$dir/renewals.json" 2>/dev/null || true
    status="$(python3 -c 'import json,sys
r=[x for x in json.load(open(sys.argv[1])).get("renewals",[]) if x.get("thumbprint")==sys.argv[2]]
print(r[-1]["status"] if r else "")' "$dir/renewals.json" "${old[cep]}" 2>/dev/null || true)"
    case "$status" in
      "" | planned | running) sleep 1 ;;
      *) break ;;
    esac
  done
  echo "renewal status: ${status:-none}"
  kill "$hook_pid" 2>/dev/null || true
  wait "$hook_pid" 2>/dev/null || true
  hook_pid=""
  curl -fsS "http://127.0.0.1:$standin_port/state" -o "$dir/standin.json" || echo '{}' >"$dir/standin.json"
  standin_stop
  fetch_when_up "http://127.0.0.1:${svc_port[W3SVC]}/metrics" "$dir/metrics.txt" ||
    fail "$name: the W3SVC service (the store's view) does not answer after the renewal"
  pids_to "$dir/pids.after"
  if ! python3 "$standin_dir/check_renewal.py" "$name" --renewals "$dir/renewals.json" \
    --metrics "$dir/metrics.txt" --standin "$dir/standin.json" --state-dir "$dir/state" \
    --old-cep "${old[cep]}" --old-eea "${old[eea]}" --pids-before "$dir/pids.before" \
    --pids-after "$dir/pids.after" --service-account "$service_account"; then
    failed=1
    echo "--- $name: the record" >&2
    python3 -m json.tool "$dir/renewals.json" >&2 || cat "$dir/renewals.json" >&2
    echo "--- $name: the hook's log (last 60 lines)" >&2
    tail -60 "$dir/hook.log" >&2
    echo "--- $name: the CA and NDES stand-in" >&2
    { cat "$dir/standin.json"; echo; cat "$dir/ca/standin.log"; } >&2
  fi
}

for c in $cases; do
  case "$c" in
    certreq) check_certreq ;;
    succeeded) run_case succeeded "Test CA" ;;
    pending) run_case pending "Pending CA" ;;
    wrong_template) run_case wrong_template "Wrong Template CA" ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "PASS ($cases): ndes_renew_hook.exe under wine renewed both RA certificates end to end," \
  "held a pending request and stopped on a wrong template, as checked above"
