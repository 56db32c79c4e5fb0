#!/usr/bin/env bash
# amtool check-config + one `amtool config routes test` per routing decision of
# alerts/alertmanager.example.yml. Run from the source root (CTest does).
#
#   tests/alerts/test_alertmanager_routes.sh [path/to/alertmanager.yml]
set -uo pipefail

config="${1:-alerts/alertmanager.example.yml}"
amtool="${AMTOOL:-amtool}"
failures=0
cases=0

if ! "$amtool" check-config "$config"; then
  echo "FAIL: amtool check-config $config" >&2
  exit 1
fi

# expect <receiver> <label=value>...   -- the alert must go to exactly <receiver>.
expect() {
  local want="$1"; shift
  cases=$((cases + 1))
  local got
  # --verify.receivers makes amtool exit non-zero on a mismatch; keep its output for the log.
  if got="$("$amtool" config routes test --config.file="$config" --verify.receivers="$want" "$@" 2>/dev/null)"; then
    echo "ok   $want <- $*"
  else
    echo "FAIL want $want, got ${got:-?} <- $*" >&2
    failures=$((failures + 1))
  fi
}

ra_labels=(instance=ndes01:10227 job=ndes collector=certstore 'source=LocalMachine\My'
           thumbprint=0123456789ABCDEF0123456789ABCDEF01234567)

# RA certificate expiry, every band and both RA roles -> the renew hook, and on to email.
for sev in info warning critical; do
  expect ndes-renew-hook,email alertname=NdesCertificateExpiringSoon severity="$sev" \
    role=cep_encryption template=CEPEncryption "${ra_labels[@]}"
  expect ndes-renew-hook,email alertname=NdesCertificateExpiringSoon severity="$sev" \
    role=enrollment_agent template=EnrollmentAgentOffline "${ra_labels[@]}"
done
# An expired RA certificate -> people only: RenewalCert cannot renew it.
expect email alertname=NdesCertificateExpired severity=critical \
  role=cep_encryption template=CEPEncryption "${ra_labels[@]}"
expect email alertname=NdesCertificateExpired severity=critical \
  role=enrollment_agent template=EnrollmentAgentOffline "${ra_labels[@]}"
# Duplicate RA certificates in LocalMachine\My -> the hook's repair, and on to email;
# duplicates in a files source -> email.
expect ndes-renew-hook,email alertname=NdesRaCertificateDuplicate severity=critical \
  role=cep_encryption template=CEPEncryption instance=ndes01:10227 collector=certstore
expect email alertname=NdesRaCertificateDuplicate severity=critical role=cep_encryption \
  template=CEPEncryption instance=ndes01:10227 collector=files
# An RA role found by EKU with a v2 template name still goes to the hook.
expect ndes-renew-hook,email alertname=NdesCertificateExpiringSoon severity=warning \
  role=cep_encryption template=Corp-NDES-CEP "${ra_labels[@]}"

# Other roles expiring -> email (the hook only renews RA certificates).
for role in ssl connector_identity ca; do
  expect email alertname=NdesCertificateExpiringSoon severity=warning role="$role" \
    instance=ndes01:10227 thumbprint=AA00000000000000000000000000000000000000
  expect email alertname=NdesCertificateExpired severity=critical role="$role" \
    instance=ndes01:10227 thumbprint=AA00000000000000000000000000000000000000
done

# Every other alert -> email, RA-related ones included.
expect email alertname=NdesRaCertificateMissing severity=critical role=enrollment_agent template=EnrollmentAgentOffline instance=ndes01:10227
expect email alertname=NdesPrivateKeyNotReadable severity=critical instance=ndes01:10227 thumbprint=AA00000000000000000000000000000000000000
expect email alertname=NdesRenewalFailed severity=warning template=CEPEncryption instance=ndes01:10228
expect email alertname=NdesScepEndpointDown severity=critical instance=ndes01:10227 collector=scep
expect email alertname=NdesServiceDown severity=critical instance=ndes01:10227 name=W3SVC
expect email alertname=NdesEventLogErrors severity=warning instance=ndes01:10227 event_id=2
expect email alertname=NdesConnectorStale severity=warning instance=ndes01:10227
expect email alertname=NdesCrlExpiringSoon severity=critical instance=ndes01:10227
expect email alertname=NdesCertificateReadErrors severity=warning instance=ndes01:10227
expect email alertname=NdesExporterDown severity=critical instance=ndes01:10227 job=ndes
expect email alertname=NdesCollectorFailing severity=warning instance=ndes01:10227 collector=files
expect email alertname=SomethingElse severity=critical role=cep_encryption

echo "$cases routing cases, $failures failed"
[ "$failures" -eq 0 ]
