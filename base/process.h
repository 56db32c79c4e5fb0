// Running one program by argv, never through a shell: a given environment (the caller
// passes a clean one), a working directory, a timeout, stdout and stderr collected up
// to a cap, and cancellation. Used by the renew hook (certreq, certutil, commands), the
// iis collector (appcmd) and the tests' runner. POSIX: posix_spawn in its own process
// group, so a timeout kills its children too. Windows: CreateProcessW with
// windows_command_line(argv), in a job object that kills the whole tree.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace ndes {

struct ProcessSpec {
  std::vector<std::string> argv;         // argv[0]: an absolute path (no PATH search)
  std::vector<std::string> env;          // "NAME=value", the whole environment
  std::string cwd;                       // "" = inherit
  std::chrono::milliseconds timeout{0};  // 0 = none
  std::size_t output_limit =
      std::size_t{64} * 1024;                 // bytes kept per stream; the rest is read and dropped
  const std::atomic<bool>* cancel = nullptr;  // set: kill the process and return

  // For the tests' runner (tests/support/run.h), POSIX only: run_process refuses them on
  // Windows. The renew hook and the collectors leave them as they are.
  std::string input;                 // fed to stdin, then closed ("" = /dev/null)
  bool search_path = false;          // argv[0] looked up in this process's PATH
  bool inherit_environment = false;  // this process's environment instead of env
  bool own_process_group = true;     // false: stays in ours (a timeout kills it alone)
  bool stop_at_exit = false;         // return when it exits, even if a child holds its pipes
};

struct ProcessResult {
  bool started = false;
  int exit_code = -1;  // 128 + N when killed by signal N (POSIX)
  bool timed_out = false;
  bool cancelled = false;
  std::string out;
  std::string err;
  std::size_t out_dropped = 0;
  std::size_t err_dropped = 0;
  std::string error;  // why it did not start
};

ProcessResult run_process(const ProcessSpec& spec);

// The environment a command gets: PATH with the system directories only, LANG=C
// (POSIX) or SystemRoot and friends (Windows), and TMPDIR/TEMP pointing at `work_dir`.
// Nothing of the hook's own environment (no tokens, no proxies) is passed on.
std::vector<std::string> clean_environment(const std::string& work_dir);

// Resolves a program name against the clean PATH; "" if not found. Names with a
// directory part are returned as they are.
std::string find_program(const std::string& name);

}  // namespace ndes
