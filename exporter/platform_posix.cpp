// The Linux build: SIGINT/SIGTERM through sigwait, glibc's allocator tuned, /probe.
#include <cstdlib>  // defines __GLIBC__ where glibc is the C library
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "base/stop_signal.h"
#include "exporter/platform.h"
#include "exporter/prober_table.h"
#include "probe/probe_endpoint.h"

namespace ndes::platform {

int run_program(const std::function<int()>& body) {
#ifdef __GLIBC__
  // A scrape's families and text are big and short-lived, and civetweb answers on
  // many threads: with glibc's defaults every thread's arena kept its own freed
  // scrape, and RSS grew with each scrape (10,000 certificates: 61 MiB after the
  // first scrape, 197 MiB after a few hundred; 81 MiB with one arena). Scrapes are
  // rendered one at a time anyway (Scraper::scrape_shared). Lower mmap/trim
  // thresholds cut RSS a little more but cost a third more CPU per scrape in page
  // faults and consolidation (perf), so glibc's own thresholds stay.
  mallopt(M_ARENA_MAX, 1);
#endif
  return body();
}

void add_log_sinks() {}

// Block the stop signals before any thread starts, so every thread inherits the
// mask and the wait below is the one place they arrive.
void prepare_stop_handling() { block_stop_signals(); }

int wait_for_stop() { return wait_for_stop_signal(); }

void report_running() {}

void add_routes(HttpServer& server, const ExporterConfig& config, std::vector<PageLink>& links) {
  // blackbox_exporter style: one probe per request, its answer built from that
  // probe's result alone.
  server.route("/probe", [&config](const Request& request) {
    const probe::ProbeAnswer answer = probe::handle_probe(
        prober_table(), config.probes, config.template_names, request.query_param("module"),
        request.query_param("target"), request.header("X-Prometheus-Scrape-Timeout-Seconds"));
    Response r;
    r.status = answer.status;
    r.content_type = answer.content_type;
    r.body = answer.body;
    return r;
  });
  links.push_back({"/probe", "/probe",
                   "blackbox-style probes: /probe?module=scep|tls|crl|<module>&target=<target>"});
}

}  // namespace ndes::platform
