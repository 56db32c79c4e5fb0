// A renewal interrupted by kill -9 (the hook dies while a step runs): after the restart
// it is `interrupted`, the same alert starts nothing, and only an admin's clear lets
// the thumbprint be renewed again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "renew_support.h"
#include "support/run.h"

namespace ndes::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::vector<std::string> command_args(const std::vector<std::string>& argv) {
  std::vector<std::string> args = {"--instance=ndes01", "--mode=execute", "--executor=command",
                                   "--command.timeout=60s"};
  for (const auto& a : argv) {
    args.push_back("--command.argv=" + a);
  }
  return args;
}

TEST(RenewCrashTest, AnInterruptedRenewalStaysBlockedUntilCleared) {
  TempDir tmp;
  const auto state = tmp / "state";
  // The step records its pid (so the test can end it) and then takes its time.
  auto hook = std::make_unique<HookProcess>(
      state, command_args({"/bin/sh", "-c", "echo $$ > step.pid; exec sleep 60"}));
  ASSERT_EQ(hook->post_alerts(webhook_body({ra_labels()})).status, 202);
  ASSERT_TRUE(hook->wait_for([](const json& r) {
    return r.size() == 1 && r[0]["status"] == "running" && r[0]["steps"][0]["status"] == "running";
  })) << hook->renewals().dump(2);
  const auto pid_file = state / "renewals" / "r1" / "step.pid";
  for (int i = 0; i < 100 && !std::filesystem::exists(pid_file); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  hook->kill9();
  const std::string pid_text = read_file(pid_file);
  ::kill(std::stoi(pid_text), SIGKILL);  // the orphaned step

  hook = std::make_unique<HookProcess>(state, command_args({"/bin/true"}));
  json r = hook->renewals();
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["status"], "interrupted");
  EXPECT_THAT(r[0]["reason"].get<std::string>(), HasSubstr("during step command"));
  EXPECT_EQ(r[0]["steps"][0]["status"], "interrupted");
  EXPECT_EQ(r[0]["cleared"], "");

  // Never silently re-run: the same alert again (a retry, the HA peer) starts nothing.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(hook->post_alerts(webhook_body({ra_labels()})).status, 202);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(hook->renewals().size(), 1U);

  // The admin clears it (authenticated).
  const std::string clear = hook->url("/renewals/r1/clear");
  EXPECT_EQ(http_request("POST", clear).status, 401);
  const HttpResponse cleared =
      http_request("POST", clear, "", {{"Authorization", std::string("Bearer ") + kRenewToken}});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_NE(json::parse(cleared.body)["cleared"], "");
  EXPECT_EQ(
      http_request("POST", clear, "", {{"Authorization", std::string("Bearer ") + kRenewToken}})
          .status,
      409);

  // Now the alert renews the certificate: a new renewal, attempt 2.
  ASSERT_EQ(hook->post_alerts(webhook_body({ra_labels()})).status, 202);
  ASSERT_TRUE(hook->wait_for([](const json& rs) {
    return rs.size() == 2 && rs[1]["status"] == "succeeded";
  })) << hook->renewals().dump(2);
  r = hook->renewals();
  EXPECT_EQ(r[1]["attempt"], 2);
  EXPECT_EQ(r[0]["status"], "interrupted");

  // And the cleared, interrupted record stays in the journal's history after another
  // restart.
  EXPECT_EQ(hook->stop() & 0x7f, 0);
  hook = std::make_unique<HookProcess>(state, command_args({"/bin/true"}));
  EXPECT_EQ(hook->renewals(), r);
}

TEST(RenewCrashTest, AFailedCommandIsRecordedWithItsOutputAndBacksOff) {
  TempDir tmp;
  auto hook = std::make_unique<HookProcess>(
      tmp / "state",
      command_args({"/bin/sh", "-c", "echo renewing {thumbprint}; echo no CA >&2; exit 4"}));
  ASSERT_EQ(hook->post_alerts(webhook_body({ra_labels()})).status, 202);
  ASSERT_TRUE(hook->wait_for([](const json& r) {
    return r.size() == 1 && r[0]["status"] == "failed";
  })) << hook->renewals().dump(2);
  const json r = hook->renewals();
  EXPECT_THAT(r[0]["reason"].get<std::string>(), HasSubstr("exited with status 4"));
  EXPECT_EQ(r[0]["steps"][0]["exit_code"], 4);
  EXPECT_EQ(r[0]["steps"][0]["stdout"], "renewing " + renew_thumbprint() + "\n");
  EXPECT_EQ(r[0]["steps"][0]["stderr"], "no CA\n");
  // Backing off: the alert again within the hour starts nothing.
  ASSERT_EQ(hook->post_alerts(webhook_body({ra_labels()})).status, 202);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(hook->renewals().size(), 1U);
  const auto metrics = http_get(hook->url("/metrics")).body;
  EXPECT_THAT(metrics,
              HasSubstr("ndes_renewals_total{result=\"failed\",template=\"CEPEncryption\"} 1"));
}

}  // namespace
}  // namespace ndes::test
