#!/usr/bin/env bash
# Builds a test PKI with the openssl CLI, the way an admin's lab would look:
#   make-test-pki.sh OUTDIR
# OUTDIR/ca/           the issuing CA (ca.key, ca.pem) and `openssl ca` state
# OUTDIR/issue.sh      issue NAME PROFILE START END [SUBJECT]: a leaf signed by the CA
#                      PROFILE: cep | eea | ssl | client | plain ; START/END: YYYYMMDDHHMMSSZ
#                      writes OUTDIR/NAME.key and OUTDIR/NAME.pem
# Dates are absolute so tests can compare them with what the exporter reports.
set -euo pipefail
out="$1"
mkdir -p "$out/ca/newcerts"
: > "$out/ca/index.txt"
echo 1000 > "$out/ca/serial"

# The extensions of an NDES RA certificate: the Certificate Request Agent EKU, the v1
# template name NDES looks for, the CA's CRL.
ra_profile() {  # SECTION KEY_USAGE TEMPLATE
  cat <<SECTION
[ $1 ]
basicConstraints = CA:FALSE
keyUsage = critical,$2
extendedKeyUsage = 1.3.6.1.4.1.311.20.2.1
1.3.6.1.4.1.311.20.2 = ASN1:BMPSTRING:$3
crlDistributionPoints = URI:http://pki.corp.example/crl/corp-ca.crl
SECTION
}

cat > "$out/ca/openssl.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $out/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ v_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
$(ra_profile cep keyEncipherment CEPEncryption)
$(ra_profile eea digitalSignature EnrollmentAgentOffline)
[ ssl ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:ndes01.corp.example,DNS:localhost,IP:127.0.0.1
1.3.6.1.4.1.311.21.7 = ASN1:SEQUENCE:v2_template
[ v2_template ]
templateID = OID:1.3.6.1.4.1.311.21.8.1.2.3.4.5.6
major = INTEGER:100
minor = INTEGER:4
[ client ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
[ plain ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
CNF

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/CN=CORP-ISSUING-CA/O=Corp" -config "$out/ca/openssl.cnf" -extensions v_ca \
  -keyout "$out/ca/ca.key" -out "$out/ca/ca.pem" 2>/dev/null

cat > "$out/issue.sh" <<ISSUE
#!/usr/bin/env bash
# issue NAME PROFILE START END [SUBJECT]
set -euo pipefail
name="\$1"; profile="\$2"; start="\$3"; end="\$4"; subject="\${5:-/CN=\$1}"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "\$subject" \
  -config "$out/ca/openssl.cnf" -keyout "$out/\$name.key" -out "$out/\$name.csr" 2>/dev/null
openssl ca -batch -notext -config "$out/ca/openssl.cnf" -extensions "\$profile" \
  -startdate "\$start" -enddate "\$end" -in "$out/\$name.csr" -out "$out/\$name.pem" 2>/dev/null
rm -f "$out/\$name.csr"
ISSUE
chmod +x "$out/issue.sh"
