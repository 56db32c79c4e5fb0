// The windows executor's steps, one file per concern: the LocalMachine\My store
// (store_steps.cpp), the private key's DACL (key_acl.cpp), the service control
// manager (services.cpp), the event log (event_log.cpp) and the CA lookup in AD
// (ca_lookup.cpp). executor.cpp dispatches to them. Windows only.
#pragma once

#include <optional>
#include <string>

#include "renew/executor.h"

namespace ndes::renew::windows {

// A failed step that says why.
StepOutcome failed(std::string detail);
// The step's parameter `name`, "" when it has none.
std::string param(const PlannedStep& step, const std::string& name);

// The issued certificate is in LocalMachine\My with its key, and renews the old one.
StepOutcome verify_new_cert(const PlannedStep& step);
// The renewed certificates that the new one supersedes leave LocalMachine\My.
StepOutcome remove_superseded(const RunContext& ctx);
// The service account may read the new private key.
StepOutcome grant_key_read(const PlannedStep& step, const RunContext& ctx);
// Stop, then start, each configured service.
StepOutcome restart_services(const PlannedStep& step);
// NDES logged Event 1 (started), not Event 2, after the restart.
StepOutcome check_ndes_event(const PlannedStep& step, const RunContext& ctx);
// The CA config ("host\CA name") that issues `template_name`, from AD.
std::optional<std::string> discover_from_ad(const std::string& template_name, std::string* error);

}  // namespace ndes::renew::windows
