// What the hook makes of one actionable alert before it takes the service lock: the
// certificates to renew (the alert's, checked against the source, and the other RA
// certificate when it is inside the renewal window), or the duplicate repair, or why it
// refuses. Pure but for the inputs it is handed (what the source listed, the clock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "renew/decide.h"
#include "renew/record.h"
#include "renew/target_check.h"

namespace ndes::renew {

// The default base of the runbook links (the rules' default ndes_runbook_base_url).
inline constexpr std::string_view kDefaultRunbookBase =
    "https://github.com/example/ndes_exporter/blob/main/docs/runbooks";

struct IntakeInput {
  RenewTarget target;    // from decide()
  std::string executor;  // "windows" | "command"
  Mode mode = Mode::dry_run;
  // What the verification source listed: nullopt = there is no source (dry-run without
  // --verify.files.path) or it could not be read (then source_error says why).
  std::optional<std::vector<SourceCertificate>> found;
  std::string source_name;  // "LocalMachine\My", "files /etc/ra"; "" = none
  std::string source_error;
  Policy policy;
  std::int64_t now = 0;
  std::int64_t renew_window_seconds = 0;
  std::string runbook_base = std::string(kDefaultRunbookBase);
};

struct IntakePlan {
  // Set: the alert is refused (Status::refused) with this reason and runbook link.
  std::string refused;
  std::string runbook_url;
  // Set: recorded as skipped (nothing to do, e.g. no duplicate left to repair).
  std::string skipped;
  std::vector<RenewTarget> targets;  // renew: the alert's first
  std::vector<RecordTarget> record_targets;
  std::optional<DuplicateRepair> repair;
  std::string verified_in;  // "" = unverified
  std::vector<std::string> warnings;
};

IntakePlan plan_intake(const IntakeInput& in);

}  // namespace ndes::renew
