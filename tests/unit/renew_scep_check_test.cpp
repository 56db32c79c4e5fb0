// The SCEP check's verdict (renew/scep_check.h) on answers as NDES sends them: GetCACert a
// degenerate PKCS#7 made by openssl of the CA and the RA certificates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

#include "renew/scep_check.h"
#include "support/pki.h"
#include "support/run.h"

namespace ndes::renew {
namespace {

using ::testing::HasSubstr;

class RenewScepCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::int64_t now = std::time(nullptr);
    cep_ =
        pki_.issue("cep", "cep", now - test::kDay, now + 700 * test::kDay, "/CN=NDES01-MSCEP-RA");
    eea_ =
        pki_.issue("eea", "eea", now - test::kDay, now + 700 * test::kDay, "/CN=NDES01-MSCEP-RA");
    test::write_p7b({pki_.ca_pem(), cep_, eea_}, dir_ / "cacert.p7b", false);
    answers_.caps_status = 200;
    answers_.caps_body = "POSTPKIOperation\nRenewal\nSHA-256\nAES\n";
    answers_.cert_status = 200;
    answers_.cert_content_type = "application/x-x509-ca-ra-cert";
    answers_.cert_body = test::read_file_bytes(dir_ / "cacert.p7b");
  }

  test::TempDir dir_;
  test::TestPki pki_{dir_ / "pki"};
  std::filesystem::path cep_;
  std::filesystem::path eea_;
  ScepAnswers answers_;
};

TEST_F(RenewScepCheckTest, TheNewRaCertificatesListedPass) {
  const std::string cep = test::openssl_thumbprint(cep_);
  const std::string eea = test::openssl_thumbprint(eea_);
  const StepOutcome out = judge_scep_answers(answers_, {cep, eea});
  EXPECT_EQ(out.status, "ok") << out.detail;
  EXPECT_THAT(out.facts.at("ca_cert_thumbprints"), HasSubstr(cep));
  EXPECT_THAT(out.facts.at("ca_cert_thumbprints"), HasSubstr(eea));
  EXPECT_EQ(out.facts.at("ca_caps"), "POSTPKIOperation,Renewal,SHA-256,AES");
}

TEST_F(RenewScepCheckTest, ANewCertificateNdesDoesNotServeFails) {
  const std::string other = "AB" + std::string(38, '0');
  const StepOutcome out = judge_scep_answers(answers_, {test::openssl_thumbprint(cep_), other});
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("GetCACert does not list " + other));
}

TEST_F(RenewScepCheckTest, ANonOkAnswerFailsNamingIt) {
  answers_.caps_status = 500;
  EXPECT_THAT(judge_scep_answers(answers_, {}).detail, HasSubstr("GetCACaps answered HTTP 500"));
  answers_.caps_status = 200;
  answers_.cert_status = 404;
  EXPECT_THAT(judge_scep_answers(answers_, {}).detail, HasSubstr("GetCACert answered HTTP 404"));
  answers_.cert_status = 200;
  const std::string html = "<html><body>Service Unavailable</body></html>";
  answers_.cert_body.assign(html.begin(), html.end());
  EXPECT_EQ(judge_scep_answers(answers_, {}).status, "failed");
}

TEST(RenewScepCheckThumbprints, TheStepsListElseTheRunsNewCertificates) {
  PlannedStep step;
  RunContext ctx;
  ctx.facts = {{"new_thumbprint.cep_encryption", "aa"},
               {"new_thumbprint.enrollment_agent", "bb"},
               {"restarted", "WAS"}};
  EXPECT_EQ(expected_thumbprints(step, ctx), (std::vector<std::string>{"AA", "BB"}));
  step.params["thumbprints"] = "cc,dd";
  EXPECT_EQ(expected_thumbprints(step, ctx), (std::vector<std::string>{"CC", "DD"}));
}

}  // namespace
}  // namespace ndes::renew
