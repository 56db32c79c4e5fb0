// A real process started by argv (no shell) that the test owns: killed and reaped
// when the object goes away, with its output kept in a file for failure messages.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace ndes::test {

class BackgroundProcess {
 public:
  // Starts argv[0] (looked up in PATH) with stdout and stderr sent to `log_file`.
  BackgroundProcess(std::vector<std::string> argv, std::filesystem::path log_file,
                    std::vector<std::string> extra_env = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `signal` and waits up to `timeout` for the exit; returns the wait status
  // or -1 if it did not exit.
  int stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::string log() const;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::filesystem::path log_file_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

// Polls until something accepts TCP connections on 127.0.0.1:port.
bool wait_for_port(int port, std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The directory with the project's binaries (<build>/bin); NDES_BIN_DIR overrides.
std::filesystem::path bin_dir();

}  // namespace ndes::test
