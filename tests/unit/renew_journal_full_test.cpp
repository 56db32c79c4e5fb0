// A journal that cannot be written. The process's file-size limit (RLIMIT_FSIZE) makes
// the writes really fail, with no root needed; tests/fault covers a real full file
// system. A failed append leaves the file whole and usable, the API refuses the
// webhook with 503 (never 500), and the worker waits instead of acting unrecorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <thread>

#include "renew/api.h"
#include "renew/journal.h"
#include "renew/journal_file.h"
#include "renew_service_support.h"
#include "support/run.h"

namespace ndes::renew {
namespace {

using ::testing::HasSubstr;
using namespace ndes::renew::testing;
using nlohmann::json;

// Limits the size of every file this process writes to `bytes` until lift().
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::uintmax_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead of killing us
    rlimit limited = saved_;
    limited.rlim_cur = static_cast<rlim_t>(bytes);
    if (::setrlimit(RLIMIT_FSIZE, &limited) != 0) {
      throw std::runtime_error("setrlimit(RLIMIT_FSIZE) failed");
    }
  }
  ~FileSizeLimit() { lift(); }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  void lift() { ::setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
};

TEST(RenewJournalFullTest, AFailedAppendIsUndoneAndTheNextOneWorks) {
  test::TempDir dir;
  const auto path = dir / "journal.jsonl";
  JournalFile f(path);
  const std::string first = "{\"v\":1,\"event\":\"first\"}\n";
  f.append(first);
  {
    // Room for part of the next line only: the kernel writes some of it, then fails.
    FileSizeLimit limit(first.size() + 10);
    try {
      f.append(std::string(200, 'x') + "\n");
      FAIL() << "the append past the limit succeeded";
    } catch (const JournalWriteError& e) {
      EXPECT_TRUE(e.rolled_back());
      EXPECT_FALSE(e.no_space());  // EFBIG, not ENOSPC
      EXPECT_THAT(e.what(), HasSubstr(path.string()));
    }
    EXPECT_EQ(f.read_all(), first);  // no part of a line stays behind
  }
  const std::string second = "{\"v\":1,\"event\":\"second\"}\n";
  f.append(second);
  EXPECT_EQ(f.read_all(), first + second);
  EXPECT_EQ(test::read_file(path), first + second);
}

class RenewJournalFullServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<RenewalService> make(Mode mode, FakeExecutor::Script script = nullptr) {
    ServiceOptions o = options(dir_.path() / "state", mode);
    o.journal_retry = std::chrono::milliseconds(20);
    auto s = std::make_unique<RenewalService>(
        std::move(o), std::make_unique<FakeExecutor>(std::move(script), ran_));
    s->start();
    return s;
  }
  std::filesystem::path journal_path() const { return dir_ / "state" / "journal.jsonl"; }
  std::uintmax_t journal_size() const { return std::filesystem::file_size(journal_path()); }

  test::TempDir dir_;
  std::shared_ptr<std::vector<std::string>> ran_ = std::make_shared<std::vector<std::string>>();
};

TEST_F(RenewJournalFullServiceTest, TheWebhookIsRefusedWith503AndNothingIsRecorded) {
  auto s = make(Mode::dry_run);
  HookApi api(*s, std::string("tok"));
  HookRequest req;
  req.method = "POST";
  req.path = "/alertmanager";
  req.headers["authorization"] = "Bearer tok";
  req.body = R"({"version":"4","status":"firing","receiver":"r","alerts":[{"status":"firing",
    "labels":{"alertname":"NdesCertificateExpiringSoon","thumbprint":")" +
             std::string(kThumbprint) + R"(","template":"CEPEncryption","role":"cep_encryption",
    "instance":"ndes01:10227"},"startsAt":"2026-11-25T15:00:00Z","fingerprint":"f1"}]})";
  {
    FileSizeLimit limit(journal_size());
    const Response r = api.handle(req);
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_THAT(json::parse(r.body)["error"].get<std::string>(),
                HasSubstr("cannot record the alerts: cannot append to " + journal_path().string()));
    EXPECT_THAT(r.headers,
                ::testing::Contains(std::pair<std::string, std::string>("Retry-After", "60")));
    EXPECT_TRUE(s->renewals_json()["renewals"].empty());
  }
  HookRequest metrics;
  metrics.method = "GET";
  metrics.path = "/metrics";
  const std::string text = api.handle(metrics).body;
  EXPECT_THAT(text, HasSubstr("ndes_renew_webhooks_total{result=\"journal_unwritable\"} 1"));
  EXPECT_THAT(text, HasSubstr("ndes_renew_journal_write_failures_total 1"));

  // Space again: the same webhook is taken, and the journal replays to what is shown.
  EXPECT_EQ(api.handle(req).status, 202);
  const json shown = s->renewals_json()["renewals"];
  ASSERT_EQ(shown.size(), 1U);
  const ReplayResult replay = replay_journal(test::read_file(journal_path()));
  EXPECT_TRUE(replay.fatal.empty());
  EXPECT_FALSE(replay.torn_tail);
  ASSERT_EQ(replay.book.records().size(), 1U);
  EXPECT_EQ(to_json(replay.book.records()[0]), shown[0]);
}

TEST_F(RenewJournalFullServiceTest, AStepResultWaitsForTheJournalAndIsNeverLost) {
  std::unique_ptr<FileSizeLimit> limit;
  std::atomic<bool> step_ran{false};
  // The disk fills while the step runs: its result cannot be written at first.
  auto s = make(Mode::execute, [&](const PlannedStep&, RunContext&) {
    limit = std::make_unique<FileSizeLimit>(journal_size());
    step_ran = true;
    return StepOutcome{};
  });
  s->intake(payload({ra_alert()}));
  for (int i = 0; i < 200 && !step_ran; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(step_ran);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ~10 retries
  json r = s->renewals_json()["renewals"];
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["status"], "running");  // not finished: nothing unrecorded is shown
  EXPECT_EQ(r[0]["steps"][0]["status"], "running");
  // New work is refused meanwhile.
  EXPECT_THROW(s->intake(payload({ra_alert("89ABCDEF0123456789ABCDEF0123456789ABCDEF", "f2")})),
               JournalWriteError);

  limit->lift();
  ASSERT_TRUE(s->wait_idle(std::chrono::seconds(10)));
  r = s->renewals_json()["renewals"];
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["status"], "succeeded");
  EXPECT_EQ(ran_->size(), 1U);  // the step ran once
  EXPECT_THAT(s->metrics_text(),
              ::testing::ContainsRegex("ndes_renew_journal_write_failures_total [1-9][0-9]*\n"));
  s->stop();
  const ReplayResult replay = replay_journal(test::read_file(journal_path()));
  EXPECT_TRUE(replay.fatal.empty());
  EXPECT_TRUE(replay.warnings.empty());
  ASSERT_EQ(replay.book.records().size(), 1U);
  EXPECT_EQ(replay.book.records()[0].status, Status::succeeded);
}

}  // namespace
}  // namespace ndes::renew
