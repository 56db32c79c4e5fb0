// The real ndes_renew_hook over HTTP in dry-run: the status codes Alertmanager and
// admins see, the dry-run record, idempotency under repeats and concurrency, and a
// journal that survives kill -9.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "renew_support.h"
#include "support/exposition.h"
#include "support/run.h"

namespace ndes::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class RenewHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hook_ = std::make_unique<HookProcess>(
        tmp_ / "state", std::vector<std::string>{"--instance=ndes01",
                                                 "--ca.config=ca01.corp.example\\Corp Issuing CA",
                                                 "--service-account=CORP\\svc_ndes",
                                                 "--remove-old-certs", "--restart-stack"});
  }
  double webhooks(const std::string& result) const {
    const auto samples = parse_exposition(http_get(hook_->url("/metrics")).body);
    return value_of(samples, "ndes_renew_webhooks_total", {{"result", result}}).value_or(-1);
  }

  TempDir tmp_;
  std::unique_ptr<HookProcess> hook_;
};

TEST_F(RenewHttpTest, AnswersAcceptedWith202) {
  const HttpResponse r = hook_->post_alerts(webhook_body({ra_labels()}));
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "accepted");
  EXPECT_EQ(webhooks("accepted"), 1);
}

TEST_F(RenewHttpTest, AnswersAMissingOrWrongTokenWith401) {
  EXPECT_EQ(hook_->post_alerts(webhook_body({ra_labels()}), "").status, 401);
  EXPECT_EQ(hook_->post_alerts(webhook_body({ra_labels()}), "wrong-token").status, 401);
  EXPECT_EQ(hook_->post_alerts(webhook_body({ra_labels()}), std::string(kRenewToken) + "x").status,
            401);
  EXPECT_EQ(http_get(hook_->url("/renewals")).status, 401);
  EXPECT_EQ(webhooks("unauthorized"), 3);
  EXPECT_TRUE(hook_->renewals().empty());
}

TEST_F(RenewHttpTest, AnswersMalformedJsonOrAWrongVersionWith400) {
  EXPECT_EQ(hook_->post_alerts("{\"version\": \"4\", \"alerts\": [").status, 400);
  const HttpResponse r = hook_->post_alerts(webhook_body({ra_labels()}, "3"));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("want \\\"4\\\""));
  EXPECT_EQ(webhooks("bad_request"), 2);
  EXPECT_TRUE(hook_->renewals().empty());
}

TEST_F(RenewHttpTest, AnswersPayloadsPastOneMebibyteWith413) {
  // Valid JSON, just too big: the size is refused before anything is parsed.
  std::string body = webhook_body({ra_labels()});
  body.insert(1, "\"padding\":\"" + std::string(std::size_t{1024} * 1024, 'x') + "\",");
  EXPECT_EQ(hook_->post_alerts(body).status, 413);
  EXPECT_EQ(webhooks("too_large"), 1);
  EXPECT_TRUE(hook_->renewals().empty());
  // The hook still answers afterwards.
  EXPECT_EQ(hook_->post_alerts(webhook_body({ra_labels()})).status, 202);
}

TEST_F(RenewHttpTest, AnswersOtherMethodsWith405) {
  const std::map<std::string, std::string> auth = {
      {"Authorization", std::string("Bearer ") + kRenewToken}};
  EXPECT_EQ(http_request("GET", hook_->url("/alertmanager"), "", auth).status, 405);
  EXPECT_EQ(
      http_request("PUT", hook_->url("/alertmanager"), webhook_body({ra_labels()}), auth).status,
      405);
  EXPECT_EQ(http_request("DELETE", hook_->url("/alertmanager"), "", auth).status, 405);
  EXPECT_EQ(webhooks("rejected"), 3);
}

TEST_F(RenewHttpTest, TheDryRunRecordAppearsInRenewals) {
  ASSERT_EQ(hook_->post_alerts(webhook_body({ra_labels()})).status, 202);
  const json r = hook_->renewals();
  ASSERT_EQ(r.size(), 1U) << r.dump(2);
  const json& rec = r[0];
  EXPECT_EQ(rec["id"], "r1");
  EXPECT_EQ(rec["status"], "planned");
  EXPECT_EQ(rec["mode"], "dry-run");
  EXPECT_EQ(rec["thumbprint"], renew_thumbprint());
  EXPECT_EQ(rec["template"], "CEPEncryption");
  EXPECT_EQ(rec["role"], "cep_encryption");
  EXPECT_EQ(rec["instance"], "ndes01:10227");
  EXPECT_FALSE(rec["fingerprint"].get<std::string>().empty());
  EXPECT_FALSE(rec["created"].get<std::string>().empty());
  EXPECT_EQ(rec["inf"],
            "[Version]\r\nSignature=\"$Windows NT$\"\r\n[NewRequest]\r\n"
            "RenewalCert=\"" +
                renew_thumbprint() + "\"\r\nMachineKeySet=TRUE\r\n");
  ASSERT_EQ(rec["steps"].size(), 10U);
  const std::string work = (hook_->state_dir() / "renewals" / "r1").string();
  EXPECT_EQ(rec["steps"][1]["name"], "certreq_new");
  EXPECT_EQ(rec["steps"][1]["command_line"], "C:\\Windows\\System32\\certreq.exe -f -q -new " +
                                                 work + "/renewal.inf " + work + "/renewal.req");
  EXPECT_EQ(rec["steps"][2]["command_line"],
            "C:\\Windows\\System32\\certreq.exe -f -q -submit -config "
            "\"ca01.corp.example\\Corp Issuing CA\" " +
                work + "/renewal.req " + work + "/renewal.cer");
  EXPECT_EQ(rec["steps"][3]["argv"][3], "-machine");
  EXPECT_EQ(rec["steps"][5]["params"]["account"], "CORP\\svc_ndes");
  for (const auto& step : rec["steps"]) {
    EXPECT_EQ(step["status"], "planned") << step.dump();
    if (step["name"] == "check_scep") {
      // No IIS to read the SCEP URL from here, and no --verify.scep-url: said, not guessed.
      EXPECT_THAT(step["skip_reason"].get<std::string>(), HasSubstr("give --verify.scep-url"));
    } else {
      EXPECT_FALSE(step.contains("skip_reason")) << step.dump();
    }
  }
  // Nothing to verify against on Linux without --verify.files.path: the record says so.
  EXPECT_EQ(rec["verified_in"], "");
  EXPECT_THAT(rec["warnings"].dump(), HasSubstr("unverified"));
  // Nothing ran: no work directory was made.
  EXPECT_FALSE(std::filesystem::exists(hook_->state_dir() / "renewals" / "r1"));
}

TEST_F(RenewHttpTest, InvalidAlertsAreRecordedAsSkipped) {
  auto bad = ra_labels("ABC; rm -rf /");
  auto other_host = ra_labels(renew_thumbprint(), "ndes02:10227");
  auto other_template = ra_labels(renew_thumbprint(), "ndes01:10227", "WebServer");
  ASSERT_EQ(hook_->post_alerts(webhook_body({bad, other_host, other_template})).status, 202);
  const json r = hook_->renewals();
  ASSERT_EQ(r.size(), 3U);
  for (const auto& rec : r) {
    EXPECT_EQ(rec["status"], "skipped");
    EXPECT_TRUE(rec["steps"].empty());
  }
  EXPECT_THAT(r[0]["reason"].get<std::string>(), HasSubstr("40 hex"));
  EXPECT_THAT(r[1]["reason"].get<std::string>(), HasSubstr("not this host"));
  EXPECT_THAT(r[2]["reason"].get<std::string>(), HasSubstr("allowlist"));
}

TEST_F(RenewHttpTest, TheSamePayloadTwentyTimesGivesOneRenewal) {
  const std::string body = webhook_body({ra_labels()});
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(hook_->post_alerts(body).status, 202);
  }
  const json r = hook_->renewals();
  EXPECT_EQ(r.size(), 1U) << r.dump(2);
  EXPECT_EQ(webhooks("accepted"), 20);
}

TEST_F(RenewHttpTest, TwoClientsAtOnceGiveOneRenewal) {
  // Two Alertmanagers of an HA pair deliver the same group at the same moment.
  const std::string body = webhook_body({ra_labels()});
  std::vector<long> statuses(20);
  std::vector<std::thread> clients;
  clients.reserve(2);
  for (std::size_t c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      for (std::size_t i = 0; i < 10; ++i) {
        statuses[c * 10 + i] = hook_->post_alerts(body).status;
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  for (long s : statuses) {
    EXPECT_EQ(s, 202);
  }
  const json r = hook_->renewals();
  ASSERT_EQ(r.size(), 1U) << r.dump(2);
  EXPECT_EQ(r[0]["status"], "planned");
}

TEST_F(RenewHttpTest, TheJournalSurvivesKillNineAndARestart) {
  ASSERT_EQ(hook_->post_alerts(webhook_body({ra_labels()})).status, 202);
  ASSERT_EQ(hook_
                ->post_alerts(
                    webhook_body({ra_labels(std::string(40, 'A')), ra_labels("not-a-thumbprint")}))
                .status,
            202);
  const json before = hook_->renewals();
  ASSERT_EQ(before.size(), 3U);
  hook_->kill9();

  // Every line is whole JSON: each append was one write and an fsync before the 202.
  const std::filesystem::path journal = tmp_ / "state" / "journal.jsonl";
  const std::string content = read_file(journal);
  ASSERT_FALSE(content.empty());
  EXPECT_EQ(content.back(), '\n');
  std::size_t lines = 0;
  for (std::size_t pos = 0; pos < content.size();) {
    const std::size_t nl = content.find('\n', pos);
    EXPECT_NO_THROW(json::parse(content.substr(pos, nl - pos)));
    pos = nl + 1;
    ++lines;
  }
  EXPECT_EQ(lines, 3U);

  hook_ =
      std::make_unique<HookProcess>(tmp_ / "state", std::vector<std::string>{"--instance=ndes01"});
  EXPECT_EQ(hook_->renewals(), before);
  // The same alerts after the restart start nothing new.
  ASSERT_EQ(hook_->post_alerts(webhook_body({ra_labels()})).status, 202);
  EXPECT_EQ(hook_->renewals().size(), 3U);
  EXPECT_EQ(read_file(journal).size(), content.size());
}

TEST_F(RenewHttpTest, ATornLastLineIsDroppedOnStart) {
  ASSERT_EQ(hook_->post_alerts(webhook_body({ra_labels()})).status, 202);
  const json before = hook_->renewals();
  hook_->kill9();
  const std::filesystem::path journal = tmp_ / "state" / "journal.jsonl";
  const std::string whole = read_file(journal);
  // What a crash in the middle of a write leaves behind.
  write_file(journal, whole + "{\"v\":1,\"ts\":\"2026-11-25T16:00:00Z\",\"event\":\"star");

  hook_ =
      std::make_unique<HookProcess>(tmp_ / "state", std::vector<std::string>{"--instance=ndes01"});
  EXPECT_EQ(hook_->renewals(), before);
  EXPECT_EQ(read_file(journal), whole);
  EXPECT_THAT(read_file(tmp_ / "state" / "audit.log"), HasSubstr("torn last line"));
}

TEST_F(RenewHttpTest, AuditsRequestsWithoutTheToken) {
  ASSERT_EQ(hook_->post_alerts(webhook_body({ra_labels()})).status, 202);
  hook_->post_alerts(webhook_body({ra_labels()}), "guess");
  const std::string audit = read_file(tmp_ / "state" / "audit.log");
  EXPECT_THAT(audit, HasSubstr("msg=\"request\" method=POST path=/alertmanager"));
  EXPECT_THAT(audit, HasSubstr("result=unauthorized"));
  EXPECT_THAT(audit, HasSubstr("msg=\"renewal planned\" renewal=r1"));
  EXPECT_EQ(audit.find(kRenewToken), std::string::npos);
  EXPECT_EQ(audit.find("guess"), std::string::npos);
}

TEST_F(RenewHttpTest, ServesHealthAndMetrics) {
  EXPECT_EQ(http_get(hook_->url("/healthz")).status, 200);
  const auto samples = parse_exposition(http_get(hook_->url("/metrics")).body);
  EXPECT_EQ(value_of(samples, "ndes_renewal_in_progress"), 0);
  EXPECT_EQ(value_of(samples, "ndes_renewals_total",
                     {{"template", "EnrollmentAgentOffline"}, {"result", "failed"}}),
            0);
}

TEST(RenewHookStartTest, RefusesToStartWithoutAToken) {
  TempDir tmp;
  const RunResult r = run_command(
      {(bin_dir() / "ndes_renew_hook").string(), "--state.dir=" + (tmp / "state").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--web.auth-token-file is required"));
}

}  // namespace
}  // namespace ndes::test
