// What ndes_renew_hook's main does differently on Windows and elsewhere, behind one
// small interface: main_windows.cpp or main_posix.cpp, chosen in
// renew/CMakeLists.txt. Each also holds main(), which hands over to hook_main().
#pragma once

#include <memory>
#include <string>

#include "renew/cert_source.h"
#include "renew/executor.h"

// The hook's whole run: flags, config, service, until asked to stop (main.cpp).
int hook_main(int argc, char** argv);

namespace ndes::renew::platform {

// Readies the stop signals (SIGINT/SIGTERM; the SCM's Stop and console events on
// Windows); called before any thread starts.
void prepare_stop();
// Blocks until a stop arrives; returns what it was ("SIGTERM", "service stop"...).
std::string wait_for_stop();
// Tells the SCM the service is running (nothing elsewhere).
void report_running();
// Adds the Windows Event Log sink in service mode (nothing elsewhere).
void add_service_log_sink();

// Where certreq and iisreset live (the plan's argv): GetSystemDirectory on
// Windows, C:\Windows\System32 in dry-run plans elsewhere.
std::string system32_dir();
// Whether the plan quotes its argv as Windows command lines.
bool windows_command_lines();
// The `windows` executor, or where it is not built a stand-in that says so.
std::unique_ptr<Executor> make_windows_executor(const WindowsExecutorOptions& options);
// LocalMachine\My as the hook's verification source on Windows; null elsewhere.
std::unique_ptr<CertificateSource> make_machine_store_source();

}  // namespace ndes::renew::platform
