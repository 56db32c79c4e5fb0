// The command line and the YAML config file -> ndes::ExporterConfig, through the
// settings engine (base/settings.h): the exporter's own rows here, each collector's
// rows from its folder (exporter/collector_table.h).
//
// Every flag --a.b.c has a config-file twin at the key path a -> b -> c, e.g.
//   web: {listen-address: ":9999"}
//   collector: {files: {path: [/a, {path: /b, pkcs12_passphrase_file: /etc/p}]}}
//   templates: {"1.3.6.1.4.1.311.21.8.1.2": "NDES-SSL"}
// A flag given on the command line beats the file. Reading the file is the only I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certstore/certstore_config.h"
#include "eventlog/eventlog_config.h"
#include "files/files_config.h"
#include "iis/iis_config.h"
#include "ndes/cert/parse.h"
#include "probe/probe_config.h"
#include "services/services_config.h"

namespace ndes {

// The renew hook the landing page links to and reads its last renewals from ("" = none).
struct RenewHookLinkConfig {
  std::string url;              // http://127.0.0.1:10228
  std::string auth_token_file;  // the hook's bearer token, for GET /renewals
};

// The exporter's settings as plain values; each collector reads its own section.
struct ExporterConfig {
  std::string listen_address = ":10227";
  std::string telemetry_path = "/metrics";
  std::string web_config_file;    // exporter-toolkit web config; "" = plain HTTP, no auth
  int web_max_connections = 128;  // a civetweb thread each (web/http_server.h WebLimits)
  int web_max_requests = 16;      // handlers at once; more wait, then get 503
  std::vector<std::string> collectors_enabled;  // empty: the platform default
  std::string log_level = "info";
  std::string log_format = "logfmt";
  TemplateNames template_names;  // v2 template OID -> name, shared by the collectors
  bool demo = false;
  std::string demo_dir;  // where the demo store is generated; "" = a temp dir
  RenewHookLinkConfig renew_hook;
  // The collectors' sections.
  FilesCollectorConfig files;
  ProbeConfig probes;                  // /probe modules and static probe targets
  CertstoreCollectorConfig certstore;  // Windows only
  ServicesCollectorConfig services;    // Windows only
  IisCollectorConfig iis;              // Windows only
  EventlogCollectorConfig eventlog;    // Windows only
};

struct ParseOutcome {
  // Set when the exporter should run with this configuration.
  std::optional<ExporterConfig> config;
  // When config is unset: 0 for --help/--version (message goes to stdout), 2 for a
  // usage or config error (message is one line for stderr, "ndes_exporter: error: ...").
  int exit_code = 0;
  std::string message;

  bool should_run() const { return config.has_value(); }
};

ParseOutcome parse_command_line(int argc, const char* const* argv);

}  // namespace ndes
