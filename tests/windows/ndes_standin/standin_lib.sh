# shellcheck shell=bash disable=SC2154  # $wine, $bin, $prefix come from the sourcing script
# Sourced by tests/windows/renew_hook_execute.sh: the test PKI, the two old RA
# certificates in the wine store, the certreq.exe stand-in in system32 and the Linux-side
# CA + NDES stand-in (ndes_standin.py). Needs $wine, $bin, $prefix, WINEPREFIX exported,
# winpath() and fail() from wine_lib.sh.
#
#   standin_pki DIR            tests/pki/make-test-pki.sh into DIR, then the two RA
#                              certificates being renewed, with RSA keys (wine's key store
#                              holds RSA only): DIR/cep-old.{pem,pfx} (CEPEncryption, 20
#                              days left) and DIR/eea-old.{pem,pfx} (EnrollmentAgentOffline,
#                              25 days left), both "CN=NDES01-MSCEP-RA" as NDES names them;
#                              PFX passphrase "wine". Sets old[cep], old[eea] (thumbprints).
#   standin_seed_store DIR     empties LocalMachine\My and \REQUEST, imports both PFXs into
#                              My (machine key set), the CA certificate into \CA
#   standin_start DIR WORK IIS_ADDRESS
#                              starts ndes_standin.py (the CA and NDES) on a free port with
#                              its state in WORK, events into WORK/events; installs
#                              certreq.exe and certreq-standin.conf (its CA URL) into the
#                              prefix's system32. Sets standin_port, standin_pid.
#   standin_stop               stops it
#   standin_uninstall          removes certreq.exe and its conf from system32
#   store_thumbprint PEM       the SHA-1 thumbprint openssl gives (uppercase, no colons)

standin_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
standin_pid=""
standin_port=""
declare -gA old=()

store_thumbprint() {
  openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/^[^=]*=//; s/://g'
}

standin_pki() {
  local dir="$1" name profile days
  bash "$standin_dir/../../pki/make-test-pki.sh" "$dir"
  local at_start at_end
  at_start="$(date -u -d '-300 days' +%Y%m%d%H%M%SZ)"
  for name in cep eea; do
    profile="$name"
    days=20
    [ "$name" = eea ] && days=25
    at_end="$(date -u -d "+$days days" +%Y%m%d%H%M%SZ)"
    openssl req -new -newkey rsa:2048 -nodes -subj "/CN=NDES01-MSCEP-RA" \
      -config "$dir/ca/openssl.cnf" -keyout "$dir/$name-old.key" -out "$dir/$name-old.csr" \
      2>/dev/null
    openssl ca -batch -notext -config "$dir/ca/openssl.cnf" -extensions "$profile" \
      -startdate "$at_start" -enddate "$at_end" -in "$dir/$name-old.csr" \
      -out "$dir/$name-old.pem" 2>/dev/null
    openssl pkcs12 -export -in "$dir/$name-old.pem" -inkey "$dir/$name-old.key" \
      -passout pass:wine -out "$dir/$name-old.pfx"
    old[$name]="$(store_thumbprint "$dir/$name-old.pem")"
  done
  openssl x509 -in "$dir/ca/ca.pem" -outform DER -out "$dir/ca.der"
}

standin_store() { "$wine" "$bin/ndes_wine_store.exe" "$@" </dev/null | tr -d '\r'; }

standin_seed_store() {
  local dir="$1" name got
  standin_store clear My
  standin_store clear REQUEST
  standin_store clear CA
  standin_store add-der CA "$(winpath "$dir/ca.der")" >/dev/null
  for name in cep eea; do
    got="$(standin_store add-pfx My "$(winpath "$dir/$name-old.pfx")" wine)"
    [ "$got" = "${old[$name]}" ] || fail "seeding $name-old: the store says '$got', openssl ${old[$name]}"
  done
}

standin_start() {
  local dir="$1" work="$2" iis="$3"
  mkdir -p "$work/events"
  rm -f "$work/port"
  python3 "$standin_dir/ndes_standin.py" --port-file "$work/port" --pki "$dir" \
    --ra "$dir/cep-old.pem" --ra "$dir/eea-old.pem" --work "$work" \
    --events-dir "$work/events" --iis-address "$iis" --iis-pid-file "$work/iis.pids" \
    >"$work/standin.log" 2>&1 &
  standin_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$work/port" ] && break
    sleep 0.1
  done
  [ -s "$work/port" ] || { cat "$work/standin.log" >&2; echo "FAIL: ndes_standin.py did not start" >&2; exit 1; }
  standin_port="$(cat "$work/port")"
  local sys32="$prefix/drive_c/windows/system32"
  cp "$bin/certreq.exe" "$sys32/certreq.exe"
  printf 'ca-url=http://127.0.0.1:%s/ca\r\n' "$standin_port" >"$sys32/certreq-standin.conf"
}

standin_stop() {
  if [ -n "$standin_pid" ]; then
    kill "$standin_pid" 2>/dev/null || true
    wait "$standin_pid" 2>/dev/null || true
    standin_pid=""
  fi
}

standin_uninstall() {
  rm -f "$prefix/drive_c/windows/system32/certreq.exe" \
    "$prefix/drive_c/windows/system32/certreq-standin.conf"
}
