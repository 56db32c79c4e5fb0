#!/usr/bin/env bash
# Regenerates the generated seed corpora (fuzz_parse_certificates, fuzz_scep_answer,
# fuzz_crl) in tests/fuzz/corpus/<target>/; fuzz_config_yaml and fuzz_webhook_json
# seeds are written by hand. The corpora are kept in the repository; run this only
# to refresh them:
#   tests/fuzz/make-seeds.sh [REALWORLD_DIR]
# Certificates come from the real Microsoft files in REALWORLD_DIR (default
# ../shared/realworld next to the checkout) and from a small lab PKI that
# tests/pki/make-test-pki.sh builds with the openssl CLI (EC P-256, so files are
# small). PKCS#12 seeds use passphrase "fuzz" and one iteration, so each execution
# of a PKCS#12 input stays cheap.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../.." && pwd)"
realworld="${1:-$src/../shared/realworld}"
corpus="$here/corpus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Writes file $2 with one control byte $1 (hex, e.g. 10) in front of file $3.
with_control() {
  { printf "\\x$1"; cat "$3"; } > "$2"
}

# --- certificates -------------------------------------------------------------
"$src/tests/pki/make-test-pki.sh" "$work/pki" >/dev/null
pki="$work/pki"
"$pki/issue.sh" cep cep 20240101000000Z 20340101000000Z "/CN=NDES01-MSCEP-RA/O=Corp"
"$pki/issue.sh" eea eea 20240101000000Z 20340101000000Z "/CN=NDES01-MSCEP-RA/O=Corp"
"$pki/issue.sh" ssl ssl 20240101000000Z 20990101000000Z "/CN=ndes01.corp.example"
"$pki/issue.sh" old plain 19600101000000Z 19691231235959Z "/CN=Before 1970"
# A UTF-8 subject with characters outside ASCII.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -utf8 \
  -subj "/CN=Zertifikat für Müller ☃/O=Ünïcödé" -keyout "$work/utf8.key" \
  -out "$work/utf8.pem" 2>/dev/null
# The Intune connector identity: issued by "Microsoft Intune ImportPFX Connector CA".
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
  -subj "/CN=Microsoft Intune ImportPFX Connector CA" -keyout "$work/conn.key" \
  -out "$work/conn.pem" 2>/dev/null

c="$corpus/fuzz_parse_certificates"
rm -rf "$c"; mkdir -p "$c"
# Control byte: 0x10 = passphrase "fuzz", low bits = name hint
#   0 .pem  1 .der  2 .p7b  3 .pfx  4 ""  5 .cer  6 .p12  7 .crt ; 0x20 = template names
with_control 10 "$c/pem-ca" "$pki/ca/ca.pem"
with_control 30 "$c/pem-cep-templates" "$pki/cep.pem"
with_control 17 "$c/crt-eea" "$pki/eea.pem"
with_control 30 "$c/pem-ssl-v2-template" "$pki/ssl.pem"
with_control 10 "$c/pem-before-1970" "$pki/old.pem"
with_control 10 "$c/pem-utf8-subject" "$work/utf8.pem"
with_control 14 "$c/noname-connector" "$work/conn.pem"
openssl x509 -in "$pki/ssl.pem" -outform DER -out "$work/ssl.der"
with_control 11 "$c/der-ssl" "$work/ssl.der"
with_control 55 "$c/cer-ssl-der-also-parse-der" "$work/ssl.der"
{ openssl x509 -in "$pki/ca/ca.pem" -text -noout; cat "$pki/ca/ca.pem";
  echo "Bag Attributes"; echo "    friendlyName: NDES RA"; cat "$pki/cep.pem"; } > "$work/bundle.pem"
with_control 10 "$c/pem-bundle-with-text" "$work/bundle.pem"
sed 's/CERTIFICATE/TRUSTED CERTIFICATE/' "$pki/eea.pem" > "$work/trusted.pem"
with_control 10 "$c/pem-trusted-label" "$work/trusted.pem"
openssl crl2pkcs7 -nocrl -certfile "$pki/ca/ca.pem" -certfile "$pki/cep.pem" \
  -outform DER -out "$work/chain.p7b"
openssl crl2pkcs7 -nocrl -certfile "$pki/eea.pem" -out "$work/chain-p7.pem"
with_control 12 "$c/p7b-der" "$work/chain.p7b"
with_control 12 "$c/p7b-pem" "$work/chain-p7.pem"
openssl pkcs12 -export -in "$pki/cep.pem" -inkey "$pki/cep.key" -certfile "$pki/ca/ca.pem" \
  -passout pass:fuzz -iter 1 -out "$work/pass.pfx"
openssl pkcs12 -export -in "$pki/eea.pem" -inkey "$pki/eea.key" \
  -passout pass: -iter 1 -out "$work/nopass.pfx"
openssl pkcs12 -export -in "$pki/ssl.pem" -nokeys -passout pass: -iter 1 -nomac \
  -certpbe NONE -out "$work/plain.p12"
with_control 13 "$c/pfx-passphrase-fuzz" "$work/pass.pfx"
with_control 03 "$c/pfx-no-passphrase" "$work/nopass.pfx"
with_control 16 "$c/p12-unencrypted-nomac" "$work/plain.p12"
# Not certificates: a key, a CSR, a note.
with_control 10 "$c/pem-private-key" "$pki/cep.key"
openssl req -new -key "$pki/ssl.key" -subj "/CN=csr" -out "$work/req.csr" 2>/dev/null
with_control 10 "$c/pem-csr" "$work/req.csr"
printf 'See the wiki for the NDES RA certificates.\n' > "$work/note.txt"
with_control 04 "$c/text-note" "$work/note.txt"
# The real files: NDES, AD CS and Windows exports.
for f in "$realworld"/*.p7b; do with_control 32 "$c/realworld-$(basename "$f")" "$f"; done
for f in "$realworld"/*.cer; do with_control 35 "$c/realworld-$(basename "$f")" "$f"; done
for f in "$realworld"/*.pem; do with_control 10 "$c/realworld-$(basename "$f")" "$f"; done

# --- SCEP answers ---------------------------------------------------------------
s="$corpus/fuzz_scep_answer"
rm -rf "$s"; mkdir -p "$s"
# Control byte: content type 0 ca-ra-cert, 1 ca-cert, 2 none, 3 text/html, ...
openssl crl2pkcs7 -nocrl -certfile "$pki/ca/ca.pem" -certfile "$pki/eea.pem" \
  -certfile "$pki/cep.pem" -outform DER -out "$work/ra.p7b"
with_control 00 "$s/ca-ra-cert-p7" "$work/ra.p7b"
openssl x509 -in "$pki/ca/ca.pem" -outform DER -out "$work/ca.der"
with_control 01 "$s/ca-cert-der" "$work/ca.der"
base64 "$work/ra.p7b" > "$work/ra.b64"
with_control 00 "$s/ca-ra-cert-base64" "$work/ra.b64"
with_control 02 "$s/no-type-pem" "$pki/ca/ca.pem"
with_control 00 "$s/realworld-ndes-certrep" "$realworld/ndes-certrep-no-certificates.p7b"
with_control 06 "$s/realworld-chain" "$realworld/windows-exported-chain.p7b"
printf 'POSTPKIOperation\r\nRenewal\r\nSHA-512\r\nSHA-256\r\nSHA-1\r\nDES3\r\nAES\r\n' > "$work/caps"
with_control 05 "$s/getcacaps-ndes" "$work/caps"
printf 'https://ndes01.corp.example/certsrv/mscep/mscep.dll' > "$work/url"
with_control 02 "$s/target-ndes-url" "$work/url"
printf 'http://[::1]:8080/scep?x=1#frag' > "$work/url6"
with_control 02 "$s/target-ipv6-url" "$work/url6"
printf 'ndes01.corp.example:443' > "$work/hostport"
with_control 02 "$s/target-host-port" "$work/hostport"
printf '<!DOCTYPE html>\n<html><body>Proxy error</body></html>\n' > "$work/html"
with_control 03 "$s/html-error-page" "$work/html"

# --- CRLs -----------------------------------------------------------------------
r="$corpus/fuzz_crl"
rm -rf "$r"; mkdir -p "$r"
cnf="$pki/ca/openssl.cnf"
openssl ca -batch -config "$cnf" -gencrl -crldays 7 -out "$work/empty.crl" 2>/dev/null
openssl ca -batch -config "$cnf" -revoke "$pki/ssl.pem" -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config "$cnf" -revoke "$pki/eea.pem" 2>/dev/null
openssl ca -batch -config "$cnf" -gencrl -crldays 7 -out "$work/two.crl" 2>/dev/null
cp "$work/empty.crl" "$r/pem-empty"
cp "$work/two.crl" "$r/pem-two-revoked"
openssl crl -in "$work/two.crl" -outform DER -out "$r/der-two-revoked"
printf '/var/crl/corp-ca.crl' > "$r/target-path"
printf 'file:///var/crl/corp-ca.crl' > "$r/target-file-url"

echo "seeds written to $corpus"
