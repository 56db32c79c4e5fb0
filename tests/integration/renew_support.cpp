#include "renew_support.h"

#include <signal.h>

#include <ctime>
#include <stdexcept>
#include <thread>

#include "support/pki.h"
#include "support/run.h"

namespace ndes::test {
namespace {

struct VerifyStore {
  TempDir dir{"ndes-verify"};
  std::string thumbprint;
  VerifyStore() {
    TestPki pki(dir / "pki");
    const std::int64_t now = std::time(nullptr);
    const auto cep =
        pki.issue("cep", "cep", now - 700 * 86400, now + 9 * 86400, "/CN=NDES01-MSCEP-RA");
    std::filesystem::create_directories(dir / "store");
    std::filesystem::copy_file(cep, dir / "store" / "cep.pem");
    thumbprint = openssl_thumbprint(cep);
  }
};

const VerifyStore& verify_store() {
  static const VerifyStore store;
  return store;
}

bool has_prefix(const std::vector<std::string>& args, const std::string& prefix) {
  for (const auto& a : args) {
    if (a.rfind(prefix, 0) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

const std::filesystem::path& verify_dir() {
  static const std::filesystem::path dir = verify_store().dir / "store";
  return dir;
}

const std::string& renew_thumbprint() { return verify_store().thumbprint; }

std::map<std::string, std::string> ra_labels(const std::string& thumbprint,
                                             const std::string& instance,
                                             const std::string& template_name) {
  return {{"alertname", "NdesCertificateExpiringSoon"},
          {"severity", "critical"},
          {"thumbprint", thumbprint},
          {"template", template_name},
          {"role", template_name == "CEPEncryption" ? "cep_encryption" : "enrollment_agent"},
          {"instance", instance},
          {"job", "ndes"},
          {"collector", "certstore"},
          {"source", "LocalMachine\\My"},
          {"path", ""},
          {"subject", "NDES01-MSCEP-RA"}};
}

std::string webhook_body(const std::vector<std::map<std::string, std::string>>& alerts,
                         const std::string& version) {
  nlohmann::json body = {{"receiver", "ndes-renew-hook"},
                         {"status", "firing"},
                         {"version", version},
                         {"groupKey", "{}:{instance=\"ndes01:10227\"}"},
                         {"truncatedAlerts", 0},
                         {"externalURL", "http://127.0.0.1:9093"},
                         {"alerts", nlohmann::json::array()}};
  int n = 0;
  for (const auto& labels : alerts) {
    body["alerts"].push_back(
        {{"status", "firing"},
         {"labels", labels},
         {"annotations", {{"summary", "expires soon"}}},
         {"startsAt", "2026-11-25T15:00:00Z"},
         {"endsAt", "0001-01-01T00:00:00Z"},
         {"fingerprint", "fp" + std::to_string(++n) + labels.at("thumbprint").substr(0, 6)}});
  }
  return body.dump();
}

HookProcess::HookProcess(std::filesystem::path state_dir, std::vector<std::string> args)
    : state_dir_(std::move(state_dir)) {
  std::filesystem::create_directories(state_dir_.parent_path());
  const auto token_file = state_dir_.parent_path() / "hook.token";
  write_file(token_file, std::string(kRenewToken) + "\n");
  static int counter = 0;
  // free_port() can race with other tests on the machine: make sure the port answers
  // as this hook (its own metrics), else start again on another port.
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_port();
    std::vector<std::string> argv = {(bin_dir() / "ndes_renew_hook").string(),
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                     "--state.dir=" + state_dir_.string(),
                                     "--web.auth-token-file=" + token_file.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    if (has_prefix(args, "--mode=execute") && has_prefix(args, "--executor=command") &&
        !has_prefix(args, "--verify.files.path")) {
      argv.push_back("--verify.files.path=" + verify_dir().string());
    }
    process_ = std::make_unique<BackgroundProcess>(
        argv, state_dir_.parent_path() / ("hook-" + std::to_string(++counter) + ".log"));
    if (wait_for_port(port_) && process_->running() &&
        http_get(url("/metrics")).body.find("ndes_renew_webhooks_total") != std::string::npos) {
      return;
    }
    if (!process_->running()) {
      const std::string log = process_->log();
      if (log.find("cannot listen") == std::string::npos) {
        throw std::runtime_error("ndes_renew_hook did not start: " + log);
      }
    }
    process_->stop(SIGKILL);
  }
  throw std::runtime_error("ndes_renew_hook did not listen: " + process_->log());
}

HookProcess::~HookProcess() = default;

std::string HookProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

HttpResponse HookProcess::post_alerts(const std::string& body, const std::string& token) const {
  std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
  if (!token.empty()) {
    headers["Authorization"] = "Bearer " + token;
  }
  return http_request("POST", url("/alertmanager"), body, headers);
}

nlohmann::json HookProcess::renewals() const {
  const HttpResponse r = http_request("GET", url("/renewals"), "",
                                      {{"Authorization", std::string("Bearer ") + kRenewToken}});
  if (r.status != 200) {
    throw std::runtime_error("GET /renewals: " + std::to_string(r.status) + " " + r.error + r.body);
  }
  return nlohmann::json::parse(r.body)["renewals"];
}

bool HookProcess::wait_for(const std::function<bool(const nlohmann::json&)>& done,
                           std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done(renewals())) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void HookProcess::kill9() { process_->stop(SIGKILL); }

ExporterProcess::ExporterProcess(const std::filesystem::path& store,
                                 const std::filesystem::path& log,
                                 const std::vector<std::string>& args) {
  port_ = free_port();
  std::vector<std::string> argv = {(bin_dir() / "ndes_exporter").string(),
                                   "--collector.files.path=" + store.string(),
                                   "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<BackgroundProcess>(argv, log);
  if (!wait_for_port(port_)) {
    throw std::runtime_error("ndes_exporter did not listen: " + process_->log());
  }
}

std::string ExporterProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

int HookProcess::stop() { return process_->stop(SIGTERM); }

}  // namespace ndes::test
