// One renewal per thumbprint: what stands in the way of a new renewal, and the
// failure backoff (1 h doubling to 32 h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "renew/book.h"

namespace ndes::renew {
namespace {

using ::testing::HasSubstr;
using Kind = Admission::Kind;

constexpr const char* kTp = "0123456789ABCDEF0123456789ABCDEF01234567";
constexpr const char* kOther = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

class RenewBookTest : public ::testing::Test {
 protected:
  RenewalRecord& add(Status status, Mode mode = Mode::execute, const char* tp = kTp,
                     std::int64_t finished = kNow - 10) {
    RenewalRecord r;
    r.seq = book_.next_seq();
    r.id = RenewalBook::id_for(r.seq);
    r.thumbprint = tp;
    r.template_name = "CEPEncryption";
    r.status = status;
    r.mode = mode;
    r.created = finished - 60;
    r.finished = status == Status::planned || status == Status::running ? 0 : finished;
    book_.add(r);
    return *book_.find(r.id);
  }
  RenewalBook book_;
};

TEST(RenewBackoffTest, DoublesFromOneHourToThirtyTwo) {
  EXPECT_EQ(backoff_seconds(0), 0);
  EXPECT_EQ(backoff_seconds(1), 1 * kHour);
  EXPECT_EQ(backoff_seconds(2), 2 * kHour);
  EXPECT_EQ(backoff_seconds(3), 4 * kHour);
  EXPECT_EQ(backoff_seconds(4), 8 * kHour);
  EXPECT_EQ(backoff_seconds(5), 16 * kHour);
  EXPECT_EQ(backoff_seconds(6), 32 * kHour);
  EXPECT_EQ(backoff_seconds(7), 32 * kHour);
  EXPECT_EQ(backoff_seconds(1000), 32 * kHour);
}

TEST_F(RenewBookTest, AnUnknownThumbprintStarts) {
  const Admission a = book_.admit(kTp, Mode::execute, kNow);
  EXPECT_EQ(a.kind, Kind::start);
  EXPECT_EQ(a.attempt, 1);
  EXPECT_EQ(book_.next_seq(), 1);
}

TEST_F(RenewBookTest, PlannedRunningAndSucceededAreDuplicates) {
  add(Status::planned);
  EXPECT_EQ(book_.admit(kTp, Mode::execute, kNow).kind, Kind::duplicate);
  EXPECT_EQ(book_.admit(kOther, Mode::execute, kNow).kind, Kind::start);
  book_.find("r1")->status = Status::running;
  EXPECT_THAT(book_.admit(kTp, Mode::execute, kNow).reason, HasSubstr("r1 is running"));
  book_.find("r1")->status = Status::succeeded;
  const Admission a = book_.admit(kTp, Mode::execute, kNow + 400 * kDay);
  EXPECT_EQ(a.kind, Kind::duplicate);
  EXPECT_EQ(a.existing_id, "r1");
  EXPECT_THAT(a.reason, HasSubstr("already renewed by r1"));
}

TEST_F(RenewBookTest, ADryRunPlanBlocksOnlyDryRuns) {
  add(Status::planned, Mode::dry_run);
  EXPECT_EQ(book_.admit(kTp, Mode::dry_run, kNow).kind, Kind::duplicate);
  const Admission a = book_.admit(kTp, Mode::execute, kNow);
  EXPECT_EQ(a.kind, Kind::start);
  EXPECT_EQ(a.attempt, 1);
}

TEST_F(RenewBookTest, SkippedRecordsStandInNobodysWay) {
  add(Status::skipped);
  EXPECT_EQ(book_.admit(kTp, Mode::execute, kNow).kind, Kind::start);
}

TEST_F(RenewBookTest, AnInterruptedRenewalBlocksUntilCleared) {
  RenewalRecord& r = add(Status::interrupted);
  const Admission a = book_.admit(kTp, Mode::execute, kNow + 100 * kDay);
  EXPECT_EQ(a.kind, Kind::blocked);
  EXPECT_THAT(a.reason, HasSubstr("POST /renewals/r1/clear"));
  r.cleared = kNow;
  const Admission b = book_.admit(kTp, Mode::execute, kNow);
  EXPECT_EQ(b.kind, Kind::start);
  EXPECT_EQ(b.attempt, 2);
}

TEST_F(RenewBookTest, FailuresBackOff) {
  add(Status::failed, Mode::execute, kTp, kNow);
  Admission a = book_.admit(kTp, Mode::execute, kNow + kHour - 1);
  EXPECT_EQ(a.kind, Kind::backing_off);
  EXPECT_EQ(a.retry_at, kNow + kHour);
  EXPECT_THAT(a.reason, HasSubstr("1 failure(s)"));
  a = book_.admit(kTp, Mode::execute, kNow + kHour);
  EXPECT_EQ(a.kind, Kind::start);
  EXPECT_EQ(a.attempt, 2);

  add(Status::failed, Mode::execute, kTp, kNow + kHour);
  EXPECT_EQ(book_.admit(kTp, Mode::execute, kNow + 3 * kHour - 1).kind, Kind::backing_off);
  EXPECT_EQ(book_.admit(kTp, Mode::execute, kNow + 3 * kHour).kind, Kind::start);
}

TEST_F(RenewBookTest, TheBackoffStopsGrowingAtThirtyTwoHours) {
  for (int i = 0; i < 9; ++i) {
    add(Status::failed, Mode::execute, kTp, kNow);
  }
  const Admission a = book_.admit(kTp, Mode::execute, kNow);
  EXPECT_EQ(a.retry_at, kNow + 32 * kHour);
  EXPECT_EQ(book_.admit(kTp, Mode::execute, kNow + 32 * kHour).attempt, 10);
}

TEST_F(RenewBookTest, ClearingAFailureLiftsItsBackoff) {
  RenewalRecord& r = add(Status::failed, Mode::execute, kTp, kNow);
  r.cleared = kNow + 1;
  EXPECT_EQ(book_.admit(kTp, Mode::execute, kNow + 2).kind, Kind::start);
}

TEST_F(RenewBookTest, SkipKeysRememberRecordedSkips) {
  RenewalRecord& r = add(Status::skipped);
  EXPECT_TRUE(book_.has_skip(RenewalBook::skip_key(r)));
  RenewalRecord other = r;
  other.reason = "something else";
  EXPECT_FALSE(book_.has_skip(RenewalBook::skip_key(other)));
}

TEST_F(RenewBookTest, IdsAreUniqueAndSequential) {
  add(Status::skipped);
  add(Status::skipped);
  EXPECT_EQ(book_.records().back().id, "r2");
  EXPECT_EQ(book_.next_seq(), 3);
  RenewalRecord dup;
  dup.id = "r1";
  EXPECT_THROW(book_.add(dup), std::invalid_argument);
}

TEST_F(RenewBookTest, KnowsTheLastSuccessPerTemplate) {
  add(Status::succeeded, Mode::execute, kTp, kNow - 100);
  add(Status::succeeded, Mode::execute, kOther, kNow);
  EXPECT_EQ(book_.last_success_by_template().at("CEPEncryption"), kNow);
}

}  // namespace
}  // namespace ndes::renew
