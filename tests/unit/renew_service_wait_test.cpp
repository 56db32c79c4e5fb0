// The service waits of restart_services (renew/service_wait.h): Microsoft's "Starting
// a Service" / "Stopping a Service" rules on successive SERVICE_STATUS values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "renew/service_wait.h"

namespace ndes::renew {
namespace {

using ::testing::HasSubstr;
using Kind = WaitDecision::Kind;

constexpr auto kStopped = static_cast<std::uint32_t>(ServiceState::stopped);
constexpr auto kStartPending = static_cast<std::uint32_t>(ServiceState::start_pending);
constexpr auto kStopPending = static_cast<std::uint32_t>(ServiceState::stop_pending);
constexpr auto kRunning = static_cast<std::uint32_t>(ServiceState::running);

ServiceStatusView status(std::uint32_t state, std::uint32_t checkpoint, std::uint32_t hint) {
  ServiceStatusView s;
  s.state = state;
  s.checkpoint = checkpoint;
  s.wait_hint_ms = hint;
  return s;
}

TEST(ServiceWait, IntervalIsATenthOfTheHintBetweenOneAndTenSeconds) {
  EXPECT_EQ(wait_interval_ms(0), 1000u);
  EXPECT_EQ(wait_interval_ms(5000), 1000u);
  EXPECT_EQ(wait_interval_ms(30000), 3000u);
  EXPECT_EQ(wait_interval_ms(600000), 10000u);
}

TEST(ServiceWait, TheWantedStateEndsTheWait) {
  WaitProgress p{0, 0};
  EXPECT_EQ(next_wait(status(kRunning, 0, 0), ServiceState::running, p, 0, 1000).kind,
            Kind::reached);
  EXPECT_EQ(next_wait(status(kStopped, 0, 0), ServiceState::stopped, p, 0, 1000).kind,
            Kind::reached);
}

TEST(ServiceWait, PendingWaitsTheHintsIntervalAndAMovingCheckpointIsProgress) {
  WaitProgress p{1, 0};
  // 30 s hint: polls every 3 s; the checkpoint moves at 25 s, so 40 s is fine.
  auto d = next_wait(status(kStartPending, 1, 30000), ServiceState::running, p, 3000, 120000);
  EXPECT_EQ(d.kind, Kind::wait);
  EXPECT_EQ(d.wait_ms, 3000u);
  d = next_wait(status(kStartPending, 2, 30000), ServiceState::running, p, 25000, 120000);
  EXPECT_EQ(d.kind, Kind::wait);
  EXPECT_EQ(p.checkpoint, 2u);
  EXPECT_EQ(p.since_ms, 25000);
  d = next_wait(status(kStartPending, 2, 30000), ServiceState::running, p, 40000, 120000);
  EXPECT_EQ(d.kind, Kind::wait);
  // No progress for longer than the hint: a hung service, not a wait to the deadline.
  d = next_wait(status(kStartPending, 2, 30000), ServiceState::running, p, 55001, 120000);
  EXPECT_EQ(d.kind, Kind::no_progress);
  EXPECT_THAT(d.why, HasSubstr("checkpoint 2 unchanged"));
  EXPECT_THAT(d.why, HasSubstr("wait hint 30000 ms"));
}

TEST(ServiceWait, AZeroHintIsNotGivenUpOnAfterOnePoll) {
  WaitProgress p{0, 0};
  EXPECT_EQ(next_wait(status(kStopPending, 0, 0), ServiceState::stopped, p, 2000, 60000).kind,
            Kind::wait);
  EXPECT_EQ(
      next_wait(status(kStopPending, 0, 0), ServiceState::stopped, p, kMinProgressWindowMs, 60000)
          .kind,
      Kind::wait);
  EXPECT_EQ(next_wait(status(kStopPending, 0, 0), ServiceState::stopped, p,
                      kMinProgressWindowMs + 1, 60000)
                .kind,
            Kind::no_progress);
}

TEST(ServiceWait, StoppedWhileStartingFailsWithItsExitCodes) {
  WaitProgress p{0, 0};
  ServiceStatusView s = status(kStopped, 0, 0);
  s.win32_exit_code = 1066;  // ERROR_SERVICE_SPECIFIC_ERROR
  s.service_exit_code = 42;
  const auto d = next_wait(s, ServiceState::running, p, 1000, 60000);
  EXPECT_EQ(d.kind, Kind::failed);
  EXPECT_THAT(d.why, HasSubstr("went stopped instead of running"));
  EXPECT_THAT(d.why, HasSubstr("exit code 1066, service exit code 42"));
}

TEST(ServiceWait, StillRunningRightAfterTheStopIsOnTheWay) {
  WaitProgress p{0, 0};
  EXPECT_EQ(next_wait(status(kRunning, 0, 0), ServiceState::stopped, p, 500, 60000).kind,
            Kind::wait);
}

TEST(ServiceWait, TheDeadlineEndsEvenAProgressingWaitAndNoSleepPassesIt) {
  WaitProgress p{0, 0};
  auto d = next_wait(status(kStartPending, 5, 600000), ServiceState::running, p, 59500, 60000);
  EXPECT_EQ(d.kind, Kind::wait);
  EXPECT_EQ(d.wait_ms, 500u);  // not the hint's 10 s
  d = next_wait(status(kStartPending, 6, 600000), ServiceState::running, p, 60000, 60000);
  EXPECT_EQ(d.kind, Kind::timed_out);
  EXPECT_THAT(d.why, HasSubstr("still start pending"));
}

}  // namespace
}  // namespace ndes::renew
