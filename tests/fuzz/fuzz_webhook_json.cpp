// The renew hook's untrusted input: an Alertmanager webhook body (renew/alert.h),
// then decide() for every alert under a fixed policy and, for an alert it acts on,
// the argv template substitution. The label values must never reach a command line
// unless they are of the validated form.
// Input: the HTTP request body.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "base/time.h"
#include "fuzz_common.h"
#include "renew/alert.h"
#include "renew/decide.h"
#include "renew/placeholders.h"

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto payload = ndes::renew::parse_webhook_payload(body, &error);
  if (!payload) {
    NDES_FUZZ_CHECK(!error.empty());
    return 0;
  }
  NDES_FUZZ_CHECK(payload->version == ndes::renew::kWebhookVersion);

  static const ndes::renew::Policy policy = {
      {"NdesCertificateExpiringSoon", "NdesCertificateExpired"},
      {"CEPEncryption", "EnrollmentAgentOffline", "NDES-RA"},
      "ndes01",
  };
  static const std::vector<std::string> argv_template = {
      "/usr/local/bin/renew", "--thumbprint={thumbprint}",
      "{template}",           "{role}",
      "--host={instance}",    "{id}"};

  for (const ndes::renew::Alert& alert : payload->alerts) {
    (void)alert.label("alertname");
    (void)ndes::parse_time(alert.starts_at);
    (void)ndes::parse_time(alert.ends_at);
    (void)ndes::renew::normalize_instance(alert.label("instance"));
    const ndes::renew::Decision d = ndes::renew::decide(alert, policy);
    (void)ndes::printable(d.reason);
    if (d.verdict != ndes::renew::Verdict::act) {
      continue;
    }
    const ndes::renew::RenewTarget& t = d.target;
    NDES_FUZZ_CHECK(ndes::renew::is_thumbprint(t.thumbprint));
    NDES_FUZZ_CHECK(contains(policy.templates, t.template_name));
    NDES_FUZZ_CHECK(contains(ndes::renew::renewable_roles(), t.role));
    NDES_FUZZ_CHECK(contains(policy.alertnames, t.alertname));
    NDES_FUZZ_CHECK(t.instance == policy.instance);
    std::vector<std::string> argv;
    try {
      argv = ndes::renew::substitute_placeholders(argv_template, t, "r1");
    } catch (const std::invalid_argument& e) {
      // decide() let through a value the substitution refuses.
      NDES_FUZZ_CHECK(false && "substitute_placeholders refused a decided target");
    }
    NDES_FUZZ_CHECK(argv.size() == argv_template.size());
  }
  return 0;
}
