// What differs between the exporter's builds, one file per platform (CMake picks
// exporter/platform_posix.cpp or exporter/platform_windows.cpp): how the process
// starts and is asked to stop, where logs also go, and the routes only one build has.
#pragma once

#include <functional>
#include <vector>

#include "exporter/config.h"
#include "exporter/landing_page.h"
#include "web/http_server.h"

namespace ndes::platform {

// Runs `body` as the program: first tunes the process (glibc's arenas); on Windows
// through the service control manager when it started us.
int run_program(const std::function<int()>& body);
// Right after logging is set up: the Windows build also logs to the Event Log.
void add_log_sinks();
// Before any thread starts, so that stop requests reach wait_for_stop().
void prepare_stop_handling();
// Blocks until a stop is requested; SIGINT or SIGTERM (for the log line).
int wait_for_stop();
// Once the server listens: the Windows service reports RUNNING.
void report_running();
// The routes only this build has (/probe where the probes are), with their links for
// the landing page. `config` outlives the server.
void add_routes(HttpServer& server, const ExporterConfig& config, std::vector<PageLink>& links);

}  // namespace ndes::platform
