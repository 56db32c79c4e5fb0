// The Windows build: a service of the SCM (or a console program), logging also to the
// Event Log; the SCM's Stop and Shutdown, Ctrl+C, Ctrl+Break, closing the console,
// logoff and shutdown all end the wait (base/win/service.h). No /probe yet (no libcurl).
#include <csignal>

#include "exporter/platform.h"
#include "base/log.h"
#include "base/win/service.h"

namespace ndes::platform {

int run_program(const std::function<int()>& body) {
  // Registers with the SCM first when it started us (ndes_exporter.exe as a service).
  return winsvc::run_service_or_console("ndes_exporter", body);
}

void add_log_sinks() { winsvc::add_event_log_sink("ndes_exporter"); }

void prepare_stop_handling() { winsvc::prepare_stop(); }

int wait_for_stop() {
  const std::string why = winsvc::wait_for_stop();
  log_info("stop requested", {{"by", why}});
  return why == "Ctrl+C" ? SIGINT : SIGTERM;
}

void report_running() { winsvc::report_running(); }

void add_routes(HttpServer&, const ExporterConfig&, std::vector<PageLink>&) {}

}  // namespace ndes::platform
