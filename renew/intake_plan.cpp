#include "renew/intake_plan.h"

#include "base/text.h"
#include "base/time.h"

namespace ndes::renew {
namespace {

RecordTarget record_target(const RenewTarget& t, const std::vector<SourceCertificate>* found,
                           std::string why) {
  RecordTarget r{t.thumbprint, t.template_name, t.role, "", std::move(why)};
  if (found != nullptr) {
    if (const auto* c = find_certificate(*found, t.thumbprint)) {
      r.not_after = format_time(c->cert.not_after);
    }
  }
  return r;
}

IntakePlan refuse(IntakePlan out, std::string reason, const std::string& runbook) {
  out.refused = std::move(reason);
  out.runbook_url = runbook;
  return out;
}

IntakePlan plan_repair(const IntakeInput& in, IntakePlan out) {
  const std::string runbook = in.runbook_base + "/ndes-ra-certificate-duplicate.md";
  if (in.executor != "windows") {
    return refuse(std::move(out),
                  "the command executor cannot repair LocalMachine\\My: remove the duplicates "
                  "by hand",
                  runbook);
  }
  if (!in.found) {
    return refuse(std::move(out),
                  "LocalMachine\\My cannot be read here" +
                      (in.source_error.empty() ? std::string() : ": " + in.source_error) +
                      "; a repair is planned only from what the store holds",
                  runbook);
  }
  std::string why_not;
  NoRepair kind = NoRepair::nothing_to_repair;
  auto repair = plan_duplicate_repair(in.target.template_name, *in.found, in.now, &why_not, &kind);
  if (!repair) {
    // One certificate or none: already repaired, or the alert is stale (skipped). No valid
    // one with its key to keep: a person must enroll a new certificate first (refused).
    if (kind == NoRepair::nothing_to_repair) {
      out.skipped = why_not;
      return out;
    }
    return refuse(std::move(out), why_not, runbook);
  }
  RenewTarget keep = in.target;
  keep.thumbprint = repair->keep;
  out.record_targets.push_back(
      record_target(keep, &*in.found, "kept: the newest valid certificate with its key"));
  out.repair = std::move(repair);
  return out;
}

}  // namespace

IntakePlan plan_intake(const IntakeInput& in) {
  IntakePlan out;
  out.verified_in = in.found ? in.source_name : "";
  if (in.target.action == Action::repair) {
    return plan_repair(in, std::move(out));
  }
  const std::string runbook = in.runbook_base + "/ndes-certificate-expired.md";
  if (!in.found) {
    if (in.mode == Mode::execute) {
      return refuse(std::move(out),
                    "the thumbprint cannot be verified" +
                        (in.source_error.empty() ? std::string() : ": " + in.source_error) +
                        "; the hook renews only a certificate it has found valid itself",
                    runbook);
    }
    out.warnings.push_back(
        "unverified: the thumbprint was not looked up (no --verify.files.path here); execute "
        "mode checks it in " +
        std::string(in.executor == "windows" ? "LocalMachine\\My" : "the certificate files") +
        " first");
    out.targets.push_back(in.target);
    out.record_targets.push_back(record_target(in.target, nullptr, "the alert's certificate"));
    return out;
  }
  if (auto why = check_target(in.target, *in.found, in.now); !why.empty()) {
    return refuse(std::move(out), why, runbook);
  }
  out.targets.push_back(in.target);
  out.record_targets.push_back(record_target(in.target, &*in.found, "the alert's certificate"));
  if (auto other =
          companion_target(in.target, *in.found, in.policy, in.now, in.renew_window_seconds)) {
    out.record_targets.push_back(
        record_target(*other, &*in.found,
                      "the other RA certificate: it expires within the renewal window (" +
                          std::to_string(in.renew_window_seconds / 86400) + "d) as well"));
    out.targets.push_back(std::move(*other));
  }
  return out;
}

}  // namespace ndes::renew
