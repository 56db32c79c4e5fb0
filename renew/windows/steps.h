// The windows executor's steps, one file per concern: the LocalMachine\My store
// (store_steps.cpp), the private key's DACL (key_acl.cpp), the service control
// manager (services.cpp), the event log (event_log.cpp) and the CA lookup in AD
// (ca_lookup.cpp). executor.cpp dispatches to them. Windows only.
#pragma once

#include <optional>
#include <string>

#include "renew/event_wait.h"
#include "renew/executor.h"
#include "renew/windows/ldap_api.h"
#include "renew/windows/scm_api.h"
#include "renew/windows/store_steps.h"

namespace ndes::renew::windows {

// A failed step that says why.
StepOutcome failed(std::string detail);
// The step's parameter `name`, "" when it has none.
std::string param(const PlannedStep& step, const std::string& name);

// The issued certificate is in LocalMachine\My with its key, and renews the old one.
StepOutcome verify_new_cert(const PlannedStep& step);
// The service account may read the new private key.
StepOutcome grant_key_read(const PlannedStep& step, const RunContext& ctx);
// Stops the `services` in reverse order, then starts them in order (services.cpp says
// how dependents and waits are handled); facts restart_started, restarted,
// not_installed. `api`: the SCM calls (scm_api.h), real by default.
StepOutcome restart_services(const PlannedStep& step, const ScmApi& api = ScmApi{});
// NDES logged Event 1 (started), not Event 2, in `source` since restart_started,
// within the step's timeout_seconds (default 120).
StepOutcome check_ndes_event(const PlannedStep& step, const RunContext& ctx,
                             NdesEventSource& source);
// The CA config ("host\CA name") that issues the template labelled `template_name`
// (a name or a v2 template's OID), from AD. `api`: the LDAP calls, real by default.
std::optional<std::string> discover_from_ad(const std::string& template_name, std::string* error,
                                            const LdapApi& api = LdapApi{});

}  // namespace ndes::renew::windows
