// Probe modules and static probe targets, as plain values (the YAML `modules:`,
// `targets:`, `crl:` and `probes:` sections). The probers live in collectors/probe,
// collectors/scep, collectors/tls and collectors/crl.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ndes {

// What a module does with its target.
enum class ProberKind {
  scep,  // target: the SCEP URL; GetCACaps + GetCACert
  tls,   // target: host:port; a TLS handshake with SNI
  crl,   // target: a CRL URL (http/https) or a file path
};

struct ProbeTlsOptions {
  std::string ca_file;    // trust anchors; "" = the system store
  std::string cert_file;  // client certificate (PEM), with key_file
  std::string key_file;
  std::string server_name;  // SNI and the name verified; "" = the target's host
  bool insecure_skip_verify = false;
};

struct ProbeModule {
  ProberKind prober = ProberKind::scep;
  // nullopt: the scrape's X-Prometheus-Scrape-Timeout-Seconds minus 0.5 s, else 10 s.
  std::optional<std::chrono::milliseconds> timeout;
  ProbeTlsOptions tls;
  std::string proxy_url;  // "" = no proxy (proxy environment variables are ignored)
  std::map<std::string, std::string> headers;  // extra request headers
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  // crl only: may /probe read a local file named by the target? Off by default so a
  // network caller cannot make the exporter open local files; static targets from
  // the config file may always be files.
  bool allow_file_targets = false;
};

// One static target: probed at /metrics time by the collector of its prober.
struct ProbeTarget {
  std::string target;
  std::string module;  // "" = the built-in module of that prober (scep, tls, crl)
};

struct ProbeConfig {
  // User modules by name. The built-in `scep`, `tls` and `crl` exist without
  // config; a user module of the same name replaces the built-in one.
  std::map<std::string, ProbeModule, std::less<>> modules;
  std::vector<ProbeTarget> scep_targets;
  std::vector<ProbeTarget> tls_targets;
  std::vector<ProbeTarget> crl_targets;
  // The crl collector also probes every http(s) CRL distribution point seen in the
  // certificates of the other collectors' last run.
  bool crl_follow_cdp = false;
  std::size_t max_concurrency = 16;  // static-target probes running at once
};

}  // namespace ndes
