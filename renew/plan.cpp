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

constexpr std::string_view kTwoValid =
    "NDES refuses to start with two valid RA certificates of one template (Event 10, then "
    "Event 2 with 0x80070057)";

// The steps that renew one certificate: the INF, certreq -new/-submit/-accept, the check
// of what was installed, the key's ACL. `suffix` tells two targets' steps apart.
void add_renewal_steps(Plan& plan, const RenewTarget& target, const std::string& suffix,
                       const PlanConfig& config) {
  const std::string base = suffix.empty() ? "renewal" : "renewal-" + target.role;
  const std::string inf = join_path(config.work_dir, base + ".inf");
  const std::string req = join_path(config.work_dir, base + ".req");
  const std::string cer = join_path(config.work_dir, base + ".cer");
  const std::string certreq = join_path(config.system32, "certreq.exe");
  const std::string ca =
      config.ca_config.empty() ? std::string(kCaConfigUnknown) : config.ca_config;
  const std::int64_t timeout = config.step_timeout_seconds;

  PlannedStep write;
  write.name = "write_inf" + suffix;
  write.kind = StepKind::write_file;
  write.description = "Write the five-line renewal INF (RenewalCert = " + target.thumbprint + ", " +
                      target.template_name + ")";
  write.path = inf;
  write.content = renewal_inf(target.thumbprint);
  if (plan.inf.empty()) {
    plan.inf = write.content;
  }
  plan.steps.push_back(std::move(write));

  // -q: never show a dialog (the hook has no desktop; certreq would wait forever for a
  // click). -f: overwrite the .req/.cer left by an earlier attempt instead of prompting.
  plan.steps.push_back(run_step("certreq_new" + suffix, "Create the renewal request from the INF",
                                {certreq, "-f", "-q", "-new", inf, req}, timeout, true));
  // What -submit prints says whether the CA issued, holds (pending) or denied the request;
  // -accept runs only on an issued one.
  PlannedStep submit =
      run_step("certreq_submit" + suffix, "Submit the request to the CA and read its answer",
               {certreq, "-f", "-q", "-submit", "-config", ca, req, cer}, timeout, true);
  submit.kind = StepKind::submit_request;
  submit.params = {{"ca_config", ca}};
  plan.steps.push_back(std::move(submit));
  plan.steps.push_back(run_step("certreq_accept" + suffix,
                                "Install the issued certificate in LocalMachine\\My",
                                {certreq, "-q", "-accept", "-machine", cer}, timeout, true));
  plan.steps.push_back(
      other_step("verify_new_cert" + suffix, StepKind::verify_new_cert,
                 "Find the new certificate; check its template matches and its NotAfter is later",
                 {{"cer", cer},
                  {"old_thumbprint", target.thumbprint},
                  {"template", target.template_name},
                  {"role", target.role}}));

  PlannedStep grant = other_step(
      "grant_key_read" + suffix, StepKind::grant_key_read,
      "Grant the service account Read on the new private key (CAPI MachineKeys or CNG Keys)",
      {{"account", config.service_account}, {"role", target.role}});
  if (config.service_account.empty()) {
    grant.skip_reason = "no --service-account: grant the NDES app pool account Read by hand";
  }
  plan.steps.push_back(std::move(grant));
}

// The restart of IIS and the connectors, then the proof that NDES serves `thumbprints`
// ("" = the new certificates): the SCEP requests first (the first one loads NDES), then
// NDES's own word in the Application log.
void add_restart_and_checks(Plan& plan, const std::string& thumbprints, const PlanConfig& config) {
  PlannedStep services =
      other_step("restart_services", StepKind::restart_services,
                 "Restart IIS and the Intune Certificate Connector services (those installed)",
                 {{"services", join(config.restart_services, ",")}});
  PlannedStep scep =
      other_step("check_scep", StepKind::check_scep,
                 "GetCACaps and GetCACert against the SCEP URL NDES serves: 200, and the new RA "
                 "certificates listed",
                 {{"url", config.scep_url},
                  {"thumbprints", thumbprints},
                  {"timeout_seconds", std::to_string(config.event_timeout_seconds)}});
  PlannedStep event = other_step(
      "check_ndes_event", StepKind::check_ndes_event,
      "Check the Application log for NDES Event 1 (started) and no Event 2 since the restart",
      {{"provider", std::string(kNdesEventProvider)},
       {"timeout_seconds", std::to_string(config.event_timeout_seconds)}});
  if (!config.restart_stack) {
    const std::string why =
        "--no-restart-stack: NDES keeps the old certificate until it restarts, and nothing "
        "is verified";
    services.skip_reason = why;
    scep.skip_reason = why;
    event.skip_reason = why;
  } else {
    if (config.restart_services.empty()) {
      services.skip_reason = "no services configured (--restart.services)";
    }
    if (config.scep_url.empty()) {
      scep.skip_reason =
          "no SCEP URL: give --verify.scep-url" +
          (config.scep_url_error.empty() ? std::string() : " (" + config.scep_url_error + ")");
    }
  }
  plan.steps.push_back(std::move(services));
  plan.steps.push_back(std::move(scep));
  plan.steps.push_back(std::move(event));
}

Plan windows_plan(const std::vector<RenewTarget>& targets, const PlanConfig& config) {
  Plan plan;
  std::vector<std::string> templates;
  for (const auto& target : targets) {
    add_renewal_steps(plan, target, targets.size() > 1 ? "." + target.role : "", config);
    templates.push_back(target.template_name);
  }
  PlannedStep remove =
      other_step("remove_superseded", StepKind::remove_superseded,
                 "Back up (PFX with the key), then remove the superseded certificates of " +
                     join(templates, " and ") + " from LocalMachine\\My",
                 {{"templates", join(templates, ",")}, {"backup_dir", config.backup_dir}});
  if (!config.remove_old_certs) {
    remove.skip_reason = "--no-remove-old-certs: " + std::string(kTwoValid);
  }
  plan.steps.push_back(std::move(remove));
  add_restart_and_checks(plan, "", config);
  return plan;
}

// One run of the configured command per certificate; what it does is its own business.
Plan command_plan(const std::vector<RenewTarget>& targets, const std::string& id,
                  const PlanConfig& config) {
  Plan plan;
  for (const auto& target : targets) {
    plan.steps.push_back(run_step(targets.size() > 1 ? "command." + target.role : "command",
                                  "Run the configured remediation command for " +
                                      target.thumbprint + " (" + target.template_name + ")",
                                  substitute_placeholders(config.command_argv, target, id),
                                  config.command_timeout_seconds, config.windows_command_lines));
  }
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

Plan build_plan(const std::vector<RenewTarget>& targets, const std::string& id,
                const PlanConfig& config) {
  if (config.executor == "command") {
    return command_plan(targets, id, config);
  }
  return windows_plan(targets, config);
}

Plan build_repair_plan(const std::string& keep, const std::vector<std::string>& remove,
                       const PlanConfig& config) {
  Plan plan;
  plan.steps.push_back(
      other_step("remove_duplicates", StepKind::remove_superseded,
                 "Back up (PFX with the key), then remove " + join(remove, ", ") +
                     " from LocalMachine\\My; " + keep + " stays",
                 {{"thumbprints", join(remove, ",")}, {"backup_dir", config.backup_dir}}));
  add_restart_and_checks(plan, keep, config);
  return plan;
}

std::vector<std::string> plan_warnings(const PlanConfig& config) {
  std::vector<std::string> out;
  if (config.executor != "windows") {
    return out;
  }
  if (!config.remove_old_certs) {
    out.push_back(
        "--no-remove-old-certs: the superseded certificates stay in "
        "LocalMachine\\My, and " +
        std::string(kTwoValid) + " at its next restart");
  }
  if (!config.restart_stack) {
    out.push_back(
        "--no-restart-stack: NDES keeps the old certificate until it restarts; "
        "Event 1 and the SCEP answer are not checked");
  } else if (config.scep_url.empty()) {
    out.push_back("no SCEP URL: NDES is not checked from outside (give --verify.scep-url)");
  }
  return out;
}

}  // namespace ndes::renew
