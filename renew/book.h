// The renewal records in memory, rebuilt from the journal, and the rules that keep
// Alertmanager's at-least-once delivery from renewing a certificate twice: one renewal
// per thumbprint, failures back off, interrupted renewals wait for an admin. Pure.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "renew/record.h"

namespace ndes::renew {

// How long a thumbprint waits after `consecutive_failures` failed renewals: 1 h after
// the first, doubling, at most 32 h. 0 for none.
std::int64_t backoff_seconds(int consecutive_failures);

struct Admission {
  enum class Kind {
    start,        // no renewal of this thumbprint stands in the way
    duplicate,    // one is planned, running or done: the alert again starts nothing
    blocked,      // an interrupted renewal waits for an admin to clear it
    backing_off,  // the last attempt failed; retry_at says when the next may start
  };
  Kind kind = Kind::start;
  std::string reason;       // for everything but start
  std::string existing_id;  // the record that decided it
  std::int64_t retry_at = 0;
  int attempt = 1;  // for start: the attempt number of the new renewal
};

class RenewalBook {
 public:
  // Adds a new record; throws std::invalid_argument if its id is taken.
  void add(RenewalRecord record);
  RenewalRecord* find(std::string_view id);
  const RenewalRecord* find(std::string_view id) const;
  // In the order they were recorded.
  const std::vector<RenewalRecord>& records() const { return records_; }

  std::int64_t next_seq() const { return records_.empty() ? 1 : records_.back().seq + 1; }
  static std::string id_for(std::int64_t seq) { return "r" + std::to_string(seq); }

  // May a renewal of `thumbprint` start now? In dry-run mode an earlier dry-run plan is
  // a duplicate; in execute mode it is not (nothing ran).
  Admission admit(const std::string& thumbprint, Mode mode, std::int64_t now) const;
  // The same rules for a duplicate repair of `template_name` (one at a time, failures back
  // off, an interrupted one blocks).
  Admission admit_repair(const std::string& template_name, Mode mode, std::int64_t now) const;

  // A skipped, refused or resolved alert is recorded once: the same alert (fingerprint, startsAt)
  // for the same reason again is not recorded again.
  static std::string skip_key(const RenewalRecord& record);
  bool has_skip(const std::string& key) const { return skip_keys_.count(key) > 0; }

  // Template -> when its last renewal succeeded (Unix seconds).
  std::map<std::string, std::int64_t> last_success_by_template() const;

 private:
  Admission admit_if(const std::function<bool(const RenewalRecord&)>& same, Mode mode,
                     std::int64_t now) const;

  std::vector<RenewalRecord> records_;
  std::map<std::string, std::size_t, std::less<>> by_id_;
  std::set<std::string> skip_keys_;
};

}  // namespace ndes::renew
