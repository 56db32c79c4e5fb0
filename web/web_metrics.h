// What the web server's limits and its web config reloads did, for /metrics of both
// binaries (ndes_web_*). Counters are atomics bumped from civetweb's threads; the
// families are built from a snapshot at scrape time.
#pragma once

#include <prometheus/metric_family.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace ndes::web {

// Why a request was refused before (or instead of) its handler.
enum class Rejection {
  too_many_requests,  // --web.max-requests handlers already running: 503
  body_too_large,     // request body over the limit: 413
  header_too_large,   // a 413 from civetweb for the request line and headers
  bad_request,        // 400 from civetweb: malformed, headers over the limit (civetweb 1.15
                      // says so), or not complete within the read timeout
  unauthorized,       // basic auth missing or wrong: 401
};
inline constexpr std::size_t kRejectionCount = 5;
const char* rejection_name(Rejection r);

struct WebStats {
  std::array<std::atomic<std::uint64_t>, kRejectionCount> rejected{};
  std::atomic<int> requests_in_flight{0};
  std::atomic<int> connections_open{0};
  int max_requests = 0;
  int max_connections = 0;
  std::atomic<bool> config_reload_ok{true};
  std::atomic<std::int64_t> config_reload_success_time{0};  // Unix seconds
  bool config_file = false;                                 // a --web.config.file is in use

  void reject(Rejection r) { rejected[static_cast<std::size_t>(r)].fetch_add(1); }
};

std::vector<prometheus::MetricFamily> web_families(const WebStats& stats);

}  // namespace ndes::web
