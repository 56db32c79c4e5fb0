// The hook's own /metrics, in the Prometheus text format. Pure: counters in, text out.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ndes::renew {

// The result label values of ndes_renew_webhooks_total.
inline const std::vector<std::string>& webhook_results() {
  static const std::vector<std::string> results = {
      "accepted", "unauthorized", "bad_request", "too_large", "rejected", "journal_unwritable"};
  return results;
}

// The result label values of ndes_renewals_total.
inline const std::vector<std::string>& renewal_results() {
  static const std::vector<std::string> results = {"succeeded", "failed",  "skipped",
                                                   "planned",   "refused", "pending"};
  return results;
}

struct HookMetrics {
  std::map<std::string, double> webhooks;                          // result -> count
  std::map<std::pair<std::string, std::string>, double> renewals;  // (template, result)
  std::map<std::string, std::int64_t> last_success;                // template -> Unix s
  bool in_progress = false;
  double journal_write_failures = 0;  // appends that failed (full disk, I/O error)
};

// Zero counters for every result (and every allowed template), so rate() and
// increase() see a series before the first event.
HookMetrics initial_metrics(const std::vector<std::string>& templates);

std::string render_metrics(const HookMetrics& metrics);

}  // namespace ndes::renew
