// The exporter's settings as plain values. exporter/config.cpp fills it from the
// command line and the YAML file; collectors read their part when created.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ndes/cert/parse.h"
#include "ndes/probe_config.h"

namespace ndes {

struct FilesRoot {
  std::string path;  // a file or a directory, as the user gave it
  // File holding the PKCS#12 passphrase for this root; else the collector-wide one.
  std::optional<std::string> pkcs12_passphrase_file;
};

struct FilesCollectorConfig {
  std::vector<FilesRoot> roots;
  std::optional<std::string> pkcs12_passphrase_file;
  std::size_t max_file_size = std::size_t{1024} * 1024;  // larger files are too_large errors
  // Watch the roots for changes (inotify) and skip the walk while nothing changed.
  bool watch = true;
};

// The `certstore` collector (Windows): system certificate stores, read-only.
struct CertstoreCollectorConfig {
  // "Location\Store" names (LocalMachine\My, LocalMachine\CA, Root = LocalMachine\Root).
  std::vector<std::string> stores = {"LocalMachine\\My"};
  // Identities whose read access to each private key is reported
  // (ndes_certificate_private_key_readable). Empty: the SCEP application pool's
  // identity (from applicationHost.config) and service_account.
  std::vector<std::string> key_readers;
  std::string service_account;  // the NDES service account, e.g. CORP\svc-ndes; "" = none
};

// The renew hook the landing page links to and reads its last renewals from ("" = none).
struct RenewHookLinkConfig {
  std::string url;              // http://127.0.0.1:10228
  std::string auth_token_file;  // the hook's bearer token, for GET /renewals
};

// The Windows health collectors (services, iis, eventlog, ndes): plain values,
// filled on every platform so their pure parts test everywhere.
struct ServicesCollectorConfig {
  // Service names (the SCM's key name, not the display name).
  std::vector<std::string> names = {"W3SVC",
                                    "WAS",
                                    "PFXCertificateConnectorSvc",
                                    "PkiCreateConnectorSvc",
                                    "PkiRevokeConnectorSvc",
                                    "PfxCreateLegacyConnectorSvc",
                                    "PKIConnectorSvc",
                                    "AzureADConnectAgentUpdater"};
};

struct IisCollectorConfig {
  std::vector<std::string> app_pools = {"SCEP"};
  // "" = %windir%\System32\inetsrv\config\applicationHost.config
  std::string config_file;
  // "" = %windir%\System32\inetsrv\appcmd.exe (the live state)
  std::string appcmd;
};

// One event log query: a log (channel) and, optionally, one provider and event IDs.
struct EventlogSource {
  std::string log;
  std::string provider;             // "" = every provider of the log
  std::vector<unsigned> event_ids;  // empty = every event
};

struct EventlogCollectorConfig {
  std::vector<EventlogSource> sources = {
      {"Application", "Microsoft-Windows-NetworkDeviceEnrollmentService", {1, 2, 3, 10, 31}},
      {"Microsoft-Intune-CertificateConnectors/Admin", "", {}},
      {"Microsoft-Intune-CertificateConnectors/Operational", "", {}},
  };
  unsigned max_events_per_scrape = 1000;   // per source; the rest waits for the next scrape
  unsigned look_back_seconds = 24 * 3600;  // events this old at start are counted
  // "" = the live event log; else a directory of exported event XML read instead
  // (offline analysis of an export; tests where the event log API is missing).
  std::string xml_dir;
};

struct ExporterConfig {
  std::string listen_address = ":10227";
  std::string telemetry_path = "/metrics";
  std::string web_config_file;    // exporter-toolkit web config; "" = plain HTTP, no auth
  int web_max_connections = 128;  // a civetweb thread each (web/http_server.h WebLimits)
  int web_max_requests = 16;      // handlers at once; more wait, then get 503
  std::vector<std::string> collectors_enabled;  // empty: the platform default
  std::string log_level = "info";
  std::string log_format = "logfmt";
  FilesCollectorConfig files;
  TemplateNames template_names;  // v2 template OID -> name
  bool demo = false;
  std::string demo_dir;                // where the demo store is generated; "" = a temp dir
  ProbeConfig probes;                  // /probe modules and static probe targets
  CertstoreCollectorConfig certstore;  // Windows only
  RenewHookLinkConfig renew_hook;
  ServicesCollectorConfig services;  // Windows only
  IisCollectorConfig iis;            // Windows only
  EventlogCollectorConfig eventlog;  // Windows only
};

}  // namespace ndes
