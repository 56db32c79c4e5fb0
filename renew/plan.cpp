#include "renew/plan.h"

#include <array>
#include <utility>

#include "base/text.h"
#include "base/win_cmdline.h"
#include "renew/placeholders.h"

namespace ndes::renew {
namespace {

constexpr std::array<std::pair<StepKind, std::string_view>, 9> kKindNames = {{
    {StepKind::write_file, "write_file"},
    {StepKind::run, "run"},
    {StepKind::submit_request, "submit_request"},
    {StepKind::verify_new_cert, "verify_new_cert"},
    {StepKind::grant_key_read, "grant_key_read"},
    {StepKind::remove_superseded, "remove_superseded"},
    {StepKind::restart_services, "restart_services"},
    {StepKind::check_ndes_event, "check_ndes_event"},
    {StepKind::check_scep, "check_scep"},
}};

PlannedStep run_step(std::string name, std::string description, std::vector<std::string> argv,
                     std::int64_t timeout, bool windows) {
  PlannedStep step;
  step.name = std::move(name);
  step.kind = StepKind::run;
  step.description = std::move(description);
  step.command_line = windows ? windows_command_line(argv) : display_command_line(argv);
  step.argv = std::move(argv);
  step.timeout_seconds = timeout;
  return step;
}

PlannedStep other_step(std::string name, StepKind kind, std::string description,
                       std::map<std::string, std::string> params) {
  PlannedStep step;
  step.name = std::move(name);
  step.kind = kind;
  step.description = std::move(description);
  step.params = std::move(params);
  return step;
}

Plan windows_plan(const RenewTarget& target, const PlanConfig& config) {
  Plan plan;
  plan.inf = renewal_inf(target.thumbprint);
  const std::string inf = join_path(config.work_dir, "renewal.inf");
  const std::string req = join_path(config.work_dir, "renewal.req");
  const std::string cer = join_path(config.work_dir, "renewal.cer");
  const std::string certreq = join_path(config.system32, "certreq.exe");
  const std::string ca =
      config.ca_config.empty() ? std::string(kCaConfigUnknown) : config.ca_config;
  const std::int64_t timeout = config.step_timeout_seconds;

  PlannedStep write;
  write.name = "write_inf";
  write.kind = StepKind::write_file;
  write.description = "Write the five-line renewal INF (RenewalCert = the expiring certificate)";
  write.path = inf;
  write.content = plan.inf;
  plan.steps.push_back(std::move(write));

  // -q: never show a dialog (the hook has no desktop; certreq would wait forever for a
  // click). -f: overwrite the .req/.cer left by an earlier attempt instead of prompting.
  plan.steps.push_back(run_step("certreq_new", "Create the renewal request from the INF",
                                {certreq, "-f", "-q", "-new", inf, req}, timeout, true));
  plan.steps.push_back(run_step("certreq_submit", "Submit the request to the CA",
                                {certreq, "-f", "-q", "-submit", "-config", ca, req, cer}, timeout,
                                true));
  plan.steps.push_back(run_step("certreq_accept",
                                "Install the issued certificate in LocalMachine\\My",
                                {certreq, "-q", "-accept", "-machine", cer}, timeout, true));
  plan.steps.push_back(other_step(
      "verify_new_cert", StepKind::verify_new_cert,
      "Find the new certificate; check its template matches and its NotAfter is later",
      {{"cer", cer}, {"old_thumbprint", target.thumbprint}, {"template", target.template_name}}));

  PlannedStep grant = other_step(
      "grant_key_read", StepKind::grant_key_read,
      "Grant the service account Read on the new private key (CAPI MachineKeys or CNG Keys)",
      {{"account", config.service_account}});
  if (config.service_account.empty()) {
    grant.skip_reason = "no --service-account: grant the NDES app pool account Read by hand";
  }
  plan.steps.push_back(std::move(grant));

  PlannedStep remove = other_step(
      "remove_superseded", StepKind::remove_superseded,
      "Remove superseded certificates of the template from LocalMachine\\My (NDES refuses to "
      "start with two)",
      {{"template", target.template_name}});
  if (!config.remove_old_certs) {
    remove.skip_reason = "--remove-old-certs not given";
  }
  plan.steps.push_back(std::move(remove));

  PlannedStep iisreset =
      run_step("iisreset", "Restart IIS so NDES loads the new certificate",
               {join_path(config.system32, "iisreset.exe"), "/restart"}, timeout, true);
  PlannedStep services = other_step("restart_services", StepKind::restart_services,
                                    "Restart the Intune Certificate Connector services",
                                    {{"services", join(config.restart_services, ",")}});
  PlannedStep event =
      other_step("check_ndes_event", StepKind::check_ndes_event,
                 "Check the Application log for NDES Event 1 (started) after the restart",
                 {{"provider", std::string(kNdesEventProvider)}, {"event_id", "1"}});
  if (!config.restart_stack) {
    iisreset.skip_reason = "--restart-stack not given";
    services.skip_reason = "--restart-stack not given";
    event.skip_reason =
        "--restart-stack not given: NDES starts with the new certificate "
        "at its next restart";
  } else if (config.restart_services.empty()) {
    services.skip_reason = "no connector services configured";
  }
  plan.steps.push_back(std::move(iisreset));
  plan.steps.push_back(std::move(services));
  plan.steps.push_back(std::move(event));
  return plan;
}

Plan command_plan(const RenewTarget& target, const std::string& id, const PlanConfig& config) {
  Plan plan;
  plan.steps.push_back(run_step("command", "Run the configured remediation command",
                                substitute_placeholders(config.command_argv, target, id),
                                config.command_timeout_seconds, config.windows_command_lines));
  return plan;
}

}  // namespace

std::string_view to_string(StepKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) {
      return name;
    }
  }
  return "run";
}

std::optional<StepKind> step_kind_from_string(std::string_view text) {
  for (const auto& [k, name] : kKindNames) {
    if (name == text) {
      return k;
    }
  }
  return std::nullopt;
}

std::string renewal_inf(std::string_view thumbprint) {
  std::string inf;
  inf += "[Version]\r\n";
  inf += "Signature=\"$Windows NT$\"\r\n";
  inf += "[NewRequest]\r\n";
  inf += "RenewalCert=\"";
  inf += thumbprint;
  inf += "\"\r\n";
  inf += "MachineKeySet=TRUE\r\n";
  return inf;
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) {
    return std::string(name);
  }
  const bool windows =
      dir.find('\\') != std::string_view::npos || (dir.size() >= 2 && dir[1] == ':');
  const char sep = windows ? '\\' : '/';
  std::string out(dir);
  if (out.back() != sep) {
    out += sep;
  }
  out += name;
  return out;
}

Plan build_plan(const RenewTarget& target, const std::string& id, const PlanConfig& config) {
  if (config.executor == "command") {
    return command_plan(target, id, config);
  }
  return windows_plan(target, config);
}

}  // namespace ndes::renew
