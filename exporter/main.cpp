// ndes_exporter: flags and config -> logging -> collectors -> HTTP server, until
// SIGINT or SIGTERM.
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "exporter/config.h"
#include "exporter/demo_store.h"
#include "exporter/landing_page.h"
#include "exporter/metrics_handler.h"
#include "exporter/platform.h"
#include "exporter/scraper.h"
#include "exporter/version.h"
#include "ndes/metrics/families.h"
#include "web/http_server.h"
#include "base/log.h"
#include "base/settings.h"

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

int run(ndes::ExporterConfig config) {
  ndes::setup_logging(config.log_level, config.log_format);
  ndes::platform::add_log_sinks();
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

  std::unique_ptr<ndes::Scraper> scraper;
  try {
    scraper = ndes::Scraper::from_config(config, build);
  } catch (const std::exception& e) {
    ndes::log_error("cannot create collectors", {{"err", e.what()}});
    std::fprintf(stderr, "ndes_exporter: error: %s\n", e.what());
    return 1;
  }
  std::string enabled;
  for (const auto& name : scraper->collector_names()) {
    enabled += (enabled.empty() ? "" : ",") + name;
  }
  ndes::log_info("collectors enabled", {{"collectors", enabled}});

  ndes::platform::prepare_stop_handling();

  ndes::HttpServer::Options web_options;
  web_options.listen_address = config.listen_address;
  web_options.web_config_file = config.web_config_file;
  web_options.limits.max_requests = config.web_max_requests;
  web_options.limits.max_connections = config.web_max_connections;
  ndes::HttpServer server(web_options);
  const std::string telemetry_path = config.telemetry_path;
  ndes::MetricsHandler metrics(*scraper,
                               [&server] { return ndes::serialize(server.metric_families()); });
  server.route(telemetry_path,
               [&metrics](const ndes::Request& request) { return metrics(request); });
  server.route("/healthz", [](const ndes::Request&) { return ndes::Response::text(200, "ok\n"); });
  std::vector<ndes::PageLink> platform_links;
  ndes::platform::add_routes(server, config, platform_links);
  const ndes::RenewHookLinkConfig renew_hook = config.renew_hook;
  server.route("/", [&scraper, &build, telemetry_path, renew_hook,
                     platform_links](const ndes::Request&) {
    const auto snapshot = scraper->snapshot_or_collect();
    ndes::LandingPageData page;
    page.version = build.version;
    page.revision = build.revision;
    page.collectors = scraper->collector_names();
    page.telemetry_path = telemetry_path;
    page.extra_links = platform_links;
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
  ndes::platform::report_running();
  if (config.demo) {
    ndes::log_info("demo store ready", {{"url", url}, {"dir", demo_dir}});
    std::cout << "ndes_exporter demo: " << url << std::endl;
  }

  const int sig = ndes::platform::wait_for_stop();
  ndes::log_info("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  server.stop();
  ndes::log_info("stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace

int exporter_main(int argc, char** argv) {
  ndes::ParseOutcome outcome = ndes::parse_command_line(argc, argv);
  if (!outcome.should_run()) {
    return ndes::settings::print_message(outcome.exit_code, outcome.message);
  }
  try {
    return run(std::move(*outcome.config));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ndes_exporter: error: %s\n", e.what());
    return 1;
  }
}

int main(int argc, char** argv) {
  return ndes::platform::run_program([&] { return exporter_main(argc, argv); });
}
