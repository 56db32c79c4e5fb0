#!/usr/bin/env bash
# Certificates for the Windows store tests, made with the openssl CLI on the Linux
# side (wine runs the tests; openssl here is the reference they are checked against):
#   make-store-fixtures.sh OUTDIR
#
# OUTDIR/pki/        the test CA (tests/pki/make-test-pki.sh)
# OUTDIR/NAME.pem    each certificate; NAME.der beside it; NAME.pfx (passphrase
#                    "wine", RSA key: wine's key store holds RSA keys only) for those
#                    that go into the store with their private key
# OUTDIR/facts.tsv   what `openssl x509` says of each, one line per certificate:
#   name thumbprint serial not_before not_after key archived subject
#   (dates in Unix seconds; key/archived: yes|no; subject RFC 2253, last, may hold spaces)
#
# The set: two valid EnrollmentAgentOffline RA certificates with keys (the
# duplicate that stops NDES), one without its key, a CEPEncryption RA certificate,
# an expired SSL certificate, a valid SSL certificate, an archived CEPEncryption
# certificate, and the CA certificate (for LocalMachine\CA).
set -euo pipefail
out="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rm -rf "$out"
mkdir -p "$out"
bash "$root/tests/pki/make-test-pki.sh" "$out/pki"
cnf="$out/pki/ca/openssl.cnf"

now="$(date -u +%s)"
day=86400
at() { date -u -d "@$1" +%Y%m%d%H%M%SZ; }
epoch() { date -u -d "$1" +%s; }

: >"$out/facts.tsv"

# leaf NAME PROFILE START END SUBJECT KEY ARCHIVED
leaf() {
  local name="$1" profile="$2" start="$3" end="$4" subject="$5" key="$6" archived="$7"
  openssl req -new -newkey rsa:2048 -nodes -subj "$subject" -config "$cnf" \
    -keyout "$out/$name.key" -out "$out/$name.csr" 2>/dev/null
  openssl ca -batch -notext -config "$cnf" -extensions "$profile" -startdate "$(at "$start")" \
    -enddate "$(at "$end")" -in "$out/$name.csr" -out "$out/$name.pem" 2>/dev/null
  rm -f "$out/$name.csr"
  facts "$name" "$key" "$archived"
}

facts() {
  local name="$1" key="$2" archived="$3"
  local pem="$out/$name.pem"
  openssl x509 -in "$pem" -outform DER -out "$out/$name.der"
  if [ "$key" = yes ]; then
    openssl pkcs12 -export -in "$pem" -inkey "$out/$name.key" -passout pass:wine \
      -out "$out/$name.pfx"
  fi
  local thumb serial nb na subject
  thumb="$(openssl x509 -in "$pem" -noout -fingerprint -sha1 | sed 's/^[^=]*=//; s/://g')"
  serial="$(openssl x509 -in "$pem" -noout -serial | sed 's/^serial=//')"
  nb="$(epoch "$(openssl x509 -in "$pem" -noout -startdate | sed 's/^notBefore=//')")"
  na="$(epoch "$(openssl x509 -in "$pem" -noout -enddate | sed 's/^notAfter=//')")"
  subject="$(openssl x509 -in "$pem" -noout -subject -nameopt RFC2253,-esc_msb |
    sed 's/^subject=//')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$thumb" "$serial" "$nb" "$na" "$key" \
    "$archived" "$subject" >>"$out/facts.tsv"
}

leaf eea-1 eea $((now - 100 * day)) $((now + 21 * day)) "/CN=NDES01-MSCEP-RA" yes no
leaf eea-2 eea $((now - day)) $((now + 700 * day)) "/CN=NDES01-MSCEP-RA" yes no
leaf eea-nokey eea $((now - day)) $((now + 700 * day)) "/CN=NDES01-MSCEP-RA-OLD" no no
leaf cep cep $((now - 100 * day)) $((now + 9 * day)) "/CN=NDES01-MSCEP-RA" yes no
leaf ssl-expired ssl $((now - 400 * day)) $((now - 10 * day)) "/CN=ndes01.corp.example" yes no
leaf ssl ssl $((now - 10 * day)) $((now + 300 * day)) "/CN=ndes01.corp.example" yes no
leaf cep-archived cep $((now - 400 * day)) $((now + 30 * day)) "/CN=NDES01-MSCEP-RA" yes yes
cp "$out/pki/ca/ca.pem" "$out/ca.pem"
facts ca no no
