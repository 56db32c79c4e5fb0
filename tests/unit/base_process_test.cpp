// Running a command by argv: no shell, only the clean environment, a timeout that
// kills the whole process group, capped output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "base/process.h"
#include "support/run.h"

namespace ndes {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ProcessSpec spec(std::vector<std::string> argv) {
  ProcessSpec s;
  s.argv = std::move(argv);
  s.env = clean_environment("/tmp");
  s.timeout = std::chrono::seconds(20);
  return s;
}

TEST(BaseProcessTest, RunsByArgvWithoutAShell) {
  const ProcessResult r = run_process(spec({find_program("echo"), "a b", "$(id)", ";", "*"}));
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "a b $(id) ; *\n");
}

TEST(BaseProcessTest, PassesOnlyTheCleanEnvironment) {
  setenv("NDES_RENEW_TEST_SECRET", "leak", 1);
  const ProcessResult r = run_process(spec({find_program("env")}));
  unsetenv("NDES_RENEW_TEST_SECRET");
  EXPECT_THAT(r.out, HasSubstr("PATH=/usr/local/sbin:"));
  EXPECT_THAT(r.out, HasSubstr("TMPDIR=/tmp"));
  EXPECT_THAT(r.out, Not(HasSubstr("NDES_RENEW_TEST_SECRET")));
}

TEST(BaseProcessTest, ReportsTheExitCodeAndStderr) {
  const ProcessResult r = run_process(spec({"/bin/sh", "-c", "echo oops >&2; exit 3"}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "oops\n");
}

TEST(BaseProcessTest, KillsTheProcessGroupOnTimeout) {
  ProcessSpec s = spec({"/bin/sh", "-c", "sleep 30 & sleep 30; echo never"});
  s.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = run_process(s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + 9);
  EXPECT_EQ(r.out, "");
}

TEST(BaseProcessTest, StopsOnCancel) {
  std::atomic<bool> cancel{true};
  ProcessSpec s = spec({find_program("sleep"), "30"});
  s.cancel = &cancel;
  const ProcessResult r = run_process(s);
  EXPECT_TRUE(r.cancelled);
}

TEST(BaseProcessTest, CapsTheOutput) {
  ProcessSpec s = spec({"/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"});
  s.output_limit = 1000;
  const ProcessResult r = run_process(s);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 1000U);
  EXPECT_EQ(r.out_dropped, 99000U);
}

TEST(BaseProcessTest, RunsInTheWorkDirectory) {
  test::TempDir dir;
  ProcessSpec s = spec({find_program("pwd")});
  s.cwd = dir.path().string();
  EXPECT_EQ(run_process(s).out, dir.path().string() + "\n");
}

TEST(BaseProcessTest, SaysWhyAProgramDidNotStart) {
  const ProcessResult r = run_process(spec({"/no/such/program"}));
  EXPECT_FALSE(r.started);
  EXPECT_THAT(r.error, HasSubstr("cannot start /no/such/program"));
  EXPECT_FALSE(run_process(spec({})).started);
}

TEST(BaseProcessTest, FindsProgramsInTheCleanPathOnly) {
  EXPECT_EQ(find_program("/x/y"), "/x/y");
  EXPECT_THAT(find_program("sh"), ::testing::EndsWith("/sh"));
  EXPECT_EQ(find_program("no-such-program-xyz"), "");
}

}  // namespace
}  // namespace ndes
