// ndes_renew_hook on Windows: service mode (base/win/service.h), the system
// directory from Windows, and the windows executor.
// clang-format off
#include <windows.h>
// clang-format on

#include <filesystem>

#include "base/win/service.h"
#include "renew/main_platform.h"

namespace ndes::renew::platform {

void prepare_stop() { winsvc::prepare_stop(); }
std::string wait_for_stop() { return winsvc::wait_for_stop(); }
void report_running() { winsvc::report_running(); }
void add_service_log_sink() { winsvc::add_event_log_sink("ndes_renew_hook"); }

std::string system32_dir() {
  wchar_t buf[MAX_PATH] = {};
  const UINT n = GetSystemDirectoryW(buf, MAX_PATH);
  if (n == 0 || n >= MAX_PATH) {
    return "C:\\Windows\\System32";
  }
  return std::filesystem::path(std::wstring(buf, n)).string();
}

bool windows_command_lines() { return true; }

std::unique_ptr<Executor> make_windows_executor(const WindowsExecutorOptions& options) {
  return renew::make_windows_executor(options);
}

std::unique_ptr<CertificateSource> make_machine_store_source() {
  return renew::make_machine_store_source();
}

}  // namespace ndes::renew::platform

int main(int argc, char** argv) {
  // Registers with the SCM first when it started us (ndes_renew_hook.exe as a service).
  return ndes::winsvc::run_service_or_console("ndes_renew_hook",
                                              [&] { return hook_main(argc, argv); });
}
