// The renewal service with a scripted executor: idempotent intake, execution one
// renewal at a time, failures and their backoff, a stop mid-renewal, restarts from the
// journal, clearing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "renew/journal.h"
#include "renew_service_support.h"
#include "support/run.h"

namespace ndes::renew {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ndes::renew::testing;
using nlohmann::json;

// A renewal as the journal has it before it starts: r1, execute, one step "command".
RenewalRecord journaled_renewal() {
  RenewalRecord r;
  r.seq = 1;
  r.id = "r1";
  r.thumbprint = kThumbprint;
  r.template_name = "CEPEncryption";
  r.mode = Mode::execute;
  StepRecord step;
  step.step.name = "command";
  r.steps = {step};
  return r;
}

class RenewServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<RenewalService> make(Mode mode, FakeExecutor::Script script = nullptr,
                                       std::string executor = "command") {
    ServiceOptions o = options(dir_.path() / "state", mode, std::move(executor));
    o.clock = [this] { return now_.load(); };
    auto s = std::make_unique<RenewalService>(
        std::move(o), std::make_unique<FakeExecutor>(std::move(script), ran_));
    s->start();
    return s;
  }
  static json records(const RenewalService& s) { return s.renewals_json()["renewals"]; }
  std::string journal() const { return test::read_file(dir_ / "state" / "journal.jsonl"); }

  test::TempDir dir_;
  std::atomic<std::int64_t> now_{1'800'000'000};
  std::shared_ptr<std::vector<std::string>> ran_ = std::make_shared<std::vector<std::string>>();
};

TEST_F(RenewServiceTest, ADryRunRecordsThePlanOnceAndRunsNothing) {
  auto s = make(Mode::dry_run, nullptr, "windows");
  for (int i = 0; i < 5; ++i) {
    s->intake(payload({ra_alert()}));
  }
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  const json r = records(*s);
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["status"], "planned");
  EXPECT_EQ(r[0]["mode"], "dry-run");
  EXPECT_EQ(r[0]["fingerprint"], "f1");
  EXPECT_EQ(r[0]["inf"], renewal_inf(kThumbprint));
  EXPECT_EQ(r[0]["steps"].size(), 10U);
  EXPECT_THAT(r[0]["steps"][2]["command_line"].get<std::string>(),
              HasSubstr("-submit -config \"ca01\\Corp CA\""));
  EXPECT_TRUE(ran_->empty());
  EXPECT_THAT(s->metrics_text(),
              HasSubstr("ndes_renewals_total{result=\"planned\",template=\"CEPEncryption\"} 1"));
}

TEST_F(RenewServiceTest, ConcurrentDeliveriesStartOneRenewal) {
  auto s = make(Mode::dry_run);
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&s] {
      for (int i = 0; i < 10; ++i) {
        s->intake(payload({ra_alert(), ra_alert()}));
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(records(*s).size(), 1U);
}

TEST_F(RenewServiceTest, SkipsAreRecordedOnceWithTheirReason) {
  auto s = make(Mode::dry_run);
  Alert bad = ra_alert("ABC; rm -rf /", "f2");
  Alert resolved = ra_alert(kThumbprint, "f3");
  resolved.status = "resolved";
  Alert elsewhere = ra_alert(kThumbprint, "f4");
  elsewhere.labels["instance"] = "ndes02:10227";
  for (int i = 0; i < 3; ++i) {
    const IntakeSummary sum = s->intake(payload({bad, resolved, elsewhere}));
    EXPECT_EQ(sum.skipped, i == 0 ? 3 : 0);
  }
  const json r = records(*s);
  ASSERT_EQ(r.size(), 3U);
  for (const auto& rec : r) {
    EXPECT_EQ(rec["status"], "skipped");
    EXPECT_TRUE(rec["steps"].empty());
  }
  EXPECT_THAT(r[0]["reason"].get<std::string>(), HasSubstr("40 hex"));
  EXPECT_EQ(r[0]["thumbprint"], "ABC; rm -rf /");  // echoed, never used
  EXPECT_THAT(r[1]["reason"].get<std::string>(), HasSubstr("resolved"));
  EXPECT_THAT(r[2]["reason"].get<std::string>(), HasSubstr("not this host"));
  EXPECT_THAT(s->metrics_text(),
              HasSubstr("ndes_renewals_total{result=\"skipped\",template=\"CEPEncryption\"} 3"));
}

TEST_F(RenewServiceTest, ExecutesTheStepsAndSucceeds) {
  auto s = make(Mode::execute, [](const PlannedStep& step, RunContext& ctx) {
    StepOutcome out;
    out.out = "renewed " + ctx.thumbprint + " with token tok-secret\n";
    out.exit_code = 0;
    EXPECT_EQ(step.argv[1], kThumbprint);
    return out;
  });
  s->intake(payload({ra_alert()}));
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  s->intake(payload({ra_alert()}));  // renewed: nothing new
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  const json r = records(*s);
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["status"], "succeeded");
  EXPECT_EQ(r[0]["steps"][0]["status"], "ok");
  EXPECT_EQ(r[0]["steps"][0]["stdout"],
            std::string("renewed ") + kThumbprint + " with token [redacted]\n");
  EXPECT_THAT(*ran_, ElementsAre("command"));
  EXPECT_THAT(s->metrics_text(),
              HasSubstr("ndes_renewal_last_success_timestamp_seconds{template=\"CEPEncryption\"} "
                        "1800000000"));
  EXPECT_EQ(journal().find("tok-secret"), std::string::npos);
}

TEST_F(RenewServiceTest, AFailureBacksOffThenRetries) {
  auto s = make(Mode::execute, [](const PlannedStep&, RunContext&) {
    StepOutcome out;
    out.status = "failed";
    out.exit_code = 3;
    out.detail = "exited with status 3";
    return out;
  });
  s->intake(payload({ra_alert()}));
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  json r = records(*s);
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["status"], "failed");
  EXPECT_THAT(r[0]["reason"].get<std::string>(), HasSubstr("step command failed"));
  now_ += 3599;
  s->intake(payload({ra_alert()}));
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(records(*s).size(), 1U);
  now_ += 1;
  s->intake(payload({ra_alert()}));
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  r = records(*s);
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[1]["attempt"], 2);
  EXPECT_EQ(r[1]["status"], "failed");
  now_ += 2 * 3600 - 1;  // the second failure waits 2 h
  s->intake(payload({ra_alert()}));
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(records(*s).size(), 2U);
}

TEST_F(RenewServiceTest, AStopDuringAStepInterruptsTheRenewal) {
  std::atomic<bool> in_step{false};
  auto s = make(Mode::execute, [&in_step](const PlannedStep&, RunContext& ctx) {
    in_step = true;
    while (!ctx.cancel->load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    StepOutcome out;
    out.status = "failed";
    out.detail = "cancelled";
    return out;
  });
  s->intake(payload({ra_alert()}));
  while (!in_step) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  s->stop();
  const json r = records(*s);
  EXPECT_EQ(r[0]["status"], "interrupted");
  EXPECT_THAT(r[0]["reason"].get<std::string>(), HasSubstr("during step command"));
}

TEST_F(RenewServiceTest, ARestartMarksARunningRenewalInterruptedAndNeverReRunsIt) {
  // A journal as a crash leaves it: started, a step begun, nothing after.
  { auto s = make(Mode::dry_run); }
  ServiceOptions o = options(dir_.path() / "state", Mode::execute);
  RenewalRecord r = journaled_renewal();
  r.steps[0].step.argv = {"/bin/renew"};
  test::write_file(dir_ / "state" / "journal.jsonl",
                   journal_line(event::recorded(r, now_)) +
                       journal_line(event::started("r1", now_)) +
                       journal_line(event::step_started("r1", 0, now_)) + "{\"v\":1,\"ts\":\"20");
  auto s = make(Mode::execute);
  json recs = records(*s);
  ASSERT_EQ(recs.size(), 1U);
  EXPECT_EQ(recs[0]["status"], "interrupted");
  EXPECT_EQ(recs[0]["steps"][0]["status"], "interrupted");
  // The torn line is gone, the interrupted event appended after the last whole line.
  const std::string j = journal();
  EXPECT_EQ(j.find("{\"v\":1,\"ts\":\"20{"), std::string::npos);
  EXPECT_EQ(j.back(), '\n');
  EXPECT_TRUE(replay_journal(j).fatal.empty());
  EXPECT_FALSE(replay_journal(j).torn_tail);
  // Blocked: the same alert starts nothing, until an admin clears it.
  s->intake(payload({ra_alert()}));
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(records(*s).size(), 1U);
  EXPECT_TRUE(ran_->empty());
  json cleared;
  std::string why;
  EXPECT_EQ(s->clear("r1", &cleared, &why), RenewalService::ClearResult::cleared);
  EXPECT_NE(cleared["cleared"], "");
  EXPECT_EQ(s->clear("r1", &cleared, &why), RenewalService::ClearResult::not_clearable);
  EXPECT_EQ(s->clear("r9", &cleared, &why), RenewalService::ClearResult::not_found);
  s->intake(payload({ra_alert()}));
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  recs = records(*s);
  ASSERT_EQ(recs.size(), 2U);
  EXPECT_EQ(recs[1]["status"], "succeeded");
  EXPECT_EQ(recs[1]["attempt"], 2);
}

TEST_F(RenewServiceTest, AQueuedRenewalRunsAfterARestart) {
  { auto s = make(Mode::dry_run); }
  const RenewalRecord r = journaled_renewal();
  test::write_file(dir_ / "state" / "journal.jsonl", journal_line(event::recorded(r, now_)));
  auto s = make(Mode::execute);
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(records(*s)[0]["status"], "succeeded");
}

TEST_F(RenewServiceTest, ACorruptJournalStopsTheStart) {
  std::filesystem::create_directories(dir_ / "state");
  test::write_file(dir_ / "state" / "journal.jsonl", "{bad\n{\"v\":1}\n");
  ServiceOptions o = options(dir_.path() / "state", Mode::execute);
  RenewalService s(std::move(o), std::make_unique<FakeExecutor>(nullptr, ran_));
  EXPECT_THROW(s.start(), std::runtime_error);
}

TEST_F(RenewServiceTest, StepsSkippedByConfigurationAreRecordedAndNotRun) {
  auto s = make(Mode::execute, nullptr, "windows");
  s->intake(payload({ra_alert()}));
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(5)));
  const json r = records(*s);
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["status"], "succeeded");
  EXPECT_THAT(*ran_, ElementsAre("write_inf", "certreq_new", "certreq_submit", "certreq_accept",
                                 "verify_new_cert"));
  EXPECT_EQ(r[0]["steps"][5]["name"], "grant_key_read");
  EXPECT_EQ(r[0]["steps"][5]["status"], "skipped");
  EXPECT_EQ(r[0]["steps"][9]["status"], "skipped");
}

}  // namespace
}  // namespace ndes::renew
