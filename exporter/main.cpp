// ndes_exporter: flags and config -> logging -> collectors -> HTTP server, until
// SIGINT or SIGTERM.
#include <spdlog/spdlog.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <span>
#include <string>

#include "exporter/config.h"
#include "exporter/demo_store.h"
#include "exporter/exporter_collectable.h"
#include "exporter/landing_page.h"
#include "exporter/version.h"
#include "ndes/metrics/families.h"
#include "web/gzip.h"
#include "web/http_server.h"
#include "base/log.h"
#ifdef _WIN32
#include "base/win/service.h"
#else
#include "base/stop_signal.h"
#endif
#ifdef NDES_HAVE_PROBES
#include "probe/probe_endpoint.h"
#endif

namespace {

// The URL a person on this machine would open for the given listen address.
std::string local_url(const std::string& listen_address, int port, bool tls) {
  std::string error;
  const auto address = ndes::parse_listen_address(listen_address, &error);
  std::string host = "localhost";
  if (address && !address->host.empty() && address->host != "0.0.0.0" && address->host != "::") {
    host = address->ipv6 ? "[" + address->host + "]" : address->host;
  }
  return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(port) + "/";
}

struct RemoveOnExit {
  std::string path;
  RemoveOnExit() = default;
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;
  ~RemoveOnExit() {
    if (!path.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  }
};

#ifdef _WIN32
// Windows has no SIGTERM to wait for: the SCM's Stop and Shutdown, Ctrl+C,
// Ctrl+Break, closing the console, logoff and shutdown all end the wait
// (base/win/service.h).
void prepare_stop_handling() { ndes::winsvc::prepare_stop(); }

int wait_for_signal() {
  const std::string why = ndes::winsvc::wait_for_stop();
  ndes::log_info("stop requested", {{"by", why}});
  return why == "Ctrl+C" ? SIGINT : SIGTERM;
}
#else
// Block the stop signals before any thread starts, so every thread inherits the
// mask and sigwait below is the one place they arrive.
void prepare_stop_handling() { ndes::block_stop_signals(); }

int wait_for_signal() { return ndes::wait_for_stop_signal(); }
#endif

int run(ndes::ExporterConfig config) {
  ndes::setup_logging(config.log_level, config.log_format);
#ifdef _WIN32
  ndes::winsvc::add_event_log_sink("ndes_exporter");
#endif
  const ndes::BuildInfo build = ndes::exporter_build_info();
  ndes::log_info(
      "starting ndes_exporter",
      {{"version", build.version}, {"revision", build.revision}, {"platform", build.platform}});

  std::string demo_dir;
  RemoveOnExit temp_demo_dir;  // a temp dir we made is removed again at exit
  if (config.demo) {
    try {
      if (config.demo_dir.empty()) {
        demo_dir = ndes::make_temp_demo_dir();
        temp_demo_dir.path = demo_dir;
      } else {
        demo_dir = config.demo_dir;
      }
      const auto store = ndes::generate_demo_store(demo_dir, ndes::unix_now());
      demo_dir = store.dir;
      config.files.roots.push_back(ndes::FilesRoot{store.dir, std::nullopt});
      config.template_names.try_emplace(ndes::kDemoSslTemplateOid, ndes::kDemoSslTemplateName);
      ndes::log_info("demo store generated",
                     {{"dir", store.dir}, {"files", std::to_string(store.files.size())}});
    } catch (const std::exception& e) {
      ndes::log_error("cannot generate the demo store", {{"err", e.what()}});
      std::fprintf(stderr, "ndes_exporter: error: %s\n", e.what());
      return 1;
    }
  }

  std::unique_ptr<ndes::ExporterCollectable> exporter;
  try {
    exporter = ndes::ExporterCollectable::from_config(config, build);
  } catch (const std::exception& e) {
    ndes::log_error("cannot create collectors", {{"err", e.what()}});
    std::fprintf(stderr, "ndes_exporter: error: %s\n", e.what());
    return 1;
  }
  std::string enabled;
  for (const auto& name : exporter->collector_names()) {
    enabled += (enabled.empty() ? "" : ",") + name;
  }
  ndes::log_info("collectors enabled", {{"collectors", enabled}});

  prepare_stop_handling();

  ndes::HttpServer::Options web_options;
  web_options.listen_address = config.listen_address;
  web_options.web_config_file = config.web_config_file;
  web_options.limits.max_requests = config.web_max_requests;
  web_options.limits.max_connections = config.web_max_connections;
  ndes::HttpServer server(web_options);
  const std::string telemetry_path = config.telemetry_path;
#ifdef NDES_HAVE_GZIP
  ndes::GzipAnswers gzip_answers;
#endif
  server.route(telemetry_path, [&](const ndes::Request& request) {
    ndes::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.headers.emplace_back("Vary", "Accept-Encoding");
    const auto text = exporter->scrape_shared();
    std::string web_metrics = ndes::serialize(server.metric_families());
#ifdef NDES_HAVE_GZIP
    if (ndes::accepts_gzip(request.header("Accept-Encoding"))) {
      const std::span<const std::shared_ptr<const std::string>> parts(text->parts);
      std::string rest;
      for (const auto& part : parts.subspan(text->stable_parts)) {
        rest += *part;
      }
      rest += web_metrics;
      r.shared_parts = gzip_answers.compress(parts.first(text->stable_parts), std::move(rest));
      r.headers.emplace_back("Content-Encoding", "gzip");
      return r;
    }
#else
    (void)request;
#endif
    r.shared_parts = text->parts;
    r.body = std::move(web_metrics);
    return r;
  });
  server.route("/healthz", [](const ndes::Request&) { return ndes::Response::text(200, "ok\n"); });
#ifdef NDES_HAVE_PROBES  // the probes need libcurl: not in the Windows build yet
  // blackbox_exporter style: one probe per request, its answer built from that
  // probe's result alone.
  server.route("/probe", [&config](const ndes::Request& request) {
    const ndes::probe::ProbeAnswer answer = ndes::probe::handle_probe(
        config.probes, config.template_names, request.query_param("module"),
        request.query_param("target"), request.header("X-Prometheus-Scrape-Timeout-Seconds"));
    ndes::Response r;
    r.status = answer.status;
    r.content_type = answer.content_type;
    r.body = answer.body;
    return r;
  });
#endif
  const ndes::RenewHookLinkConfig renew_hook = config.renew_hook;
  server.route("/", [&exporter, &build, telemetry_path, renew_hook](const ndes::Request&) {
    const auto snapshot = exporter->snapshot_or_collect();
    ndes::LandingPageData page;
    page.version = build.version;
    page.revision = build.revision;
    page.collectors = exporter->collector_names();
    page.telemetry_path = telemetry_path;
#ifdef NDES_HAVE_PROBES
    page.extra_links.push_back(
        {"/probe", "/probe",
         "blackbox-style probes: /probe?module=scep|tls|crl|<module>&target=<target>"});
#endif
    page.results = snapshot->results;
    page.now = ndes::unix_now();
    if (!renew_hook.url.empty()) {  // read on each visit; a dead hook is a message, not an error
      page.renew_hook =
          ndes::fetch_renew_hook_view(renew_hook.url, renew_hook.auth_token_file, 2000);
    }
    ndes::Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = ndes::render_landing_page(page);
    return r;
  });

  try {
    server.start();
  } catch (const ndes::web::WebConfigError& e) {
    ndes::log_error("cannot use the web config", {{"err", e.what()}});
    std::fprintf(stderr, "ndes_exporter: error: --web.config.file %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    ndes::log_error("cannot start the web server",
                    {{"address", config.listen_address}, {"err", e.what()}});
    std::fprintf(stderr, "ndes_exporter: error: %s\n", e.what());
    return 1;
  }
  const std::string url = local_url(config.listen_address, server.port(), server.tls());
  ndes::log_info("listening", {{"address", config.listen_address},
                               {"port", std::to_string(server.port())},
                               {"tls", server.tls() ? "true" : "false"},
                               {"telemetry_path", telemetry_path}});
#ifdef _WIN32
  ndes::winsvc::report_running();
#endif
  if (config.demo) {
    ndes::log_info("demo store ready", {{"url", url}, {"dir", demo_dir}});
    std::cout << "ndes_exporter demo: " << url << std::endl;
  }

  const int sig = wait_for_signal();
  ndes::log_info("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  server.stop();
  ndes::log_info("stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace

int exporter_main(int argc, char** argv) {
#ifdef __GLIBC__
  // A scrape's families and text are big and short-lived, and civetweb answers on
  // many threads: with glibc's defaults every thread's arena kept its own freed
  // scrape, and RSS grew with each scrape (10,000 certificates: 61 MiB after the
  // first scrape, 197 MiB after a few hundred; 81 MiB with one arena). Scrapes are
  // rendered one at a time anyway (ExporterCollectable::scrape_shared). Lower
  // mmap/trim thresholds cut RSS a little more but cost a third more CPU per scrape
  // in page faults and consolidation (perf), so glibc's own thresholds stay.
  mallopt(M_ARENA_MAX, 1);
#endif
  ndes::ParseOutcome outcome = ndes::parse_command_line(argc, argv);
  if (!outcome.should_run()) {
    std::FILE* stream = outcome.exit_code == 0 ? stdout : stderr;
    std::fputs(outcome.message.c_str(), stream);
    if (!outcome.message.empty() && outcome.message.back() != '\n') {
      std::fputc('\n', stream);
    }
    return outcome.exit_code;
  }
  try {
    return run(std::move(*outcome.config));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ndes_exporter: error: %s\n", e.what());
    return 1;
  }
}

int main(int argc, char** argv) {
#ifdef _WIN32
  // Registers with the SCM first when it started us (ndes_exporter.exe as a service).
  return ndes::winsvc::run_service_or_console("ndes_exporter",
                                              [&] { return exporter_main(argc, argv); });
#else
  return exporter_main(argc, argv);
#endif
}
