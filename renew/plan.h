// The plan of one renewal: a pure function from a validated alert and the config to
// the steps an executor runs, in order. The dry-run record is this plan, with the INF
// text and the exact command lines, and nothing run.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "renew/decide.h"

namespace ndes::renew {

enum class StepKind {
  write_file,  // write `content` to `path`
  run,         // run `argv` (no shell), fail on a non-zero exit
  // Run `argv` (certreq -submit) and read what it printed (renew/certreq_output.h):
  // issued -> ok; pending -> status "pending" (facts request_id), the renewal stops there
  // and nothing is accepted; denied or unreadable -> failed with the CA's message.
  submit_request,
  // params cer, old_thumbprint, template, role. The issued certificate renews the old one,
  // is of the template and sits in LocalMachine\My with its key. facts:
  // "new_thumbprint.<role>", "new_not_after.<role>".
  verify_new_cert,
  // params account, role: grant `account` Read on the key of "new_thumbprint.<role>".
  grant_key_read,
  // params backup_dir, and either thumbprints (comma-separated: exactly these) or
  // templates (comma-separated: every certificate of these templates except the
  // "new_thumbprint.*" facts). Each is first exported with its private key to
  // <backup_dir>\<thumbprint>.pfx (password in <thumbprint>.pfx.password, both readable
  // by SYSTEM and Administrators only), then removed with its key. facts: removed,
  // backups (comma-separated).
  remove_superseded,
  // params services (comma-separated, in start order: IIS first, then the connectors).
  // Stops them in reverse order, then starts them in order; a service that is not
  // installed is skipped and said so. facts: restart_started (RFC 3339, before the
  // first stop), restarted, not_installed.
  restart_services,
  // params provider, timeout_seconds: NDES Event 1 and no Event 2 since restart_started.
  check_ndes_event,
  // params url ("" = from IIS's bindings), thumbprints (comma-separated; "" = the
  // "new_thumbprint.*" facts): GetCACaps and GetCACert answer 200 and GetCACert lists
  // every one of them. facts: url, ca_caps, ca_cert_thumbprints.
  check_scep,
};
std::string_view to_string(StepKind kind);
std::optional<StepKind> step_kind_from_string(std::string_view text);

struct PlannedStep {
  std::string name;  // stable id: "write_inf", "certreq_new", ...
  StepKind kind = StepKind::run;
  std::string description;        // one sentence for people
  std::vector<std::string> argv;  // run: exactly what the process gets
  std::string command_line;       // run: the command line as the OS gets it (Windows) or
                                  // a shell-quoted rendering of argv (POSIX)
  std::string path;               // write_file
  std::string content;            // write_file
  std::map<std::string, std::string> params;  // inputs of the other kinds
  std::string skip_reason;                    // set: the step is part of the plan but not run
  std::int64_t timeout_seconds = 0;           // run: 0 = none
};

struct Plan {
  std::vector<PlannedStep> steps;
  std::string inf;  // the INF text (windows executor), "" otherwise
};

// The five-line renewal INF, CRLF line ends, for an uppercase 40-hex thumbprint:
// [Version] / Signature="$Windows NT$" / [NewRequest] / RenewalCert="<tp>" /
// MachineKeySet=TRUE. RenewalCert makes certreq sign the request with the existing
// certificate's key, so the CA checks that identity and not the admin's template
// rights; MachineKeySet puts the new key in the machine store, where NDES reads it.
std::string renewal_inf(std::string_view thumbprint);

// Where certreq's files for one renewal go; the separator follows the directory's
// style ("C:\x" or "/x").
std::string join_path(std::string_view dir, std::string_view name);

inline constexpr std::string_view kNdesEventProvider =
    "Microsoft-Windows-NetworkDeviceEnrollmentService";
inline constexpr std::string_view kCaConfigUnknown =
    "<not set: discovered from AD CN=Enrollment Services at run time>";

struct PlanConfig {
  std::string executor = "windows";  // "windows" or "command"
  std::string work_dir;              // this renewal's own directory
  // windows executor
  std::string ca_config;  // "host\CA name"; "" = unknown (kCaConfigUnknown is shown)
  std::string system32 = "C:\\Windows\\System32";  // certreq.exe and iisreset.exe live here
  std::string service_account;                     // "DOMAIN\name"; "" = the ACL step is skipped
  bool remove_old_certs = false;
  bool restart_stack = false;
  std::vector<std::string> restart_services;  // IIS and the connectors, in start order
  std::string backup_dir;                     // where removed certificates are exported first
  std::string scep_url;        // checked after the restart; "" = unknown (the check is skipped)
  std::string scep_url_error;  // why it is unknown
  std::int64_t step_timeout_seconds = 300;
  std::int64_t event_timeout_seconds = 120;
  // command executor
  std::vector<std::string> command_argv;  // with placeholders
  std::int64_t command_timeout_seconds = 120;
  bool windows_command_lines = false;  // command_line rendered for CreateProcess
};

// The steps for one renewal of `targets` (the alert's certificate first, then the other
// RA certificate when it is renewed in the same run): each is renewed, then the superseded
// certificates are backed up and removed, the stack restarts once and is verified once.
// `id` is the renewal id ("r3").
Plan build_plan(const std::vector<RenewTarget>& targets, const std::string& id,
                const PlanConfig& config);
inline Plan build_plan(const RenewTarget& target, const std::string& id, const PlanConfig& config) {
  return build_plan(std::vector<RenewTarget>{target}, id, config);
}

// The duplicate repair of one template (windows executor): back up and remove `remove`,
// restart, verify that NDES serves `keep`.
Plan build_repair_plan(const std::string& keep, const std::vector<std::string>& remove,
                       const PlanConfig& config);

// What a plan made with `config` leaves undone, said plainly for the record (the
// --no-* opt-outs, an unknown SCEP URL). Empty for the whole procedure.
std::vector<std::string> plan_warnings(const PlanConfig& config);

}  // namespace ndes::renew
