// Test helpers: run a program by argv (no shell) and own a temporary directory.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ndes::test {

using namespace std::chrono_literals;

struct RunResult {
  // The exit status; 128 + N when killed by signal N; 127 when the program could
  // not be started (err then says why); -1 on timeout.
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;
};

// Runs argv[0] (looked up in PATH) with argv, feeding `stdin_data` to its stdin and
// collecting stdout and stderr. No shell is involved. After `timeout` the process is
// killed (SIGKILL) and timed_out is set. Safe to call from several threads.
RunResult run_command(const std::vector<std::string>& argv, std::chrono::seconds timeout = 60s,
                      const std::string& stdin_data = "");

// run_command for setup steps that must work: returns stdout, or throws
// std::runtime_error naming the command and its stderr. Inline, so the Windows test
// support (run_win.cpp) has it too.
inline std::string must_run(const std::vector<std::string>& argv) {
  const RunResult r = run_command(argv);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) {
      cmd += a + " ";
    }
    throw std::runtime_error("command failed: " + cmd + "\n" + r.err);
  }
  return r.out;
}

// A fresh directory under $TMPDIR (else /tmp), removed with everything in it when
// the object goes away. Movable, not copyable.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "ndes-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, for brevity.
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Whole-file helpers; they throw std::runtime_error on failure.
void write_file(const std::filesystem::path& path, std::string_view data);
std::string read_file(const std::filesystem::path& path);
std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path);

}  // namespace ndes::test
