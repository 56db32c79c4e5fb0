// Shared by the renew service and API unit tests: a service on a temp state directory
// with a scripted executor and a settable clock.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "renew/alert.h"
#include "renew/cert_source.h"
#include "renew/executor.h"
#include "renew/renewal_service.h"
#include "support/run.h"

namespace ndes::renew::testing {

inline constexpr const char* kThumbprint = "0123456789ABCDEF0123456789ABCDEF01234567";
inline constexpr const char* kEeaThumbprint = "89ABCDEF0123456789ABCDEF0123456789ABCDEF";
inline constexpr std::int64_t kNow = 1'800'000'000;
inline constexpr std::int64_t kDay = 86400;

// An RA certificate as a source lists it (the classifier reads the role from the template).
inline SourceCertificate ra_cert(const std::string& thumbprint, const std::string& template_name,
                                 std::int64_t not_after, std::optional<bool> has_key = true) {
  SourceCertificate c;
  c.cert.thumbprint = thumbprint;
  c.cert.template_name = template_name;
  c.cert.subject_cn = "NDES01-MSCEP-RA";
  c.cert.not_before = not_after - 730 * kDay;
  c.cert.not_after = not_after;
  c.has_private_key = has_key;
  return c;
}

// A verification source that lists what the test put in (the store a test pretends).
class ListSource final : public CertificateSource {
 public:
  explicit ListSource(std::vector<SourceCertificate> certs) : certs_(std::move(certs)) {}
  std::string name() const override { return "test store"; }
  std::optional<std::vector<SourceCertificate>> list(std::string* /*error*/) const override {
    return certs_;
  }

 private:
  std::vector<SourceCertificate> certs_;
};

// The store of most tests: the CEP certificate expires in 10 days, the EEA one in a year.
inline std::vector<SourceCertificate> default_store() {
  return {ra_cert(kThumbprint, "CEPEncryption", kNow + 10 * kDay),
          ra_cert(kEeaThumbprint, "EnrollmentAgentOffline", kNow + 365 * kDay)};
}

// Runs every step by calling `script` (default: ok), and remembers the step names.
class FakeExecutor final : public Executor {
 public:
  using Script = std::function<StepOutcome(const PlannedStep&, RunContext&)>;
  explicit FakeExecutor(Script script, std::shared_ptr<std::vector<std::string>> ran)
      : script_(std::move(script)), ran_(std::move(ran)) {}
  std::string_view name() const override { return "fake"; }
  StepOutcome run(const PlannedStep& step, RunContext& ctx) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ran_->push_back(step.name);
    }
    return script_ ? script_(step, ctx) : StepOutcome{};
  }

 private:
  Script script_;
  std::shared_ptr<std::vector<std::string>> ran_;
  std::mutex mu_;
};

inline Alert ra_alert(const std::string& thumbprint = kThumbprint,
                      const std::string& fingerprint = "f1") {
  Alert a;
  a.status = "firing";
  a.fingerprint = fingerprint;
  a.starts_at = "2026-11-25T15:00:00Z";
  a.labels = {{"alertname", "NdesCertificateExpiringSoon"},
              {"thumbprint", thumbprint},
              {"template", "CEPEncryption"},
              {"role", "cep_encryption"},
              {"instance", "ndes01:10227"},
              {"severity", "critical"}};
  return a;
}

inline WebhookPayload payload(std::vector<Alert> alerts) {
  WebhookPayload p;
  p.version = "4";
  p.status = "firing";
  p.alerts = std::move(alerts);
  return p;
}

inline ServiceOptions options(const std::filesystem::path& dir, Mode mode,
                              std::string executor = "command") {
  ServiceOptions o;
  o.mode = mode;
  o.policy.alertnames = {"NdesCertificateExpiringSoon", "NdesCertificateExpired"};
  o.policy.templates = {"CEPEncryption", "EnrollmentAgentOffline"};
  o.policy.instance = "ndes01";
  o.plan.executor = std::move(executor);
  o.plan.ca_config = "ca01\\Corp CA";
  o.plan.command_argv = {"/bin/renew", "{thumbprint}", "{template}"};
  o.plan.command_timeout_seconds = 10;
  o.state_dir = dir;
  o.secrets = {"tok-secret"};
  o.source = std::make_shared<ListSource>(default_store());
  return o;
}

}  // namespace ndes::renew::testing
