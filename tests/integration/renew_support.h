// The real ndes_renew_hook binary for integration tests: started by argv on a free
// loopback port with a token file and a state directory, talked to over HTTP.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/http.h"
#include "support/process.h"

namespace ndes::test {

inline constexpr const char* kRenewToken = "it-s3cret-token-0123456789";

// The certificate files a command-executor hook in execute mode verifies alerts against
// (--verify.files.path): made once per test process with the test PKI, a CEPEncryption
// certificate valid for 9 more days. renew_thumbprint() is its thumbprint.
const std::filesystem::path& verify_dir();
const std::string& renew_thumbprint();

// One alert's labels as the NDES rules give them (alerts/ndes.rules.yml).
std::map<std::string, std::string> ra_labels(const std::string& thumbprint = renew_thumbprint(),
                                             const std::string& instance = "ndes01:10227",
                                             const std::string& template_name = "CEPEncryption");

// A version 4 webhook body with one firing alert per label set.
std::string webhook_body(const std::vector<std::map<std::string, std::string>>& alerts,
                         const std::string& version = "4");

class HookProcess {
 public:
  // Starts the hook with `args` plus --web.listen-address, --state.dir (state_dir) and
  // --web.auth-token-file (a file beside it holding kRenewToken), and for the command
  // executor in execute mode --verify.files.path=verify_dir() unless `args` give one;
  // waits for the port.
  HookProcess(std::filesystem::path state_dir, std::vector<std::string> args);
  ~HookProcess();
  HookProcess(const HookProcess&) = delete;
  HookProcess& operator=(const HookProcess&) = delete;

  std::string url(const std::string& path) const;
  HttpResponse post_alerts(const std::string& body, const std::string& token = kRenewToken) const;
  // GET /renewals with the token: the "renewals" list (throws on a non-200 answer).
  nlohmann::json renewals() const;
  // Polls /renewals until `done` holds (true) or the timeout passes (false).
  bool wait_for(const std::function<bool(const nlohmann::json&)>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  void kill9();
  int stop();  // SIGTERM; the wait status
  std::string log() const { return process_->log(); }
  int port() const { return port_; }
  const std::filesystem::path& state_dir() const { return state_dir_; }

 private:
  std::filesystem::path state_dir_;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

// The real ndes_exporter on a free loopback port, scanning `store` with the files
// collector; `args` are added to its command line.
class ExporterProcess {
 public:
  ExporterProcess(const std::filesystem::path& store, const std::filesystem::path& log,
                  const std::vector<std::string>& args = {});
  std::string url(const std::string& path) const;

 private:
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace ndes::test
