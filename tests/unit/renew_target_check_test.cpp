// The hook's own look-up of the alert's certificate before any step (renew/target_check.h),
// with certificates made by openssl (tests/pki): every refusal, both RA certificates in one
// run, and the duplicate repair.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ndes/cert/parse.h"
#include "renew/target_check.h"
#include "support/pki.h"
#include "support/run.h"

namespace ndes::renew {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RenewTargetCheckTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    pki_ = new test::TestPki(*dir_ / "pki");
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete dir_;
  }

  // A certificate of `profile` (cep, eea, ssl) valid from `from` to `to` days from now.
  static SourceCertificate cert(const std::string& name, const std::string& profile, int from,
                                int to, std::optional<bool> key = true) {
    const auto pem = pki_->issue(name, profile, now_ + from * test::kDay, now_ + to * test::kDay,
                                 "/CN=NDES01-MSCEP-RA");
    const ParseResult r = parse_certificates(test::read_file_bytes(pem), pem.filename().string());
    EXPECT_EQ(r.certificates.size(), 1U) << r.detail;
    return {r.certificates.at(0), key};
  }

  static RenewTarget target_for(const SourceCertificate& c, const std::string& template_name,
                                const std::string& role) {
    RenewTarget t;
    t.thumbprint = c.cert.thumbprint;
    t.template_name = template_name;
    t.role = role;
    t.instance = "ndes01";
    t.alertname = "NdesCertificateExpiringSoon";
    return t;
  }

  static Policy policy() {
    return {{"NdesCertificateExpiringSoon"}, {"CEPEncryption", "EnrollmentAgentOffline"}, "ndes01"};
  }

  static inline test::TempDir* dir_ = nullptr;
  static inline test::TestPki* pki_ = nullptr;
  static inline const std::int64_t now_ = test::now_seconds();
};

TEST_F(RenewTargetCheckTest, AValidCertificateOfTheAlertsTemplateAndRoleWithItsKeyPasses) {
  const auto cep = cert("cep-ok", "cep", -300, 9);
  EXPECT_EQ(check_target(target_for(cep, "CEPEncryption", "cep_encryption"), {cep}, now_), "");
  // A certificate file cannot say whether the key exists: not a refusal.
  const auto from_file = SourceCertificate{cep.cert, std::nullopt};
  EXPECT_EQ(check_target(target_for(cep, "CEPEncryption", "cep_encryption"), {from_file}, now_),
            "");
}

TEST_F(RenewTargetCheckTest, RefusesWhatRenewalCertCannotRenewFrom) {
  const auto expired = cert("cep-expired", "cep", -400, -1);
  const auto future = cert("cep-future", "cep", 2, 700);
  const auto no_key = cert("cep-nokey", "cep", -300, 9, false);
  const auto eea = cert("eea", "eea", -300, 20);
  const auto valid = cert("cep-valid", "cep", -300, 9);
  const std::vector<SourceCertificate> store = {expired, future, no_key, eea, valid};

  EXPECT_THAT(check_target(target_for(expired, "CEPEncryption", "cep_encryption"), store, now_),
              HasSubstr("has expired"));
  EXPECT_THAT(check_target(target_for(future, "CEPEncryption", "cep_encryption"), store, now_),
              HasSubstr("not valid yet"));
  EXPECT_THAT(check_target(target_for(no_key, "CEPEncryption", "cep_encryption"), store, now_),
              HasSubstr("no private key"));
  EXPECT_THAT(
      check_target(target_for(eea, "CEPEncryption", "cep_encryption"), store, now_),
      HasSubstr("template is \"EnrollmentAgentOffline\", the alert says \"CEPEncryption\""));
  EXPECT_THAT(check_target(target_for(valid, "CEPEncryption", "enrollment_agent"), store, now_),
              HasSubstr("role is \"cep_encryption\", the alert says \"enrollment_agent\""));
  RenewTarget unknown = target_for(valid, "CEPEncryption", "cep_encryption");
  unknown.thumbprint = std::string(40, 'A');
  EXPECT_THAT(check_target(unknown, store, now_), HasSubstr("no certificate with this thumbprint"));
}

TEST_F(RenewTargetCheckTest, TheOtherRaCertificateInsideTheWindowIsRenewedInTheSameRun) {
  const auto cep = cert("cep-soon", "cep", -300, 9);
  const auto eea_soon = cert("eea-soon", "eea", -300, 25);
  const auto eea_later = cert("eea-later", "eea", -300, 200);
  const auto target = target_for(cep, "CEPEncryption", "cep_encryption");
  const std::int64_t window = 30 * test::kDay;

  const auto both = companion_target(target, {cep, eea_soon}, policy(), now_, window);
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(both->thumbprint, eea_soon.cert.thumbprint);
  EXPECT_EQ(both->template_name, "EnrollmentAgentOffline");
  EXPECT_EQ(both->role, "enrollment_agent");
  // Outside the window, or only the older of two: one certificate.
  EXPECT_FALSE(companion_target(target, {cep, eea_later}, policy(), now_, window).has_value());
  EXPECT_FALSE(
      companion_target(target, {cep, eea_soon, eea_later}, policy(), now_, window).has_value());
  // A template the policy does not allow is never renewed.
  Policy cep_only = policy();
  cep_only.templates = {"CEPEncryption"};
  EXPECT_FALSE(companion_target(target, {cep, eea_soon}, cep_only, now_, window).has_value());
  // The companion passes the same check: without its key it is left alone.
  auto eea_nokey = eea_soon;
  eea_nokey.has_private_key = false;
  EXPECT_FALSE(companion_target(target, {cep, eea_nokey}, policy(), now_, window).has_value());
}

TEST_F(RenewTargetCheckTest, TheRepairKeepsTheNewestValidCertificateWithItsKey) {
  const auto old_valid = cert("eea-old", "eea", -300, 40);
  const auto new_valid = cert("eea-new", "eea", -10, 700);
  const auto newest_nokey = cert("eea-newest-nokey", "eea", -5, 720, false);
  const auto expired = cert("eea-expired", "eea", -800, -30);
  const auto cep = cert("cep", "cep", -300, 100);
  std::string why;
  const auto repair = plan_duplicate_repair(
      "EnrollmentAgentOffline", {old_valid, cep, expired, newest_nokey, new_valid}, now_, &why);
  ASSERT_TRUE(repair.has_value()) << why;
  EXPECT_EQ(repair->keep, new_valid.cert.thumbprint);
  EXPECT_THAT(repair->remove, ElementsAre(newest_nokey.cert.thumbprint, old_valid.cert.thumbprint,
                                          expired.cert.thumbprint));

  NoRepair kind = NoRepair::nothing_safe_to_keep;
  EXPECT_FALSE(plan_duplicate_repair("CEPEncryption", {cep, new_valid}, now_, &why, &kind));
  EXPECT_THAT(why, HasSubstr("nothing to repair"));
  EXPECT_EQ(kind, NoRepair::nothing_to_repair);
  EXPECT_FALSE(
      plan_duplicate_repair("EnrollmentAgentOffline", {expired, newest_nokey}, now_, &why, &kind));
  EXPECT_THAT(why, HasSubstr("no valid certificate"));
  EXPECT_EQ(kind, NoRepair::nothing_safe_to_keep);
}

}  // namespace
}  // namespace ndes::renew
