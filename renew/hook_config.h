// The renew hook's command line and YAML config file -> HookConfig, in the exporter's
// conventions (base/settings.h): every flag --a.b has a config-file twin at a -> b,
// a flag on the command line beats the file, errors are one line and exit code 2.
//
//   web: {listen-address: "127.0.0.1:10228", auth-token-file: /etc/ndes/hook.token,
//         config: {file: /etc/ndes/web.yml}}
//   state: {dir: /var/lib/ndes_renew_hook}
//   mode: execute
//   executor: command
//   command: {argv: [/usr/local/bin/renew.sh, "{thumbprint}", "{template}"], timeout: 120s}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "renew/record.h"

namespace ndes::renew {

struct CommandConfig {
  std::vector<std::string> argv;  // argv[0] resolved to a path; placeholders unexpanded
  std::int64_t timeout_seconds = 120;
};

// IIS (WAS, then W3SVC) and the Intune Certificate Connector services, in start order:
// the services collector's names (collectors/services/services_config.h) less the Azure AD
// Connect updater, which has nothing to do with NDES.
std::vector<std::string> default_restart_services();

struct HookConfig {
  std::string listen_address = "127.0.0.1:10228";
  std::string auth_token_file;
  std::string web_config_file;  // exporter-toolkit web config; "" = plain HTTP
  int web_max_requests = 16;    // handlers at once; more wait, then get 503
  bool insecure_no_auth = false;
  std::string state_dir;
  Mode mode = Mode::dry_run;
  std::string executor = "windows";  // windows | command
  std::string ca_config;             // "" = discover from AD (Windows)
  std::string service_account;
  // The whole procedure is the default (--no-remove-old-certs, --no-restart-stack opt out):
  // two valid RA certificates of one template stop NDES at its next start.
  bool remove_old_certs = true;
  bool restart_stack = true;
  std::string instance;  // normalized host name this hook acts for
  std::vector<std::string> alertnames = {"NdesCertificateExpiringSoon", "NdesCertificateExpired",
                                         "NdesRaCertificateDuplicate"};
  std::vector<std::string> templates = {"CEPEncryption", "EnrollmentAgentOffline"};
  std::vector<std::string> restart_services = default_restart_services();
  // Where the hook finds an alert's certificate itself (cert_source.h): the certificate
  // files for the command executor; LocalMachine\My for the windows executor.
  std::vector<std::string> verify_files;
  std::string verify_scep_url;        // "" = from IIS's bindings (Windows)
  std::string verify_events_xml_dir;  // "" = the Application log
  // The other RA certificate is renewed in the same run when it expires within this.
  std::int64_t renew_window_seconds = std::int64_t{30} * 86400;
  CommandConfig command;
  std::string audit_file;  // "" = <state.dir>/audit.log
  std::string log_level = "info";
  std::string log_format = "logfmt";
};

struct HookParseOutcome {
  std::optional<HookConfig> config;
  // When config is unset: 0 for --help/--version (message for stdout), 2 for a usage
  // or config error (one line for stderr, "ndes_renew_hook: error: ...").
  int exit_code = 0;
  std::string message;
  bool should_run() const { return config.has_value(); }
};

// `default_instance` is the host name, used when --instance is not given.
HookParseOutcome parse_hook_command_line(int argc, const char* const* argv,
                                         const std::string& default_instance);

// "120s", "2m", "1h", "90" (seconds) -> seconds; nullopt if malformed or not positive.
using ndes::parse_duration_seconds;

// This machine's host name (lower-cased), "" if it cannot be had.
std::string local_host_name();

}  // namespace ndes::renew
