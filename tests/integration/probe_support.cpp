#include "probe_support.h"

#include <gtest/gtest.h>

#include <ctime>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "support/run.h"

namespace fs = std::filesystem;

namespace ndes::test {

std::string url_encode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

ProbeExporter::ProbeExporter(const fs::path& dir, const std::string& yaml,
                             std::vector<std::string> extra_args) {
  const fs::path config = dir / "exporter.yml";
  write_file(config, yaml);
  port_ = free_port();
  std::vector<std::string> argv = {
      (bin_dir() / "ndes_exporter").string(), "--config.file=" + config.string(),
      "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=debug"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<BackgroundProcess>(argv, dir / "exporter.log");
  if (!wait_for_port(port_)) {
    throw std::runtime_error("the exporter did not start:\n" + process_->log());
  }
}

std::string ProbeExporter::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

HttpResponse ProbeExporter::get(const std::string& path) { return http_get(url(path)); }

ProbeCall ProbeExporter::probe(const std::string& module, const std::string& target,
                               const std::map<std::string, std::string>& headers) {
  ProbeCall call;
  const auto start = std::chrono::steady_clock::now();
  call.response = http_request(
      "GET", url("/probe?module=" + url_encode(module) + "&target=" + url_encode(target)), "",
      headers, std::chrono::seconds(60));
  call.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  call.samples = parse_exposition(call.response.body);
  return call;
}

std::int64_t parse_openssl_date(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%b %d %H:%M:%S %Y");
  if (in.fail()) {
    throw std::runtime_error("not an openssl date: " + text);
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::int64_t openssl_not_after(const fs::path& pem) {
  const RunResult r = run_command({"openssl", "x509", "-in", pem.string(), "-noout", "-enddate"});
  if (r.exit_code != 0) {
    throw std::runtime_error("openssl x509 -enddate failed: " + r.err);
  }
  return parse_openssl_date(r.out.substr(r.out.find('=') + 1));
}

}  // namespace ndes::test
