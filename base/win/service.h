// Windows service mode for ndes_exporter.exe and ndes_renew_hook.exe. main() hands
// its body to run_service_or_console() first thing: started by the service control
// manager, the body runs inside ServiceMain (the SCM hears START_PENDING at once and
// RUNNING when the body calls report_running(), after its port is open); started
// from a console, the body simply runs. Either way the body waits in wait_for_stop(),
// which returns on the SCM's Stop or Shutdown, or on Ctrl+C, Ctrl+Break, console
// close, logoff and shutdown. In service mode log lines also go to the Windows
// Event Log (spdlog's win_eventlog_sink), under the service's name as source.
// Windows only (base/CMakeLists.txt builds service.cpp under WIN32).
#pragma once

#include <functional>
#include <string>

namespace ndes::winsvc {

// Runs body() as the service `name` when the SCM started this process, else on the
// console; returns body's exit code (a service's non-zero code is reported to the
// SCM as a service-specific error).
int run_service_or_console(const std::string& name, const std::function<int()>& body);

// True inside ServiceMain.
bool in_service();

// Tells the SCM the service is running (no-op on the console).
void report_running();

// Sets up the stop event and the console handler; call before starting threads.
void prepare_stop();

// Blocks until a stop arrives; returns what it was ("service stop", "system
// shutdown", "Ctrl+C", "console control event").
std::string wait_for_stop();

// In service mode: adds a Windows Event Log sink to spdlog's default logger with
// `source` as event source (lines in logfmt). No-op on the console.
void add_event_log_sink(const std::string& source);

}  // namespace ndes::winsvc
