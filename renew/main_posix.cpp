// ndes_renew_hook elsewhere than Windows: SIGINT/SIGTERM stop it, and the windows
// executor is a stand-in (dry-run plans work anywhere).
#include <pthread.h>

#include <csignal>

#include "renew/main_platform.h"

namespace ndes::renew::platform {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

// Blocked before any thread starts, so every thread inherits the mask and sigwait
// below is the one place they arrive.
void prepare_stop() {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::string wait_for_stop() {
  const sigset_t set = stop_signals();
  int sig = 0;
  sigwait(&set, &sig);
  return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

void report_running() {}
void add_service_log_sink() {}

std::string system32_dir() { return "C:\\Windows\\System32"; }

bool windows_command_lines() { return false; }

std::unique_ptr<Executor> make_windows_executor() {
  return make_unavailable_executor(
      "windows", "the windows executor is built on Windows only (dry-run works anywhere)");
}

}  // namespace ndes::renew::platform

int main(int argc, char** argv) { return hook_main(argc, argv); }
