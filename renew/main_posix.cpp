// ndes_renew_hook elsewhere than Windows: SIGINT/SIGTERM stop it, and the windows
// executor is a stand-in (dry-run plans work anywhere).
#include "base/stop_signal.h"
#include "renew/main_platform.h"

namespace ndes::renew::platform {

// Blocked before any thread starts, so every thread inherits the mask and the wait
// below is the one place they arrive.
void prepare_stop() { block_stop_signals(); }

std::string wait_for_stop() { return std::string(stop_signal_name(wait_for_stop_signal())); }
void report_running() {}
void add_service_log_sink() {}

std::string system32_dir() { return "C:\\Windows\\System32"; }

bool windows_command_lines() { return false; }

std::unique_ptr<CertificateSource> make_machine_store_source() { return nullptr; }

std::unique_ptr<Executor> make_windows_executor(const WindowsExecutorOptions& /*options*/) {
  return make_unavailable_executor(
      "windows", "the windows executor is built on Windows only (dry-run works anywhere)");
}

}  // namespace ndes::renew::platform

int main(int argc, char** argv) { return hook_main(argc, argv); }
