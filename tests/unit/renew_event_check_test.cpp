// The check that NDES started after the restart (renew/event_query.h,
// renew/event_wait.h): the query, what EvtNext's results mean, the verdict, and the
// loop over the exported-XML source with the fixtures in tests/renew/events/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "base/time.h"
#include "renew/event_query.h"
#include "renew/event_wait.h"
#include "renew/plan.h"
#include "support/run.h"

namespace ndes::renew {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::int64_t kRestart = *parse_time("2026-11-25T15:00:00Z");
const std::string kProvider(kNdesEventProvider);

TEST(NdesEventQuery, AsksForEvents1And2OfTheProviderSinceTheRestart) {
  EXPECT_EQ(ndes_event_xpath(kProvider, kRestart),
            "*[System[Provider[@Name='Microsoft-Windows-NetworkDeviceEnrollmentService'] and "
            "(EventID=1 or EventID=2) and "
            "TimeCreated[@SystemTime>='2026-11-25T15:00:00.000Z']]]");
}

TEST(NdesEventQuery, OnlyNoMoreItemsMeansNothingLogged) {
  EXPECT_EQ(classify_evt_next(true, 3, 0), NextKind::events);
  EXPECT_EQ(classify_evt_next(false, 0, kErrorNoMoreItems), NextKind::no_more);
  EXPECT_EQ(classify_evt_next(false, 0, kErrorTimeout), NextKind::timeout);
  EXPECT_EQ(classify_evt_next(false, 0, 5), NextKind::error);      // access denied
  EXPECT_EQ(classify_evt_next(false, 0, 6), NextKind::error);      // invalid handle
  EXPECT_EQ(classify_evt_next(false, 0, 15001), NextKind::error);  // invalid query
}

TEST(NdesEventQuery, Event2BeatsEvent1AndOthersDoNotCount) {
  EXPECT_EQ(judge_ndes_events({}).kind, NdesStart::not_yet);
  EXPECT_EQ(judge_ndes_events({{10, kRestart + 5, ""}}).kind, NdesStart::not_yet);
  const auto started = judge_ndes_events({{1, kRestart + 5, ""}});
  EXPECT_EQ(started.kind, NdesStart::started);
  EXPECT_EQ(started.event.time_unix, kRestart + 5);
  const auto refused =
      judge_ndes_events({{1, kRestart + 9, ""}, {2, kRestart + 3, "ErrorCode=0x80070057"}});
  EXPECT_EQ(refused.kind, NdesStart::cannot_start);
  EXPECT_EQ(refused.event.text, "ErrorCode=0x80070057");
}

fs::path fixture(const std::string& name) { return fs::path(NDES_RENEW_EVENT_FIXTURES_DIR) / name; }

// A directory of exported events holding these fixture files.
test::TempDir events_dir(std::initializer_list<const char*> files) {
  test::TempDir dir("ndes-events");
  for (const char* f : files) {
    fs::copy_file(fixture(f), dir / f);
  }
  return dir;
}

StepOutcome check(const fs::path& dir, std::chrono::seconds timeout) {
  auto source = make_xml_dir_event_source(dir.string());
  EventWaitOptions options;
  options.timeout = timeout;
  options.poll = std::chrono::milliseconds(100);
  return wait_for_ndes_start(*source, kProvider, kRestart, options);
}

TEST(NdesEventCheck, Event1AfterTheRestartIsOk) {
  const auto dir = events_dir({"before-restart.xml", "started.xml"});
  const StepOutcome out = check(dir.path(), std::chrono::seconds(5));
  EXPECT_EQ(out.status, "ok") << out.detail;
  EXPECT_EQ(out.facts.at("ndes_event_time"), "2026-11-25T15:02:10Z");
  EXPECT_THAT(out.detail, HasSubstr("Event 1 (started) at 2026-11-25T15:02:10Z"));
  EXPECT_THAT(out.detail, HasSubstr("stand-in"));
}

TEST(NdesEventCheck, Event2FailsWithItsErrorEvenWithAnEvent1Beside) {
  const auto dir = events_dir({"cannot-start.xml"});
  const StepOutcome out = check(dir.path(), std::chrono::seconds(5));
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("Event 2"));
  EXPECT_THAT(out.detail,
              HasSubstr("ErrorCode=0x80070057; ErrorMessage=The parameter is incorrect."));
}

TEST(NdesEventCheck, EventsBeforeTheRestartDoNotCountAndTheWaitEnds) {
  const auto dir = events_dir({"before-restart.xml"});
  const auto begin = std::chrono::steady_clock::now();
  const StepOutcome out = check(dir.path(), std::chrono::seconds(1));
  const auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("no NDES Event 1 (started)"));
  EXPECT_THAT(out.detail, HasSubstr("within 1s of the restart at 2026-11-25T15:00:00Z"));
  EXPECT_GE(took, std::chrono::seconds(1));
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(NdesEventCheck, AnUnreadableSourceIsCouldNotAskNotNotLoggedYet) {
  const test::TempDir tmp("ndes-events");
  const StepOutcome out = check(tmp / "missing", std::chrono::seconds(1));
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("could not read NDES's events"));
  EXPECT_THAT(out.detail, HasSubstr("cannot be read"));
  EXPECT_THAT(out.detail, ::testing::Not(HasSubstr("no NDES Event 1")));
}

TEST(NdesEventCheck, AStoppingHookEndsTheWait) {
  const test::TempDir tmp("ndes-events");
  std::atomic<bool> cancel{true};
  auto source = make_xml_dir_event_source(tmp.path().string());
  EventWaitOptions options;
  options.timeout = std::chrono::seconds(60);
  options.cancel = &cancel;
  const StepOutcome out = wait_for_ndes_start(*source, kProvider, kRestart, options);
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("cancelled"));
}

}  // namespace
}  // namespace ndes::renew
