# shellcheck shell=bash disable=SC2154,SC2034  # $wine, $bin come from the sourcing script; thumb, archived_ok go back to it
# Sourced by exporter_under_wine.sh and ndes_server_under_wine.sh: an NDES-like
# server inside wine's prefix, made of make-store-fixtures.sh's certificates and
# winhealth.sh's registry values. Needs $wine (wine64), $bin (ndes_wine_store.exe),
# WINEPREFIX exported, winpath() and fail() from the sourcing script, and
# winhealth.sh sourced.
#
#   wine_ndes_seed FIXTURES WORK     fills LocalMachine\My and \CA with each
#                                    certificate of FIXTURES/facts.tsv (with its key
#                                    where it has one), archives the archived one
#                                    where wine can, copies the PEMs into WORK/files,
#                                    sets the key DACLs (the SCEP pool may read the
#                                    CEPEncryption key, not eea-1's) and writes the
#                                    registry keys and WORK/applicationHost.config
#                                    (the connector's encryption cert is cep).
#                                    Sets thumb[NAME] and archived_ok=yes|no.
#   wine_exporter_args WORK SERVICE...  the exporter flags for the store, the key
#                                    reader and the Windows health collectors (the
#                                    caller adds --collectors.enabled and the port)

wine_store() { "$wine" "$bin/ndes_wine_store.exe" "$@" | tr -d '\r'; }

wine_ndes_seed() {
  local fixtures="$1" work="$2"
  local name t _serial _nb _na key archived _subject
  declare -gA thumb=()
  archived_ok=no
  wine_store clear My
  wine_store clear CA
  mkdir -p "$work/files"
  while IFS=$'\t' read -r name t _serial _nb _na key archived _subject; do
    if [ "$name" = ca ]; then
      thumb[$name]="$(wine_store add-der CA "$(winpath "$fixtures/ca.der")")"
    elif [ "$key" = yes ]; then
      thumb[$name]="$(wine_store add-pfx My "$(winpath "$fixtures/$name.pfx")" wine)"
    else
      thumb[$name]="$(wine_store add-der My "$(winpath "$fixtures/$name.der")")"
    fi
    [ "${thumb[$name]}" = "$t" ] || fail "$name: the store says ${thumb[$name]}, openssl says $t"
    if [ "$archived" = yes ]; then
      if wine_store archive My "$t" 2>"$work/archive.err"; then
        archived_ok=yes
      else
        echo "note: $(cat "$work/archive.err") - archived certificates cannot be tested under wine"
      fi
    fi
    cp "$fixtures/$name.pem" "$work/files/$name.pem"
  done <"$fixtures/facts.tsv"
  # The SCEP application pool may read the CEPEncryption key (through IIS_IUSRS).
  wine_store set-key-dacl My "${thumb[cep]}" 'D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;S-1-5-32-568)'
  wine_store set-key-dacl My "${thumb[eea-1]}" 'D:P(A;;GA;;;SY)(A;;GA;;;BA)'
  winhealth_setup "$work" "${thumb[cep]}"
}

wine_exporter_args() {
  local work="$1"
  shift
  printf '%s\n' '--collector.certstore.store=LocalMachine\My' \
    '--collector.certstore.store=LocalMachine\CA' \
    '--collector.certstore.key-reader=IIS APPPOOL\SCEP'
  winhealth_args "$work" "$@"
}
