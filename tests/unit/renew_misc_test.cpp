// The small pure helpers of the renew hook: output redaction, the checks after
// certreq (with real certificates from the test CA), CA choice, account syntax, the
// metrics text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ndes/cert/parse.h"
#include "renew/metrics.h"
#include "renew/redact.h"
#include "renew/verify.h"
#include "support/pki.h"
#include "support/run.h"

namespace ndes::renew {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(RenewRedactTest, RemovesPrivateKeysAndSecrets) {
  const std::string text =
      "wrote key\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n"
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
      "-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----\ntoken=s3cret done";
  const std::string out = redact_output(text, {"s3cret", ""});
  EXPECT_EQ(out,
            "wrote key\n[private key redacted]\n-----BEGIN CERTIFICATE-----\nMIIB\n"
            "-----END CERTIFICATE-----\n[private key redacted]\ntoken=[redacted] done");
}

TEST(RenewRedactTest, RemovesACutPrivateKeyToTheEnd) {
  EXPECT_EQ(redact_output("a\n-----BEGIN RSA PRIVATE KEY-----\nMIIE", {}),
            "a\n[private key redacted]");
}

TEST(RenewRedactTest, CapsTheOutput) {
  const std::string out = redact_output(std::string(100, 'x'), {}, 10, 5);
  EXPECT_EQ(out, std::string(10, 'x') + "\n[... 95 more bytes not kept]");
  EXPECT_EQ(redact_output("short", {}, 10), "short");
}

class RenewVerifyTest : public ::testing::Test {
 protected:
  static Certificate issue(test::TestPki& pki, const std::string& name, const std::string& profile,
                           std::int64_t not_after) {
    const auto pem = pki.issue(name, profile, test::now_seconds() - 10 * test::kDay, not_after,
                               "/CN=NDES01-MSCEP-RA");
    const auto bytes = test::read_file_bytes(pem);
    const ParseResult r = parse_certificates(bytes, pem.filename().string());
    EXPECT_EQ(r.certificates.size(), 1U) << r.detail;
    return r.certificates.at(0);
  }
};

TEST_F(RenewVerifyTest, ChecksARenewalAndFindsWhatItSupersedes) {
  test::TempDir dir;
  test::TestPki pki(dir / "pki");
  const std::int64_t now = test::now_seconds();
  const Certificate old_cep = issue(pki, "old", "cep", now + 9 * test::kDay);
  const Certificate new_cep = issue(pki, "new", "cep", now + 730 * test::kDay);
  const Certificate older_cep = issue(pki, "older", "cep", now - test::kDay);
  const Certificate eea = issue(pki, "eea", "eea", now + 30 * test::kDay);
  ASSERT_EQ(new_cep.template_name, "CEPEncryption");

  EXPECT_EQ(check_renewed(old_cep, new_cep, "CEPEncryption"), "");
  EXPECT_THAT(check_renewed(old_cep, old_cep, "CEPEncryption"), HasSubstr("is the old one"));
  EXPECT_THAT(check_renewed(new_cep, old_cep, "CEPEncryption"), HasSubstr("is not later"));
  EXPECT_THAT(check_renewed(old_cep, eea, "CEPEncryption"),
              HasSubstr("template \"EnrollmentAgentOffline\""));
  EXPECT_THAT(check_renewed(eea, new_cep, "CEPEncryption"), HasSubstr("old certificate"));

  EXPECT_THAT(superseded_thumbprints({old_cep, new_cep, older_cep, eea}, new_cep),
              ElementsAre(old_cep.thumbprint, older_cep.thumbprint));
  EXPECT_TRUE(superseded_thumbprints({new_cep, eea}, new_cep).empty());
}

TEST(RenewCaChoiceTest, PicksTheOneCaThatPublishesTheTemplate) {
  const std::vector<EnrollmentService> cas = {
      {"Corp Root CA", "root.corp.example", {}},
      {"Corp Issuing CA", "ca01.corp.example", {"CEPEncryption", "EnrollmentAgentOffline"}},
      {"Corp Web CA", "ca02.corp.example", {"WebServer", "EnrollmentAgentOffline"}},
  };
  std::string error;
  EXPECT_EQ(choose_ca_config(cas, "CEPEncryption", &error), "ca01.corp.example\\Corp Issuing CA");
  EXPECT_EQ(choose_ca_config(cas, "EnrollmentAgentOffline", &error), "");
  EXPECT_THAT(error, HasSubstr("several CAs"));
  EXPECT_EQ(choose_ca_config(cas, "Nope", &error), "");
  EXPECT_THAT(error, HasSubstr("no enterprise CA"));
}

TEST(RenewCaChoiceTest, ChecksConfigAndAccountSyntax) {
  EXPECT_TRUE(is_ca_config("ca01.corp.example\\Corp Issuing CA"));
  for (const char* config : {"ca01", "\\CA", "ca01\\", "ca 01\\CA", "ca01\\C\"A", "ca01\\a\\b"}) {
    EXPECT_FALSE(is_ca_config(config)) << config;
  }
  for (const char* account : {"CORP\\svc_ndes", "CORP\\gmsa-ndes$", "IIS APPPOOL\\SCEP"}) {
    EXPECT_TRUE(is_service_account(account)) << account;
  }
  for (const char* account : {"svc_ndes", "CORP\\a\\b", "CORP\\a\"b"}) {
    EXPECT_FALSE(is_service_account(account)) << account;
  }
}

TEST(RenewMetricsTest, RendersEveryFamily) {
  HookMetrics m = initial_metrics({"CEPEncryption"});
  m.webhooks["accepted"] = 3;
  m.last_success["CEPEncryption"] = 1'800'000'000;
  m.in_progress = true;
  const std::string text = render_metrics(m);
  EXPECT_THAT(text, HasSubstr("# TYPE ndes_renew_webhooks_total counter"));
  EXPECT_THAT(text, HasSubstr("ndes_renew_webhooks_total{result=\"accepted\"} 3"));
  EXPECT_THAT(text,
              HasSubstr("ndes_renewals_total{result=\"failed\",template=\"CEPEncryption\"} 0"));
  EXPECT_THAT(text, HasSubstr("ndes_renewal_last_success_timestamp_seconds{template="
                              "\"CEPEncryption\"} 1800000000"));
  EXPECT_THAT(text, HasSubstr("# TYPE ndes_renewal_in_progress gauge\nndes_renewal_in_progress 1"));
}

}  // namespace
}  // namespace ndes::renew
