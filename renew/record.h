// A renewal record: what /renewals shows and the journal rebuilds. Plain values, with
// their JSON form (the journal's and the API's).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "renew/plan.h"

namespace ndes::renew {

enum class Status {
  planned,      // the plan is recorded; dry-run stops here, execute mode queues it
  running,      // the executor is working through the steps
  succeeded,    // every step ran (or was skipped by configuration) and passed
  failed,       // a step failed; the thumbprint backs off before it is tried again
  skipped,      // the alert is not acted on (see reason); also resolved alerts
  interrupted,  // the hook died or stopped while it ran; blocked until an admin clears it
  // The certificate the alert names is not one the hook may renew (missing, expired, not
  // yet valid, of another template or role, without its key): nothing ran; the reason and
  // runbook_url say what to do by hand.
  refused,
  // The CA holds the request for a CA manager: nothing was installed; blocked until an
  // admin finishes it by hand (the reason says how) and clears it.
  pending,
};
std::string_view to_string(Status status);
// Statuses an admin clears (POST /renewals/<id>/clear) before the thumbprint is tried again.
inline bool clearable(Status status) {
  return status == Status::interrupted || status == Status::failed || status == Status::pending;
}
std::optional<Status> status_from_string(std::string_view text);

enum class Mode { dry_run, execute };
std::string_view to_string(Mode mode);  // "dry-run", "execute"
std::optional<Mode> mode_from_string(std::string_view text);

struct StepRecord {
  PlannedStep step;
  std::string status = "planned";  // planned | ok | failed | skipped | not_run
  std::optional<int> exit_code;
  std::string out;  // stdout, capped and redacted
  std::string err;  // stderr, capped and redacted
  std::string detail;
  std::map<std::string, std::string> facts;  // what the step found (new_thumbprint, ...)
  std::int64_t started = 0;
  std::int64_t finished = 0;
};

// A certificate a renewal acts on: renew: each certificate renewed (the alert's first,
// then the other RA certificate when it is inside the renewal window); repair: the one kept.
struct RecordTarget {
  std::string thumbprint;
  std::string template_name;
  std::string role;
  std::string not_after;  // RFC 3339, as the source had it ("" if unverified)
  std::string why;        // "the alert's certificate", "expires within 30d as well", ...
};

struct RenewalRecord {
  std::string id;  // "r<seq>"
  std::int64_t seq = 0;
  std::string fingerprint;  // Alertmanager's alert fingerprint
  std::string starts_at;    // the alert's startsAt
  std::string alertname;
  std::string thumbprint;  // validated records: uppercase hex; skipped: printable() echo
  std::string template_name;
  std::string role;
  std::string instance;  // the alert's instance label (printable() echo)
  Status status = Status::planned;
  std::string reason;
  Mode mode = Mode::dry_run;
  std::string executor;               // "windows" or "command"; "" for skipped
  int attempt = 0;                    // 1 for the first real renewal of a thumbprint
  std::string action = "renew";       // renew | repair (NdesRaCertificateDuplicate)
  std::vector<RecordTarget> targets;  // see RecordTarget
  // Where the hook found the alert's certificate before it planned anything
  // ("LocalMachine\My", "files /etc/ra"); "" = unverified (dry-run without a source).
  std::string verified_in;
  std::vector<std::string> warnings;  // what the plan leaves undone, said plainly
  std::string runbook_url;            // refused: the manual path
  std::string inf;
  std::vector<StepRecord> steps;
  std::map<std::string, std::string> labels;  // the alert's labels, printable()
  std::int64_t created = 0;
  std::int64_t started = 0;
  std::int64_t finished = 0;
  std::int64_t cleared = 0;  // an admin cleared it (interrupted or failed)
};

// Whether the record renews (or keeps) `thumbprint`.
bool covers(const RenewalRecord& record, std::string_view thumbprint);

nlohmann::json to_json(const StepRecord& step);
nlohmann::json to_json(const RenewalRecord& record);
// Throws std::runtime_error (or nlohmann's errors) on a malformed record.
StepRecord step_record_from_json(const nlohmann::json& j);
RenewalRecord record_from_json(const nlohmann::json& j);

}  // namespace ndes::renew
