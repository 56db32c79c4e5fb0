// The journal: events replayed into records, a torn last line tolerated (and cut), a
// corrupt middle refused, renewals left running marked interrupted, and the file
// itself appended, fsync'd and truncated.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "renew/journal.h"
#include "renew/journal_file.h"
#include "support/run.h"

namespace ndes::renew {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr std::int64_t kT = 1'800'000'000;

RenewalRecord planned_record(std::int64_t seq) {
  RenewalRecord r;
  r.seq = seq;
  r.id = RenewalBook::id_for(seq);
  r.thumbprint = "0123456789ABCDEF0123456789ABCDEF01234567";
  r.template_name = "CEPEncryption";
  r.role = "cep_encryption";
  r.mode = Mode::execute;
  r.executor = "command";
  r.created = kT;
  r.attempt = 1;
  r.labels = {{"alertname", "NdesCertificateExpired"}};
  StepRecord a;
  a.step.name = "command";
  a.step.kind = StepKind::run;
  a.step.argv = {"/bin/true", "x"};
  a.step.command_line = "/bin/true x";
  StepRecord b;
  b.step.name = "after";
  b.step.kind = StepKind::run;
  b.step.argv = {"/bin/true"};
  r.steps = {a, b};
  return r;
}

std::string lines(const std::vector<json>& events) {
  std::string out;
  for (const auto& e : events) {
    out += journal_line(e);
  }
  return out;
}

StepRecord ok_result(const RenewalRecord& r, std::size_t index) {
  StepRecord s = r.steps[index];
  s.status = "ok";
  s.exit_code = 0;
  s.out = "done\n";
  s.started = kT + 2;
  s.finished = kT + 3;
  return s;
}

TEST(RenewJournalTest, ALineIsOneCompactJsonObject) {
  const std::string line = journal_line(event::started("r1", kT));
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  const json e = json::parse(line);
  EXPECT_EQ(e["event"], "started");
  EXPECT_EQ(e["id"], "r1");
  EXPECT_EQ(e["v"], 1);
  EXPECT_EQ(e["ts"], "2027-01-15T08:00:00Z");
}

TEST(RenewJournalTest, InvalidUtf8StillGivesALineThatParses) {
  RenewalRecord r = planned_record(1);
  r.reason = "bad \xff\xfe bytes";
  EXPECT_NO_THROW(json::parse(journal_line(event::recorded(r, kT))));
}

TEST(RenewJournalTest, ReplaysARenewalFromStartToFinish) {
  const RenewalRecord r = planned_record(1);
  const std::string content =
      lines({event::recorded(r, kT), event::started("r1", kT + 1),
             event::step_started("r1", 0, kT + 2), event::step("r1", 0, ok_result(r, 0), kT + 3),
             event::finished("r1", Status::failed, "step after failed", kT + 4)});
  const ReplayResult rr = replay_journal(content);
  EXPECT_EQ(rr.fatal, "");
  EXPECT_FALSE(rr.torn_tail);
  EXPECT_TRUE(rr.warnings.empty());
  EXPECT_EQ(rr.events, 5U);
  EXPECT_EQ(rr.good_bytes, content.size());
  const RenewalRecord* got = rr.book.find("r1");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->status, Status::failed);
  EXPECT_EQ(got->reason, "step after failed");
  EXPECT_EQ(got->started, kT + 1);
  EXPECT_EQ(got->finished, kT + 4);
  EXPECT_EQ(got->steps[0].status, "ok");
  EXPECT_EQ(got->steps[0].out, "done\n");
  EXPECT_EQ(got->steps[0].exit_code, 0);
  EXPECT_EQ(got->steps[1].status, "not_run");
  EXPECT_EQ(got->labels.at("alertname"), "NdesCertificateExpired");
}

TEST(RenewJournalTest, ARecordRoundTripsThroughJson) {
  RenewalRecord r = planned_record(4);
  r.inf = "[Version]\r\n";
  r.steps[0].facts = {{"new_thumbprint", "AB"}};
  r.steps[0].step.params = {{"k", "v"}};
  r.steps[0].step.skip_reason = "why";
  const RenewalRecord back = record_from_json(to_json(r));
  EXPECT_EQ(to_json(back), to_json(r));
}

TEST(RenewJournalTest, ATornLastLineIsDroppedAndEverythingBeforeKept) {
  const RenewalRecord r = planned_record(1);
  const std::string whole = lines({event::recorded(r, kT), event::started("r1", kT + 1)});
  const std::string next = journal_line(event::step_started("r1", 0, kT + 2));
  for (std::size_t cut = 1; cut < next.size(); ++cut) {
    const ReplayResult rr = replay_journal(whole + next.substr(0, cut));
    ASSERT_EQ(rr.fatal, "") << cut;
    EXPECT_TRUE(rr.torn_tail) << cut;
    EXPECT_EQ(rr.good_bytes, whole.size()) << cut;
    EXPECT_EQ(rr.book.find("r1")->status, Status::running);
  }
}

TEST(RenewJournalTest, AGarbledLastLineWithANewlineIsTornToo) {
  const std::string whole = lines({event::recorded(planned_record(1), kT)});
  const ReplayResult rr = replay_journal(whole + std::string("\0\0\0{\"ev\n", 8));
  EXPECT_TRUE(rr.torn_tail);
  EXPECT_EQ(rr.good_bytes, whole.size());
}

TEST(RenewJournalTest, ANumberOutOfRangeIsACorruptLineNotACrash) {
  const ReplayResult r = replay_journal("{\"v\":1,\"event\":\"x\",\"n\":1e400}\n{}\n");
  EXPECT_THAT(r.fatal, HasSubstr("is not valid JSON"));
}

TEST(RenewJournalTest, ACorruptLineInTheMiddleIsFatal) {
  const std::string content = lines({event::recorded(planned_record(1), kT)}) + "{garbage\n" +
                              lines({event::started("r1", kT + 1)});
  EXPECT_THAT(replay_journal(content).fatal, HasSubstr("not the last line"));
}

TEST(RenewJournalTest, EventsThatDoNotFitAreWarnedAboutAndIgnored) {
  const std::string content =
      lines({event::started("r9", kT), event::recorded(planned_record(1), kT),
             event::finished("r1", Status::succeeded, "", kT), event::cleared("r1", kT),
             event::recorded(planned_record(1), kT)});
  const ReplayResult rr = replay_journal(content);
  EXPECT_EQ(rr.fatal, "");
  EXPECT_EQ(rr.warnings.size(), 4U);
  EXPECT_EQ(rr.book.find("r1")->status, Status::planned);
}

TEST(RenewJournalTest, BlankLinesAreHarmless) {
  const ReplayResult rr = replay_journal("\n" + lines({event::recorded(planned_record(1), kT)}));
  EXPECT_EQ(rr.fatal, "");
  EXPECT_FALSE(rr.torn_tail);
  EXPECT_EQ(rr.book.records().size(), 1U);
}

TEST(RenewJournalTest, RecoveryInterruptsWhatWasRunningAndNothingElse) {
  const RenewalRecord r1 = planned_record(1);
  const std::string content =
      lines({event::recorded(r1, kT), event::started("r1", kT), event::step_started("r1", 0, kT),
             event::recorded(planned_record(2), kT)});
  ReplayResult rr = replay_journal(content);
  const auto events = recovery_events(rr.book, kT + 50);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0]["id"], "r1");
  EXPECT_THAT(events[0]["reason"].get<std::string>(), HasSubstr("during step command"));
  EXPECT_EQ(apply_event(rr.book, events[0]), "");
  const RenewalRecord* r = rr.book.find("r1");
  EXPECT_EQ(r->status, Status::interrupted);
  EXPECT_EQ(r->steps[0].status, "interrupted");
  EXPECT_EQ(r->steps[1].status, "not_run");
  EXPECT_EQ(rr.book.find("r2")->status, Status::planned);
  EXPECT_TRUE(recovery_events(rr.book, kT).empty());
  // An admin clears it; once.
  EXPECT_EQ(apply_event(rr.book, event::cleared("r1", kT + 60)), "");
  EXPECT_EQ(rr.book.find("r1")->cleared, kT + 60);
  EXPECT_NE(apply_event(rr.book, event::cleared("r1", kT + 61)), "");
}

TEST(RenewJournalFileTest, AppendsReadsAndTruncates) {
  test::TempDir dir;
  const auto path = dir / "journal.jsonl";
  {
    JournalFile f(path);
    EXPECT_EQ(f.read_all(), "");
    f.append("one\n");
    f.append("two\n");
    EXPECT_EQ(f.read_all(), "one\ntwo\n");
  }
  {
    JournalFile f(path);  // reopened: appends after what is there
    f.append("three\n");
    EXPECT_EQ(f.read_all(), "one\ntwo\nthree\n");
    f.truncate(4);
    EXPECT_EQ(f.read_all(), "one\n");
    f.append("four\n");
    EXPECT_EQ(f.read_all(), "one\nfour\n");
  }
  EXPECT_EQ(test::read_file(path), "one\nfour\n");
}

TEST(RenewJournalFileTest, OneHookPerStateDirectory) {
  test::TempDir dir;
  StateDirLock first(dir.path());
  EXPECT_THROW(StateDirLock second(dir.path()), std::runtime_error);
}

}  // namespace
}  // namespace ndes::renew
