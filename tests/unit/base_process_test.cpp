// Running a command by argv: no shell, only the clean environment, a timeout that
// kills the whole process group, capped output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>

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

// The options of the tests' runner (tests/support/run.h).
TEST(BaseProcessTest, FeedsInputToStdin) {
  ProcessSpec s = spec({find_program("cat")});
  s.input = std::string(200'000, 'x') + "end\n";  // more than a pipe holds
  s.output_limit = 1'000'000;
  const ProcessResult r = run_process(s);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 200'004U);
  EXPECT_EQ(r.out.substr(r.out.size() - 4), "end\n");
}

TEST(BaseProcessTest, InputToAProgramThatDoesNotRead) {
  ProcessSpec s = spec({"/bin/sh", "-c", "exec 0<&-; echo done"});
  s.input = std::string(1'000'000, 'x');
  const ProcessResult r = run_process(s);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "done\n");
}

TEST(BaseProcessTest, SearchesOurPathAndPassesOurEnvironment) {
  setenv("NDES_BASE_PROCESS_TEST", "inherited", 1);
  ProcessSpec s;
  s.argv = {"env"};
  s.search_path = true;
  s.inherit_environment = true;
  const ProcessResult r = run_process(s);
  unsetenv("NDES_BASE_PROCESS_TEST");
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_THAT(r.out, HasSubstr("NDES_BASE_PROCESS_TEST=inherited"));
  s.search_path = false;
  EXPECT_FALSE(run_process(s).started);  // "env" is no path
}

TEST(BaseProcessTest, CanStopWhenTheProgramExits) {
  // The background sleep keeps stdout open long after the shell is gone.
  ProcessSpec s = spec({"/bin/sh", "-c", "sleep 30 & echo $!; exit 4"});
  s.stop_at_exit = true;
  s.own_process_group = false;
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = run_process(s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_FALSE(r.timed_out);
  ASSERT_FALSE(r.out.empty());
  ::kill(static_cast<pid_t>(std::stol(r.out)), SIGKILL);
}

TEST(BaseProcessTest, StaysInOurProcessGroupWhenAsked) {
  ProcessSpec s = spec({"/bin/sh", "-c", "echo $(($(ps -o pgid= -p $$)))"});
  s.own_process_group = false;
  EXPECT_EQ(run_process(s).out, std::to_string(getpgrp()) + "\n");
  s.own_process_group = true;
  EXPECT_NE(run_process(s).out, std::to_string(getpgrp()) + "\n");
}

}  // namespace
}  // namespace ndes
