// #17 through the renewal service: the hook looks the alert's certificate up itself,
// refuses what RenewalCert cannot renew, renews both RA certificates in one run when both
// are due, repairs duplicates, and stops at a pending CA request.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/time.h"
#include "renew_service_support.h"
#include "support/run.h"

namespace ndes::renew {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ndes::renew::testing;
using nlohmann::json;

constexpr const char* kOtherCep = "AAAA0123456789ABCDEF0123456789ABCDEF0123";

class RenewIntakeTest : public ::testing::Test {
 protected:
  std::unique_ptr<RenewalService> make(Mode mode, std::vector<SourceCertificate> store,
                                       std::string executor = "command",
                                       FakeExecutor::Script script = nullptr) {
    ServiceOptions o = options(dir_.path() / "state", mode, std::move(executor));
    o.policy.alertnames.push_back(std::string(kDuplicateAlert));
    o.clock = [] { return kNow; };
    o.source = std::make_shared<ListSource>(std::move(store));
    o.plan.restart_services = {"WAS", "W3SVC", "PFXCertificateConnectorSvc"};
    o.plan.remove_old_certs = true;
    o.plan.restart_stack = true;
    o.plan.scep_url = "https://ndes01/certsrv/mscep/mscep.dll";
    auto s = std::make_unique<RenewalService>(
        std::move(o), std::make_unique<FakeExecutor>(std::move(script), ran_));
    s->start();
    return s;
  }
  // The one record `alert` leaves in a fresh service over `store`.
  json only_record(std::vector<SourceCertificate> store, const Alert& alert,
                   Mode mode = Mode::dry_run, std::string executor = "command") {
    auto s = make(mode, std::move(store), std::move(executor));
    s->intake(payload({alert}));
    EXPECT_TRUE(s->wait_idle(std::chrono::seconds(5)));
    const json r = s->renewals_json()["renewals"];
    EXPECT_EQ(r.size(), 1U);
    metrics_ = s->metrics_text();
    return r.empty() ? json::object() : r[0];
  }

  test::TempDir dir_;
  std::shared_ptr<std::vector<std::string>> ran_ = std::make_shared<std::vector<std::string>>();
  std::string metrics_;
};

Alert duplicate_alert() {
  Alert a;
  a.status = "firing";
  a.fingerprint = "d1";
  a.starts_at = "2026-11-25T15:00:00Z";
  a.labels = {{"alertname", std::string(kDuplicateAlert)},
              {"template", "CEPEncryption"},
              {"role", "cep_encryption"},
              {"collector", "certstore"},
              {"source", "LocalMachine\\My"},
              {"instance", "ndes01:10227"}};
  return a;
}

TEST_F(RenewIntakeTest, EveryRefusalIsRecordedWithItsReasonAndARunbookAndNothingRuns) {
  const struct {
    const char* name;
    std::vector<SourceCertificate> store;
    const char* reason;
  } cases[] = {
      {"expired", {ra_cert(kThumbprint, "CEPEncryption", kNow - kDay)}, "has expired"},
      {"not yet valid",
       {[] {
         auto c = ra_cert(kThumbprint, "CEPEncryption", kNow + 700 * kDay);
         c.cert.not_before = kNow + kDay;
         return c;
       }()},
       "not valid yet"},
      {"unknown thumbprint",
       {ra_cert(kOtherCep, "CEPEncryption", kNow + 10 * kDay)},
       "no certificate with this thumbprint"},
      {"template mismatch",
       {ra_cert(kThumbprint, "EnrollmentAgentOffline", kNow + 10 * kDay)},
       "template is \"EnrollmentAgentOffline\""},
      {"no private key",
       {ra_cert(kThumbprint, "CEPEncryption", kNow + 10 * kDay, false)},
       "no private key"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ran_->clear();
    test::TempDir fresh;
    dir_ = std::move(fresh);
    const json r = only_record(c.store, ra_alert(), Mode::execute);
    EXPECT_EQ(r["status"], "refused");
    EXPECT_THAT(r["reason"].get<std::string>(), HasSubstr(c.reason));
    EXPECT_THAT(r["runbook_url"].get<std::string>(), HasSubstr("ndes-certificate-expired.md"));
    EXPECT_EQ(r["verified_in"], "test store");
    EXPECT_TRUE(r["steps"].empty());
    EXPECT_TRUE(ran_->empty());
    EXPECT_THAT(metrics_,
                HasSubstr("ndes_renewals_total{result=\"refused\",template=\"CEPEncryption\"} 1"));
  }
}

TEST_F(RenewIntakeTest, ARoleMismatchIsRefused) {
  Alert a = ra_alert();
  a.labels["template"] = "EnrollmentAgentOffline";  // the role label still says cep
  const json r = only_record({ra_cert(kThumbprint, "EnrollmentAgentOffline", kNow + 10 * kDay)}, a,
                             Mode::execute);
  EXPECT_EQ(r["status"], "refused");
  EXPECT_THAT(r["reason"].get<std::string>(), HasSubstr("role is \"enrollment_agent\""));
}

TEST_F(RenewIntakeTest, AnExpiredAlertRepeatedIsRecordedOnce) {
  auto s = make(Mode::execute, {ra_cert(kThumbprint, "CEPEncryption", kNow - kDay)});
  Alert expired = ra_alert();
  expired.labels["alertname"] = "NdesCertificateExpired";
  for (int i = 0; i < 3; ++i) {
    s->intake(payload({expired}));
  }
  const json r = s->renewals_json()["renewals"];
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["status"], "refused");
  EXPECT_TRUE(ran_->empty());
}

TEST_F(RenewIntakeTest, TheVerifiedCertificateIsNamedWithItsNotAfter) {
  const json r = only_record(default_store(), ra_alert());
  EXPECT_EQ(r["status"], "planned");
  EXPECT_EQ(r["verified_in"], "test store");
  EXPECT_TRUE(r["warnings"].empty());
  ASSERT_EQ(r["targets"].size(), 1U);  // the EEA certificate has a year left
  EXPECT_EQ(r["targets"][0]["thumbprint"], kThumbprint);
  EXPECT_EQ(r["targets"][0]["not_after"], format_time(kNow + 10 * kDay));
}

TEST_F(RenewIntakeTest, WithoutASourceADryRunSaysTheThumbprintIsUnverified) {
  ServiceOptions o = options(dir_.path() / "state", Mode::dry_run);
  o.source = nullptr;
  o.clock = [] { return kNow; };
  RenewalService s(std::move(o), std::make_unique<FakeExecutor>(nullptr, ran_));
  s.start();
  s.intake(payload({ra_alert()}));
  const json r = s.renewals_json()["renewals"][0];
  EXPECT_EQ(r["status"], "planned");
  EXPECT_EQ(r["verified_in"], "");
  ASSERT_EQ(r["warnings"].size(), 1U);
  EXPECT_THAT(r["warnings"][0].get<std::string>(), HasSubstr("unverified"));
}

TEST_F(RenewIntakeTest, WithoutASourceExecuteModeRefuses) {
  ServiceOptions o = options(dir_.path() / "state", Mode::execute);
  o.source = nullptr;
  o.clock = [] { return kNow; };
  RenewalService s(std::move(o), std::make_unique<FakeExecutor>(nullptr, ran_));
  s.start();
  s.intake(payload({ra_alert()}));
  ASSERT_TRUE(s.wait_idle(std::chrono::seconds(5)));
  const json r = s.renewals_json()["renewals"][0];
  EXPECT_EQ(r["status"], "refused");
  EXPECT_THAT(r["reason"].get<std::string>(), HasSubstr("cannot be verified"));
  EXPECT_TRUE(ran_->empty());
}

TEST_F(RenewIntakeTest, BothRaCertificatesDueAreRenewedInOneRun) {
  const std::vector<SourceCertificate> store = {
      ra_cert(kThumbprint, "CEPEncryption", kNow + 10 * kDay),
      ra_cert(kEeaThumbprint, "EnrollmentAgentOffline", kNow + 20 * kDay)};
  auto s = make(Mode::execute, store, "windows");
  s->intake(payload({ra_alert()}));
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  json r = s->renewals_json()["renewals"];
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["status"], "succeeded");
  ASSERT_EQ(r[0]["targets"].size(), 2U);
  EXPECT_EQ(r[0]["targets"][0]["thumbprint"], kThumbprint);
  EXPECT_EQ(r[0]["targets"][1]["thumbprint"], kEeaThumbprint);
  EXPECT_THAT(r[0]["targets"][1]["why"].get<std::string>(), HasSubstr("renewal window (30d)"));
  // Each is renewed, then one removal, one restart, one verification.
  EXPECT_EQ(std::count(ran_->begin(), ran_->end(), "restart_services"), 1);
  EXPECT_EQ(std::count(ran_->begin(), ran_->end(), "certreq_accept.cep_encryption"), 1);
  EXPECT_EQ(std::count(ran_->begin(), ran_->end(), "certreq_accept.enrollment_agent"), 1);
  // The EEA alert arriving later starts nothing new: this run renewed it.
  Alert eea = ra_alert(kEeaThumbprint, "f2");
  eea.labels["template"] = "EnrollmentAgentOffline";
  eea.labels["role"] = "enrollment_agent";
  const IntakeSummary again = s->intake(payload({eea}));
  EXPECT_EQ(again.duplicates, 1);
  EXPECT_EQ(s->renewals_json()["renewals"].size(), 1U);
}

TEST_F(RenewIntakeTest, TheOtherRaCertificateOutsideTheWindowWaits) {
  const json r = only_record({ra_cert(kThumbprint, "CEPEncryption", kNow + 10 * kDay),
                              ra_cert(kEeaThumbprint, "EnrollmentAgentOffline", kNow + 31 * kDay)},
                             ra_alert(), Mode::dry_run, "windows");
  EXPECT_EQ(r["targets"].size(), 1U);
}

TEST_F(RenewIntakeTest, APendingRequestStopsBeforeAcceptAndBlocksUntilCleared) {
  auto s =
      make(Mode::execute, default_store(), "windows", [](const PlannedStep& step, RunContext&) {
        StepOutcome out;
        if (step.kind == StepKind::submit_request) {
          out.status = "pending";
          out.detail = "the CA holds request 17 for a CA manager's approval";
          out.facts["request_id"] = "17";
        }
        return out;
      });
  s->intake(payload({ra_alert()}));
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  const json r = s->renewals_json()["renewals"][0];
  EXPECT_EQ(r["status"], "pending");
  EXPECT_THAT(r["reason"].get<std::string>(), HasSubstr("request 17"));
  EXPECT_THAT(r["reason"].get<std::string>(), HasSubstr("POST /renewals/r1/clear"));
  EXPECT_THAT(*ran_, ElementsAre("write_inf", "certreq_new", "certreq_submit"));
  EXPECT_EQ(r["steps"][3]["status"], "not_run");  // certreq_accept
  EXPECT_THAT(s->metrics_text(),
              HasSubstr("ndes_renewals_total{result=\"pending\",template=\"CEPEncryption\"} 1"));
  s->intake(payload({ra_alert(kThumbprint, "f9")}));
  EXPECT_EQ(s->renewals_json()["renewals"].size(), 1U);  // blocked
  json cleared;
  std::string why;
  EXPECT_EQ(s->clear("r1", &cleared, &why), RenewalService::ClearResult::cleared);
}

TEST_F(RenewIntakeTest, TheDuplicateRepairKeepsTheNewestValidCertificateWithItsKey) {
  const std::vector<SourceCertificate> store = {
      ra_cert(kThumbprint, "CEPEncryption", kNow + 300 * kDay),
      ra_cert(kOtherCep, "CEPEncryption", kNow + 500 * kDay, false),  // newest, no key
      ra_cert("BBBB0123456789ABCDEF0123456789ABCDEF0123", "CEPEncryption", kNow + 100 * kDay),
      ra_cert(kEeaThumbprint, "EnrollmentAgentOffline", kNow + 365 * kDay)};
  const json r = only_record(store, duplicate_alert(), Mode::dry_run, "windows");
  EXPECT_EQ(r["status"], "planned");
  EXPECT_EQ(r["action"], "repair");
  ASSERT_EQ(r["targets"].size(), 1U);
  EXPECT_EQ(r["targets"][0]["thumbprint"], kThumbprint);
  EXPECT_EQ(r["steps"][0]["name"], "remove_duplicates");
  EXPECT_EQ(r["steps"][0]["params"]["thumbprints"],
            std::string(kOtherCep) + ",BBBB0123456789ABCDEF0123456789ABCDEF0123");
  EXPECT_EQ(r["steps"][2]["params"]["thumbprints"], kThumbprint);  // check_scep
}

TEST_F(RenewIntakeTest, ARepairWithNothingSafeToKeepIsRefused) {
  const json r = only_record({ra_cert(kThumbprint, "CEPEncryption", kNow - kDay),
                              ra_cert(kOtherCep, "CEPEncryption", kNow + 10 * kDay, false)},
                             duplicate_alert(), Mode::execute, "windows");
  EXPECT_EQ(r["status"], "refused");
  EXPECT_THAT(r["reason"].get<std::string>(), HasSubstr("no valid certificate"));
  EXPECT_THAT(r["runbook_url"].get<std::string>(), HasSubstr("ndes-ra-certificate-duplicate.md"));
}

TEST_F(RenewIntakeTest, ARepairWithOneCertificateLeftIsSkipped) {
  const json r = only_record(default_store(), duplicate_alert(), Mode::execute, "windows");
  EXPECT_EQ(r["status"], "skipped");
  EXPECT_THAT(r["reason"].get<std::string>(), HasSubstr("nothing to repair"));
}

TEST_F(RenewIntakeTest, TheCommandExecutorDoesNotRepairTheStore) {
  const json r = only_record(default_store(), duplicate_alert(), Mode::execute, "command");
  EXPECT_EQ(r["status"], "refused");
  EXPECT_THAT(r["reason"].get<std::string>(), HasSubstr("cannot repair"));
}

}  // namespace
}  // namespace ndes::renew
