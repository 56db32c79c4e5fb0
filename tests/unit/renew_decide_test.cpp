// What the hook acts on: firing RA expiry alerts for this host, with a well-formed
// thumbprint and an allowed template. Everything else is skipped with the reason, and
// resolved alerts are only recorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "renew/decide.h"

namespace ndes::renew {
namespace {

using ::testing::HasSubstr;

constexpr const char* kThumbprint = "0123456789ABCDEF0123456789ABCDEF01234567";

Policy policy() {
  Policy p;
  p.alertnames = {"NdesCertificateExpiringSoon", "NdesCertificateExpired"};
  p.templates = {"CEPEncryption", "EnrollmentAgentOffline"};
  p.instance = "ndes01.corp.example";
  return p;
}

Alert alert(const std::map<std::string, std::string>& overrides = {}) {
  Alert a;
  a.status = "firing";
  a.fingerprint = "a1b2c3d4e5f60708";
  a.labels = {{"alertname", "NdesCertificateExpiringSoon"},
              {"severity", "critical"},
              {"thumbprint", kThumbprint},
              {"template", "CEPEncryption"},
              {"role", "cep_encryption"},
              {"instance", "ndes01.corp.example:10227"},
              {"collector", "certstore"},
              {"source", "LocalMachine\\My"}};
  for (const auto& [k, v] : overrides) {
    a.labels[k] = v;
  }
  return a;
}

Decision skip_of(const Alert& a) {
  Decision d = decide(a, policy());
  EXPECT_EQ(d.verdict, Verdict::skip) << d.reason;
  return d;
}

// Expects the alert with `label` set to each of `values` skipped for a reason that
// holds `because`; a failure names the label and value.
void expect_skipped(const std::string& label, std::initializer_list<std::string> values,
                    const std::string& because) {
  for (const std::string& value : values) {
    EXPECT_THAT(skip_of(alert({{label, value}})).reason, HasSubstr(because))
        << label << "=" << value;
  }
}

TEST(RenewDecideTest, ActsOnAValidRaAlert) {
  const Decision d = decide(alert(), policy());
  ASSERT_EQ(d.verdict, Verdict::act) << d.reason;
  EXPECT_EQ(d.target.thumbprint, kThumbprint);
  EXPECT_EQ(d.target.template_name, "CEPEncryption");
  EXPECT_EQ(d.target.role, "cep_encryption");
  EXPECT_EQ(d.target.instance, "ndes01.corp.example");
  EXPECT_EQ(d.target.instance_label, "ndes01.corp.example:10227");
  EXPECT_EQ(d.target.alertname, "NdesCertificateExpiringSoon");
}

TEST(RenewDecideTest, ActsOnTheEnrollmentAgentAndOnExpired) {
  const Decision d = decide(alert({{"alertname", "NdesCertificateExpired"},
                                   {"template", "EnrollmentAgentOffline"},
                                   {"role", "enrollment_agent"}}),
                            policy());
  EXPECT_EQ(d.verdict, Verdict::act) << d.reason;
}

TEST(RenewDecideTest, NormalizesALowercaseThumbprint) {
  const Decision d =
      decide(alert({{"thumbprint", "0123456789abcdef0123456789abcdef01234567"}}), policy());
  ASSERT_EQ(d.verdict, Verdict::act);
  EXPECT_EQ(d.target.thumbprint, kThumbprint);
}

TEST(RenewDecideTest, SkipsAShellInjectionThumbprint) {
  const Decision d = skip_of(alert({{"thumbprint", "ABC; rm -rf /"}}));
  EXPECT_THAT(d.reason, HasSubstr("not exactly 40 hex characters"));
  EXPECT_TRUE(d.target.thumbprint.empty());
}

TEST(RenewDecideTest, SkipsA39CharacterThumbprint) {
  expect_skipped("thumbprint", {std::string(kThumbprint).substr(1)}, "not exactly 40 hex");
}

TEST(RenewDecideTest, SkipsA41CharacterThumbprint) {
  expect_skipped("thumbprint", {std::string(kThumbprint) + "0"}, "not exactly 40 hex");
}

TEST(RenewDecideTest, SkipsANonHexThumbprint) {
  expect_skipped(
      "thumbprint",
      {"G123456789ABCDEF0123456789ABCDEF01234567", "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB", ""},
      "not exactly 40 hex");
}

TEST(RenewDecideTest, SkipsATemplateOutsideTheAllowlist) {
  expect_skipped("template", {"WebServer"}, "template \"WebServer\" is not in the allowlist");
  // Exact match only: no case folding, no prefix.
  expect_skipped("template", {"cepencryption", "CEPEncryption2"}, "allowlist");
}

TEST(RenewDecideTest, SkipsTheWrongInstance) {
  expect_skipped("instance", {"ndes02.corp.example:10227"},
                 "is not this host (ndes01.corp.example)");
  // The short name is another spelling, not this host's: no guessing ("" is no host).
  expect_skipped("instance", {"", "ndes01:10227"}, "not this host");
}

TEST(RenewDecideTest, MatchesTheInstanceWithoutPortAndCase) {
  EXPECT_EQ(decide(alert({{"instance", "NDES01.corp.example:9999"}}), policy()).verdict,
            Verdict::act);
  EXPECT_EQ(decide(alert({{"instance", "ndes01.corp.example"}}), policy()).verdict, Verdict::act);
}

TEST(RenewDecideTest, RecordsAResolvedAlertWithoutActing) {
  Alert a = alert();
  a.status = "resolved";
  const Decision d = decide(a, policy());
  EXPECT_EQ(d.verdict, Verdict::resolved);
  EXPECT_THAT(d.reason, HasSubstr("never acted on"));
  EXPECT_TRUE(d.target.thumbprint.empty());
}

TEST(RenewDecideTest, SkipsOtherAlertsAndRoles) {
  expect_skipped("alertname", {"NdesCrlExpiringSoon"}, "not one the hook acts on");
  expect_skipped("role", {"ssl"}, "role \"ssl\"");
  expect_skipped("role", {"connector_identity"}, "role");
}

TEST(RenewDecideTest, EchoesLabelValuesSafely) {
  const Decision d = skip_of(alert({{"template", "a\nb\x01" + std::string(200, 'x')}}));
  EXPECT_EQ(d.reason.find('\n'), std::string::npos);
  EXPECT_EQ(d.reason.find('\x01'), std::string::npos);
  EXPECT_LT(d.reason.size(), 150U);
}

TEST(RenewDecideTest, NormalizesInstanceLabels) {
  EXPECT_EQ(normalize_instance("NDES01:10227"), "ndes01");
  EXPECT_EQ(normalize_instance("ndes01.corp.example"), "ndes01.corp.example");
  EXPECT_EQ(normalize_instance("10.0.0.5:10227"), "10.0.0.5");
  EXPECT_EQ(normalize_instance("[::1]:10227"), "::1");
  EXPECT_EQ(normalize_instance("[fe80::1]"), "fe80::1");
  EXPECT_EQ(normalize_instance("fe80::1"), "fe80::1");
}

TEST(RenewDecideTest, ChecksInstanceNames) {
  for (const char* name : {"ndes01.corp.example", "::1"}) {
    EXPECT_TRUE(is_instance_name(name)) << name;
  }
  for (const char* name : {"", "a b", "a;b"}) {
    EXPECT_FALSE(is_instance_name(name)) << name;
  }
}

}  // namespace
}  // namespace ndes::renew
