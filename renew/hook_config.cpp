#include "renew/hook_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <functional>
#include <utility>

#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "base/process.h"
#include "base/settings.h"
#include "base/text.h"
#include "base/time.h"
#include "renew/decide.h"
#include "renew/placeholders.h"
#include "renew/verify.h"
#include "services/services_config.h"
#include "web/http_server.h"
#include "web/web_settings.h"

#ifndef NDES_VERSION
#define NDES_VERSION "unknown"
#endif
#ifndef NDES_REVISION
#define NDES_REVISION "unknown"
#endif

namespace ndes::renew {
namespace {

using settings::Kind;
using settings::Setter;
using settings::Values;

constexpr const char* kProgram = "ndes_renew_hook";

// Comma-separated names (repeatable): no empty names, no control characters.
Setter names_setter(std::vector<std::string>* target) {
  return [target](const Values& v) -> std::string {
    std::vector<std::string> names;
    for (const auto& value : v) {
      for (const auto& piece : ndes::split(value, ',')) {
        const std::string item = ndes::trim(piece);
        if (item.empty()) {
          continue;
        }
        if (ndes::printable(item, item.size()) != item) {
          return ndes::quote(item) + " has control characters";
        }
        if (std::find(names.begin(), names.end(), item) == names.end()) {
          names.push_back(item);
        }
      }
    }
    if (names.empty()) {
      return "names nothing";
    }
    *target = std::move(names);
    return "";
  };
}

// A whole number of seconds (parse_duration_seconds); `examples` for the error.
Setter seconds_setter(std::int64_t* target, const char* examples) {
  return [target, examples](const Values& v) -> std::string {
    const auto secs = parse_duration_seconds(v.back());
    if (!secs) {
      return ndes::quote(v.back()) + " is not a duration (e.g. " + examples + ")";
    }
    *target = *secs;
    return "";
  };
}

// The settings that are both a flag and a config-file key, filling `cfg`.
settings::Table hook_settings(HookConfig& cfg) {
  const auto mode = [&cfg](const Values& v) -> std::string {
    const auto m = mode_from_string(v.back());
    if (!m) {
      return settings::one_of(v.back(), {"dry-run", "execute"});
    }
    cfg.mode = *m;
    return "";
  };
  const auto ca_config = [](const std::string& value) {
    return is_ca_config(value) ? "" : ndes::quote(value) + " is not <ca-host>\\<ca-name>";
  };
  const auto service_account = [](const std::string& value) {
    return is_service_account(value) ? "" : ndes::quote(value) + " is not DOMAIN\\name";
  };
  const auto instance = [&cfg](const Values& v) -> std::string {
    const std::string host = normalize_instance(v.back());
    if (!is_instance_name(host)) {
      return ndes::quote(v.back()) + " is not a host name";
    }
    cfg.instance = host;
    return "";
  };
  const auto command_argv = [&cfg](const Values& v) -> std::string {
    if (v.empty() || v.front().empty()) {
      return "the program (the first element) is empty";
    }
    if (auto err = check_argv_template(v); !err.empty()) {
      return err;
    }
    for (const auto& name : placeholder_names()) {
      if (v.front().find("{" + name + "}") != std::string::npos) {
        return "the program (the first element) may not hold a placeholder";
      }
    }
    cfg.command.argv = v;
    return "";
  };
  const auto clear_flag = [](bool* target) -> Setter {
    return [target](const Values&) -> std::string {
      *target = false;
      return "";
    };
  };
  const auto verify_files = [&cfg](const Values& v) -> std::string {
    for (const auto& path : v) {
      if (path.empty()) {
        return "an empty path";
      }
    }
    cfg.verify_files = v;
    return "";
  };
  const auto scep_url = [&cfg](const Values& v) -> std::string {
    const std::string& url = v.back();
    if (!ndes::istarts_with(url, "http://") && !ndes::istarts_with(url, "https://")) {
      return ndes::quote(url) + " is not an http:// or https:// URL";
    }
    cfg.verify_scep_url = url;
    return "";
  };
  using settings::bool_setter;
  using settings::checked_setter;
  using settings::one_of_setter;
  using settings::path_setter;
  return {
      {"web.listen-address", Kind::text, "ADDRESS", "Address to listen on (Alertmanager only)",
       "127.0.0.1:10228", listen_address_setter(&cfg.listen_address), nullptr},
      {"web.auth-token-file", Kind::text, "FILE",
       "File holding the bearer token Alertmanager and admins send", "",
       path_setter(&cfg.auth_token_file), nullptr},
      {"web.insecure-no-auth", Kind::flag, "", "Accept requests without a token (tests only)", "",
       bool_setter(&cfg.insecure_no_auth), nullptr},
      {"web.config.file", Kind::text, "FILE",
       "exporter-toolkit web config: TLS, basic auth (an alternative to the token), headers", "",
       path_setter(&cfg.web_config_file), nullptr},
      {"web.max-requests", Kind::text, "N",
       "Requests handled at once; more wait up to 5s, then get 503", "16",
       web_count_setter(&cfg.web_max_requests), nullptr},
      {"state.dir", Kind::text, "DIR", "Directory for the journal, the audit log and work files",
       "", path_setter(&cfg.state_dir), nullptr},
      {"mode", Kind::text, "MODE", "dry-run (record the plan only) or execute", "dry-run", mode,
       nullptr},
      {"executor", Kind::text, "NAME", "windows (certreq) or command (the configured argv)",
       "windows", one_of_setter(&cfg.executor, {"windows", "command"}), nullptr},
      {"ca.config", Kind::text, "HOST\\CA",
       "certreq -config; when absent, discovered from AD (Windows)", "",
       checked_setter(&cfg.ca_config, ca_config), nullptr},
      {"service-account", Kind::text, "DOMAIN\\NAME", "Account granted Read on the new private key",
       "", checked_setter(&cfg.service_account, service_account), nullptr},
      {"remove-old-certs", Kind::flag, "",
       "The default (kept for older configs): back up, then remove superseded certificates", "",
       bool_setter(&cfg.remove_old_certs), nullptr},
      {"no-remove-old-certs", Kind::flag, "",
       "Leave superseded certificates in the store (NDES then refuses to start: two valid RA "
       "certificates of one template)",
       "", clear_flag(&cfg.remove_old_certs), nullptr},
      {"restart-stack", Kind::flag, "",
       "The default (kept for older configs): restart IIS and the connectors, then verify", "",
       bool_setter(&cfg.restart_stack), nullptr},
      {"no-restart-stack", Kind::flag, "",
       "Do not restart IIS and the connectors (NDES keeps the old certificate until its next "
       "restart; nothing is verified)",
       "", clear_flag(&cfg.restart_stack), nullptr},
      {"verify.files.path", Kind::list, "PATH",
       "executor=command: certificate file or directory the alert's thumbprint is looked up "
       "in before anything runs (repeatable; required in execute mode)",
       "", verify_files, nullptr},
      {"verify.scep-url", Kind::text, "URL",
       "SCEP URL checked after the restart (GetCACaps, GetCACert)", "from IIS's bindings", scep_url,
       nullptr},
      {"verify.events.xml-dir", Kind::text, "DIR",
       "Read NDES's events from exported files (wevtutil qe /f:xml) in DIR instead of the "
       "Application log: where the event log API is missing (wine)",
       "", path_setter(&cfg.verify_events_xml_dir), nullptr},
      {"renew.window", Kind::text, "DURATION",
       "Renew the other RA certificate in the same run when it expires within this", "30d",
       seconds_setter(&cfg.renew_window_seconds, "30d, 720h"), nullptr},
      {"instance", Kind::text, "NAME",
       "Act only on alerts whose instance label is this host (port ignored)", "the host name",
       instance, nullptr},
      {"alerts.names", Kind::names, "NAMES", "Alert names acted on (comma-separated)",
       "NdesCertificateExpiringSoon,NdesCertificateExpired,NdesRaCertificateDuplicate",
       names_setter(&cfg.alertnames), nullptr},
      {"templates.allowed", Kind::names, "NAMES", "Templates that may be renewed",
       "CEPEncryption,EnrollmentAgentOffline", names_setter(&cfg.templates), nullptr},
      {"restart.services", Kind::names, "NAMES",
       "Services restarted after a renewal, in start order (comma-separated; not installed: "
       "skipped)",
       ndes::join(default_restart_services(), ","), names_setter(&cfg.restart_services), nullptr},
      {"command.argv", Kind::list, "ARG",
       "executor=command: one argv element per flag; {thumbprint} {template} {role} "
       "{instance} {id} are replaced",
       "", command_argv, nullptr},
      {"command.timeout", Kind::text, "DURATION", "executor=command: kill the command after this",
       "120s", seconds_setter(&cfg.command.timeout_seconds, "120s, 5m, 1h"), nullptr},
      {"audit.file", Kind::text, "FILE", "Audit log file", "<state.dir>/audit.log",
       path_setter(&cfg.audit_file), nullptr},
      {"log.level", Kind::text, "LEVEL", "debug, info, warn, error", "info",
       one_of_setter(&cfg.log_level, {"debug", "info", "warn", "error"}), nullptr},
      {"log.format", Kind::text, "FORMAT", "logfmt or json (stderr and the audit log)", "logfmt",
       one_of_setter(&cfg.log_format, {"logfmt", "json"}), nullptr},
  };
}

// The checks across settings, after the file and the flags.
std::string check_config(HookConfig& cfg) {
  if (cfg.state_dir.empty()) {
    return "--state.dir is required (the journal lives there)";
  }
  if (cfg.auth_token_file.empty() && !cfg.insecure_no_auth) {
    return "--web.auth-token-file is required (or --web.insecure-no-auth, for tests only)";
  }
  if (cfg.instance.empty()) {
    return "--instance is required: the host name is unknown";
  }
  if (cfg.executor == "command") {
    if (cfg.command.argv.empty()) {
      return "--executor=command needs --command.argv (or command: {argv: [...]} in the file)";
    }
    const std::string program = find_program(cfg.command.argv.front());
    if (program.empty()) {
      return "--command.argv: program " + ndes::quote(cfg.command.argv.front()) +
             " is not found in the clean PATH (give an absolute path)";
    }
    cfg.command.argv.front() = program;
    if (cfg.mode == Mode::execute && cfg.verify_files.empty()) {
      return "--mode=execute with --executor=command needs --verify.files.path: the hook "
             "renews only a certificate it has found, valid, itself";
    }
  }
#ifndef _WIN32
  if (cfg.executor == "windows" && cfg.mode == Mode::execute) {
    return "--executor=windows runs on Windows only: use --mode=dry-run here, or "
           "--executor=command";
  }
#endif
  if (cfg.audit_file.empty()) {
    cfg.audit_file = (std::filesystem::path(cfg.state_dir) / "audit.log").string();
  }
  return "";
}

}  // namespace

std::vector<std::string> default_restart_services() {
  std::vector<std::string> names = {"WAS"};
  for (const auto& name : ServicesCollectorConfig{}.names) {
    if (name != "WAS" && name != "AzureADConnectAgentUpdater") {
      names.push_back(name);
    }
  }
  return names;
}

std::string local_host_name() {
#ifdef _WIN32
  std::array<char, 256> buf{};
  DWORD size = static_cast<DWORD>(buf.size());
  if (GetComputerNameExA(ComputerNameDnsHostname, buf.data(), &size) == 0) {
    return "";
  }
  return lower(std::string(buf.data(), size));
#else
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0) {
    return "";
  }
  return lower(buf.data());
#endif
}

HookParseOutcome parse_hook_command_line(int argc, const char* const* argv,
                                         const std::string& default_instance) {
  HookConfig cfg;
  cfg.instance = normalize_instance(default_instance);
  const settings::Program program{
      kProgram,
      "Renews the NDES RA certificates (CEP Encryption, Exchange Enrollment Agent) when "
      "Alertmanager reports them expiring. Needs admin rights; the exporter does not.",
      std::string(kProgram) + ", version " + NDES_VERSION + " (revision: " + NDES_REVISION + ")",
      nullptr};
  const settings::Outcome parsed = settings::parse(program, hook_settings(cfg), argc, argv);
  HookParseOutcome out;
  out.exit_code = parsed.exit_code;
  out.message = parsed.message;
  if (!parsed.run) {
    return out;
  }
  if (auto err = check_config(cfg); !err.empty()) {
    out.exit_code = 2;
    out.message = settings::error_line(kProgram, err);
    return out;
  }
  out.config = std::move(cfg);
  return out;
}

}  // namespace ndes::renew
