#include "renew/book.h"

#include <algorithm>
#include <stdexcept>

#include "base/time.h"

namespace ndes::renew {

std::int64_t backoff_seconds(int consecutive_failures) {
  if (consecutive_failures <= 0) {
    return 0;
  }
  constexpr std::int64_t kHour = 3600;
  constexpr int kMaxDoublings = 5;  // 1, 2, 4, 8, 16, 32 hours
  return kHour << std::min(consecutive_failures - 1, kMaxDoublings);
}

void RenewalBook::add(RenewalRecord record) {
  if (by_id_.count(record.id) > 0) {
    throw std::invalid_argument("renewal id " + record.id + " is already recorded");
  }
  if (record.status == Status::skipped || record.status == Status::refused) {
    skip_keys_.insert(skip_key(record));
  }
  by_id_.emplace(record.id, records_.size());
  records_.push_back(std::move(record));
}

RenewalRecord* RenewalBook::find(std::string_view id) {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &records_[it->second];
}

const RenewalRecord* RenewalBook::find(std::string_view id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &records_[it->second];
}

std::string RenewalBook::skip_key(const RenewalRecord& record) {
  return record.fingerprint + "|" + record.starts_at + "|" + record.reason;
}

Admission RenewalBook::admit(const std::string& thumbprint, Mode mode, std::int64_t now) const {
  return admit_if(
      [&](const RenewalRecord& r) { return r.action != "repair" && covers(r, thumbprint); }, mode,
      now);
}

Admission RenewalBook::admit_repair(const std::string& template_name, Mode mode,
                                    std::int64_t now) const {
  return admit_if(
      [&](const RenewalRecord& r) {
        return r.action == "repair" && r.template_name == template_name;
      },
      mode, now);
}

Admission RenewalBook::admit_if(const std::function<bool(const RenewalRecord&)>& same, Mode mode,
                                std::int64_t now) const {
  Admission out;
  int failures = 0;
  int attempts = 0;
  const RenewalRecord* last_failure = nullptr;
  for (const auto& r : records_) {
    if (r.status == Status::skipped || r.status == Status::refused || !same(r)) {
      continue;
    }
    const auto decide = [&](Admission::Kind kind, std::string reason) {
      out.kind = kind;
      out.existing_id = r.id;
      out.reason = std::move(reason);
      return out;
    };
    switch (r.status) {
      case Status::succeeded:
        return decide(Admission::Kind::duplicate, "already renewed by " + r.id);
      case Status::running:
        return decide(Admission::Kind::duplicate, "renewal " + r.id + " is running");
      case Status::planned:
        if (r.mode == Mode::execute) {
          return decide(Admission::Kind::duplicate, "renewal " + r.id + " is queued");
        }
        if (mode == Mode::dry_run) {
          return decide(Admission::Kind::duplicate, "already planned by " + r.id + " (dry-run)");
        }
        break;  // a dry-run plan does not stand in the way of a real renewal
      case Status::interrupted:
        if (r.cleared == 0) {
          return decide(Admission::Kind::blocked,
                        "renewal " + r.id +
                            " was interrupted; an admin must check the host and clear it "
                            "(POST /renewals/" +
                            r.id + "/clear)");
        }
        ++attempts;
        break;
      case Status::pending:
        if (r.cleared == 0) {
          return decide(Admission::Kind::blocked,
                        "renewal " + r.id +
                            " waits for the CA manager; finish it by hand, then clear it "
                            "(POST /renewals/" +
                            r.id + "/clear)");
        }
        ++attempts;
        break;
      case Status::failed:
        ++attempts;
        if (r.cleared == 0) {
          ++failures;
          last_failure = &r;
        }
        break;
      case Status::skipped:
      case Status::refused:
        break;
    }
  }
  if (last_failure != nullptr) {
    const std::int64_t since =
        last_failure->finished != 0 ? last_failure->finished : last_failure->created;
    const std::int64_t retry_at = since + backoff_seconds(failures);
    if (now < retry_at) {
      out.kind = Admission::Kind::backing_off;
      out.existing_id = last_failure->id;
      out.retry_at = retry_at;
      out.reason = "renewal " + last_failure->id + " failed (" + std::to_string(failures) +
                   " failure(s) in a row); next try at " + format_time(retry_at);
      return out;
    }
  }
  out.kind = Admission::Kind::start;
  out.attempt = attempts + 1;
  return out;
}

std::map<std::string, std::int64_t> RenewalBook::last_success_by_template() const {
  std::map<std::string, std::int64_t> out;
  for (const auto& r : records_) {
    if (r.status == Status::succeeded) {
      auto& t = out[r.template_name];
      t = std::max(t, r.finished);
    }
  }
  return out;
}

}  // namespace ndes::renew
