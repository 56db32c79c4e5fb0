# Sourced by exporter_under_wine.sh and service_under_wine.sh: the Windows health
# collectors' wine fixtures and checks. Needs $wine (wine64), WINEPREFIX set, and
# fail() / has() from the sourcing script.
#
#   winhealth_setup WORK THUMBPRINT   writes the MSCEP and connector keys into wine's
#                                     registry (the connector's encryption cert =
#                                     THUMBPRINT, a cert in LocalMachine\My) and an
#                                     applicationHost.config into WORK
#   winhealth_args WORK SERVICE...    the exporter flags for the four collectors,
#                                     reporting the given services
#   winhealth_check METRICS SERVICE... checks the scrape against what wine's sc.exe
#                                     and reg.exe say, and the fixtures

winhealth_reg() { "$wine" reg "$@" </dev/null >/dev/null 2>&1; }

winhealth_setup() {
  local work="$1" thumbprint="$2"
  local mscep='HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP'
  local conn='HKLM\SOFTWARE\Microsoft\MicrosoftIntune\PFXCertificateConnector'
  winhealth_reg delete "$mscep" /f || true
  winhealth_reg delete "$conn" /f || true
  winhealth_reg add "$mscep" /v EncryptionTemplate /t REG_SZ /d 'NDES-Encryption' /f
  winhealth_reg add "$mscep" /v SignatureTemplate /t REG_SZ /d 'NDES-Signature' /f
  winhealth_reg add "$mscep" /v GeneralPurposeTemplate /t REG_SZ /d 'IPSECIntermediateOffline' /f
  winhealth_reg add "$mscep\\EnforcePassword" /v EnforcePassword /t REG_DWORD /d 0 /f
  winhealth_reg add "$conn" /v Version /t REG_SZ /d '6.2301.1.0' /f
  winhealth_reg add "$conn" /v EncryptionCertThumbprint /t REG_SZ /d "$thumbprint" /f
  # Two hours ago, in the ISO form.
  WINHEALTH_LAST_CONNECTION=$(($(date +%s) - 7200))
  winhealth_reg add "$conn\\ConnectionStatus" /v LastConnectionTime /t REG_SZ \
    /d "$(date -u -d "@$WINHEALTH_LAST_CONNECTION" +%Y-%m-%dT%H:%M:%SZ)" /f
  WINHEALTH_THUMBPRINT="$thumbprint"
  cat >"$work/applicationHost.config" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <system.applicationHost>
        <applicationPools>
            <add name="DefaultAppPool" />
            <add name="SCEP" managedRuntimeVersion="v4.0">
                <processModel identityType="SpecificUser" userName="CORP\gmsa-ndes$" />
            </add>
            <applicationPoolDefaults managedRuntimeVersion="v4.0">
                <processModel identityType="ApplicationPoolIdentity" />
            </applicationPoolDefaults>
        </applicationPools>
    </system.applicationHost>
</configuration>
XML
}

winhealth_args() {
  local work="$1"
  shift
  local s
  printf '%s\n' "--collector.iis.config-file=$(winpath "$work/applicationHost.config")" \
    '--collector.iis.app-pool=SCEP' '--collector.iis.app-pool=DefaultAppPool'
  for s in "$@"; do
    printf '%s\n' "--collector.services.name=$s"
  done
}

# What wine's SCM says of a service: "STATE START_MODE", or "missing".
winhealth_sc_facts() {
  local name="$1" state start delayed
  state="$("$wine" sc query "$name" </dev/null 2>/dev/null | tr -d '\r' |
    awk '/STATE/ {print $4; exit}')"
  [ -n "$state" ] || { echo missing; return; }
  start="$("$wine" reg query "HKLM\\System\\CurrentControlSet\\Services\\$name" /v Start \
    </dev/null 2>/dev/null | tr -d '\r' | awk '/Start/ {print $3; exit}')"
  delayed="$("$wine" reg query "HKLM\\System\\CurrentControlSet\\Services\\$name" \
    /v DelayedAutostart </dev/null 2>/dev/null | tr -d '\r' | awk '/Delayed/ {print $3; exit}')"
  case "$state" in
    STOPPED) state=stopped ;; START_PENDING) state=start_pending ;;
    STOP_PENDING) state=stop_pending ;; RUNNING) state=running ;;
    CONTINUE_PENDING) state=continue_pending ;; PAUSE_PENDING) state=pause_pending ;;
    PAUSED) state=paused ;; *) state=unknown ;;
  esac
  case "$((start))" in
    0) start=boot ;; 1) start=system ;; 3) start=manual ;; 4) start=disabled ;;
    2) if [ "$((${delayed:-0}))" -ne 0 ]; then start=delayed_auto; else start=auto; fi ;;
  esac
  echo "$state $start"
}

winhealth_check() {
  local m="$1"
  shift
  local s facts state mode
  for c in services iis ndes; do
    has "ndes_collector_success{collector=\"$c\"} 1"
  done
  # The event log: wine's wevtapi has no EvtQuery (docs/windows.md); the collector
  # must fail as a collector (success 0), not take the exporter down. Where it works
  # it is 1: either is an honest answer, a missing series is not.
  grep -qE '^ndes_collector_success\{collector="eventlog"\} [01]$' "$m" ||
    fail "no ndes_collector_success for the eventlog collector"

  # services: each as wine's sc.exe and registry say.
  for s in "$@"; do
    facts="$(winhealth_sc_facts "$s")"
    if [ "$facts" = missing ]; then
      has "ndes_service_installed{name=\"$s\"} 0"
      if grep -qF "ndes_service_state{name=\"$s\"" "$m"; then
        fail "$s is not installed but has state series"
      fi
      continue
    fi
    read -r state mode <<<"$facts"
    has "ndes_service_installed{name=\"$s\"} 1"
    has "ndes_service_state{name=\"$s\",state=\"$state\"} 1"
    has "ndes_service_start_mode{name=\"$s\",start_mode=\"$mode\"} 1"
    [ "$(grep -cE "^ndes_service_state\{name=\"$s\",.*\} 1$" "$m")" = 1 ] ||
      fail "$s: not exactly one state is 1"
    echo "service $s: $state, $mode (as sc.exe and the registry say)"
  done

  # iis: the identity from applicationHost.config; no appcmd under wine, so the
  # live state is unknown.
  # (Labels come out sorted by name.)
  has 'ndes_iis_app_pool_identity_info{gmsa="true",identity="CORP\\gmsa-ndes$",identity_type="SpecificUser",pool="SCEP"} 1'
  has 'ndes_iis_app_pool_identity_info{gmsa="false",identity="IIS APPPOOL\\DefaultAppPool",identity_type="ApplicationPoolIdentity",pool="DefaultAppPool"} 1'
  has 'ndes_iis_app_pool_state{pool="SCEP",state="unknown"} 1'

  # ndes: what the test wrote into wine's registry.
  has 'ndes_config_info{encryption_template="NDES-Encryption",enforce_password="false",general_purpose_template="IPSECIntermediateOffline",signature_template="NDES-Signature"} 1'
  has "ndes_connector_info{encryption_cert_thumbprint=\"$WINHEALTH_THUMBPRINT\",version=\"6.2301.1.0\"} 1"
  has 'ndes_connector_encryption_cert_present 1'
  local got
  got="$(awk '/^ndes_connector_last_connection_timestamp_seconds / {print $2}' "$m")"
  [ -n "$got" ] && [ "$(awk -v v="$got" 'BEGIN { printf "%d", v }')" = "$WINHEALTH_LAST_CONNECTION" ] ||
    fail "ndes_connector_last_connection_timestamp_seconds is '$got', the registry says $WINHEALTH_LAST_CONNECTION"
}
