#!/usr/bin/env bash
# Renews one certificate file in a directory store with the test CA: the remediation the
# renew hook's `command` executor runs in tests/integration/renew_command_test.cpp.
#   renew-file-cert.sh PKI_DIR STORE_DIR THUMBPRINT TEMPLATE
# Finds the PEM in STORE_DIR whose SHA-1 thumbprint is THUMBPRINT, issues a new
# certificate with the same subject and the template's profile through
# PKI_DIR/issue.sh (tests/pki/make-test-pki.sh), valid from now for 730 days, and
# replaces the file atomically (rename), so a scraper never sees half a file.
# The arguments are data: they are checked, quoted and never evaluated.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 PKI_DIR STORE_DIR THUMBPRINT TEMPLATE" >&2; exit 2; }
pki="$1"
store="$2"
thumbprint="$3"
template="$4"

[[ "$thumbprint" =~ ^[0-9A-F]{40}$ ]] || { echo "not a thumbprint" >&2; exit 2; }
case "$template" in
  CEPEncryption) profile=cep ;;
  EnrollmentAgentOffline) profile=eea ;;
  *) echo "no test CA profile for this template" >&2; exit 2 ;;
esac

target=""
for file in "$store"/*.pem; do
  [ -f "$file" ] || continue
  fingerprint="$(openssl x509 -in "$file" -noout -fingerprint -sha1 2>/dev/null || true)"
  fingerprint="${fingerprint#*=}"
  if [ "${fingerprint//:/}" = "$thumbprint" ]; then
    target="$file"
    break
  fi
done
[ -n "$target" ] || { echo "no certificate with thumbprint $thumbprint in $store" >&2; exit 3; }

subject="$(openssl x509 -in "$target" -noout -subject -nameopt compat)"
subject="${subject#subject=}"
name="renewed-$thumbprint"
start="$(date -u -d '-1 hour' +%Y%m%d%H%M%SZ)"
end="$(date -u -d '+730 days' +%Y%m%d%H%M%SZ)"
"$pki/issue.sh" "$name" "$profile" "$start" "$end" "$subject"

cp "$pki/$name.pem" "$target.renewing"
mv -f "$target.renewing" "$target"
new="$(openssl x509 -in "$target" -noout -fingerprint -sha1)"
echo "renewed $target: ${new#*=} notAfter=$(openssl x509 -in "$target" -noout -enddate | sed 's/^notAfter=//')"
