// ndes_renew_hook: flags and config -> audit log -> journal replay -> HTTP server, until
// asked to stop (main_platform.h: SIGINT/SIGTERM, or the SCM and console on Windows).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "base/log.h"
#include "base/settings.h"
#include "ndes/metrics/families.h"
#include "renew/api.h"
#include "renew/audit.h"
#include "renew/executor.h"
#include "renew/hook_config.h"
#include "renew/main_platform.h"
#include "renew/renewal_service.h"
#include "web/http_server.h"

#ifndef NDES_VERSION
#define NDES_VERSION "unknown"
#endif

namespace {

using ndes::renew::HookConfig;
namespace platform = ndes::renew::platform;

int fail(const std::string& message) {
  std::fprintf(stderr, "ndes_renew_hook: error: %s\n", message.c_str());
  return 1;
}

// The token, without the trailing newline an editor adds.
std::optional<std::string> read_token(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read --web.auth-token-file " + path;
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' ||
                            token.back() == '\t')) {
    token.pop_back();
  }
  if (token.empty()) {
    *error = "--web.auth-token-file " + path + " is empty";
    return std::nullopt;
  }
  return token;
}

std::unique_ptr<ndes::renew::Executor> make_executor(const HookConfig& cfg) {
  if (cfg.executor == "command") {
    return ndes::renew::make_command_executor();
  }
  ndes::renew::WindowsExecutorOptions options;
  options.events_xml_dir = cfg.verify_events_xml_dir;
  return platform::make_windows_executor(options);
}

ndes::renew::ServiceOptions service_options(const HookConfig& cfg, const std::string& token) {
  ndes::renew::ServiceOptions o;
  o.mode = cfg.mode;
  o.policy.alertnames = cfg.alertnames;
  o.policy.templates = cfg.templates;
  o.policy.instance = cfg.instance;
  o.plan.executor = cfg.executor;
  o.plan.ca_config = cfg.ca_config;
  o.plan.system32 = platform::system32_dir();
  o.plan.service_account = cfg.service_account;
  o.plan.remove_old_certs = cfg.remove_old_certs;
  o.plan.restart_stack = cfg.restart_stack;
  o.plan.restart_services = cfg.restart_services;
  o.plan.command_argv = cfg.command.argv;
  o.plan.command_timeout_seconds = cfg.command.timeout_seconds;
  o.plan.scep_url = cfg.verify_scep_url;
  o.renew_window_seconds = cfg.renew_window_seconds;
  // The hook looks the alert's certificate up itself: the store the windows executor
  // renews in, or the files the command executor's certificates live in.
  if (cfg.executor == "windows") {
    o.source = platform::make_machine_store_source();
  } else if (!cfg.verify_files.empty()) {
    o.source = ndes::renew::make_files_source(cfg.verify_files);
  }
  o.plan.windows_command_lines = platform::windows_command_lines();
  // Absolute: the plan's file paths are recorded as they are.
  o.state_dir = std::filesystem::absolute(cfg.state_dir);
  if (!token.empty()) {
    o.secrets.push_back(token);
  }
  return o;
}

int run(const HookConfig& cfg) {
  try {
    std::filesystem::create_directories(cfg.state_dir);
    ndes::renew::setup_audit_logging(cfg.log_level, cfg.log_format, cfg.audit_file);
    platform::add_service_log_sink();
  } catch (const std::exception& e) {
    return fail(std::string("cannot open the audit log: ") + e.what());
  }
  std::optional<std::string> token;
  if (!cfg.insecure_no_auth) {
    std::string error;
    token = read_token(cfg.auth_token_file, &error);
    if (!token) {
      ndes::log_error("cannot start", {{"err", error}});
      return fail(error);
    }
  }
  ndes::log_info("starting ndes_renew_hook",
                 {{"version", NDES_VERSION},
                  {"mode", std::string(ndes::renew::to_string(cfg.mode))},
                  {"executor", cfg.executor},
                  {"instance", cfg.instance},
                  {"state_dir", cfg.state_dir},
                  {"audit_file", cfg.audit_file}});
  if (!token) {
    ndes::log_warn("--web.insecure-no-auth: anyone who reaches the port can trigger renewals");
  }

  platform::prepare_stop();
  ndes::renew::RenewalService service(service_options(cfg, token.value_or("")), make_executor(cfg));
  try {
    service.start();
  } catch (const std::exception& e) {
    ndes::log_error("cannot open the journal", {{"err", e.what()}});
    return fail(e.what());
  }
  ndes::renew::HookApi api(service, token);
  ndes::HttpServer::Options web_options;
  web_options.listen_address = cfg.listen_address;
  web_options.web_config_file = cfg.web_config_file;
  web_options.limits.max_requests = cfg.web_max_requests;
  web_options.limits.max_body_bytes = ndes::renew::kMaxBodyBytes;
  web_options.limits.read_timeout_ms = 30000;
  web_options.require_basic_auth = false;  // the token works too: HookApi decides
  ndes::HttpServer server(web_options);
  server.fallback([&api, &server](const ndes::Request& request) {
    ndes::Response r = api.handle(request);
    if (request.path == "/metrics" && r.status == 200) {
      r.body += ndes::serialize(server.metric_families());
    }
    return r;
  });
  try {
    server.start();
  } catch (const ndes::web::WebConfigError& e) {
    ndes::log_error("cannot use the web config", {{"err", e.what()}});
    service.stop();
    std::fprintf(stderr, "ndes_renew_hook: error: --web.config.file %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    ndes::log_error("cannot start the web server",
                    {{"address", cfg.listen_address}, {"err", e.what()}});
    service.stop();
    return fail(e.what());
  }
  ndes::log_info("listening", {{"address", cfg.listen_address},
                               {"port", std::to_string(server.port())},
                               {"tls", server.tls() ? "true" : "false"}});
  platform::report_running();
  const std::string why = platform::wait_for_stop();
  ndes::log_info("shutting down", {{"signal", why}});
  server.stop();
  service.stop();
  ndes::log_info("stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace

int hook_main(int argc, char** argv) {
  ndes::renew::HookParseOutcome outcome =
      ndes::renew::parse_hook_command_line(argc, argv, ndes::renew::local_host_name());
  if (!outcome.should_run()) {
    return ndes::settings::print_message(outcome.exit_code, outcome.message);
  }
  try {
    return run(*outcome.config);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
