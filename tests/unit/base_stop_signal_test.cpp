// base/stop_signal.h: SIGINT and SIGTERM, blocked everywhere, taken by one sigwait.
#include <gtest/gtest.h>
#include <pthread.h>

#include <csignal>
#include <future>

#include "base/stop_signal.h"

namespace ndes {
namespace {

// Runs in a thread of its own, so the mask of the test runner's main thread stays.
int raise_and_wait(int sig) {
  return std::async(std::launch::async,
                    [sig] {
                      block_stop_signals();
                      pthread_kill(pthread_self(), sig);  // pending: blocked, so not delivered
                      return wait_for_stop_signal();
                    })
      .get();
}

TEST(BaseStopSignal, WaitsForTermAndInt) {
  EXPECT_EQ(raise_and_wait(SIGTERM), SIGTERM);
  EXPECT_EQ(raise_and_wait(SIGINT), SIGINT);
}

TEST(BaseStopSignal, Names) {
  EXPECT_EQ(stop_signal_name(SIGINT), "SIGINT");
  EXPECT_EQ(stop_signal_name(SIGTERM), "SIGTERM");
}

}  // namespace
}  // namespace ndes
