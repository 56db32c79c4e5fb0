// Shared by the probe integration tests: the real ndes_exporter started with a
// YAML config, asked /probe?module=...&target=... the way Prometheus asks.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/exposition.h"
#include "support/http.h"
#include "support/process.h"

namespace ndes::test {

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(const std::string& text);

struct ProbeCall {
  HttpResponse response;
  std::vector<ScrapedSample> samples;
  double wall_seconds = 0;
};

class ProbeExporter {
 public:
  // Writes `yaml` to dir/exporter.yml and starts the exporter on a free port.
  ProbeExporter(const std::filesystem::path& dir, const std::string& yaml,
                std::vector<std::string> extra_args = {});

  std::string url(const std::string& path) const;
  ProbeCall probe(const std::string& module, const std::string& target,
                  const std::map<std::string, std::string>& headers = {});
  HttpResponse get(const std::string& path);
  std::string log() const { return process_->log(); }
  pid_t pid() const { return process_->pid(); }

 private:
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

// NotAfter of a PEM certificate as `openssl x509 -enddate` says it, Unix seconds.
std::int64_t openssl_not_after(const std::filesystem::path& pem);

// "Nov 25 15:27:52 2036 GMT" (openssl's date form) -> Unix seconds.
std::int64_t parse_openssl_date(const std::string& text);

}  // namespace ndes::test
