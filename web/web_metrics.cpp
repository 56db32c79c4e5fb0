#include "web/web_metrics.h"

#include <array>

#include "base/enum_names.h"

namespace ndes::web {
namespace {

prometheus::MetricFamily gauge(const std::string& name, const std::string& help, double value) {
  prometheus::ClientMetric m;
  m.gauge.value = value;
  return prometheus::MetricFamily{name, help, prometheus::MetricType::Gauge, {m}};
}

}  // namespace

const char* rejection_name(Rejection r) {
  // Literals, so the names are NUL-terminated for the const char* callers.
  static constexpr std::array<std::string_view, kRejectionCount> kNames = {
      "too_many_requests", "body_too_large", "header_too_large", "bad_request", "unauthorized"};
  return enum_name(r, kNames, "unknown").data();
}

std::vector<prometheus::MetricFamily> web_families(const WebStats& stats) {
  std::vector<prometheus::MetricFamily> out;
  prometheus::MetricFamily rejected{"ndes_web_requests_rejected_total",
                                    "Requests refused by a web server limit or by basic auth.",
                                    prometheus::MetricType::Counter,
                                    {}};
  for (std::size_t i = 0; i < kRejectionCount; ++i) {
    prometheus::ClientMetric m;
    m.label = {{"reason", rejection_name(static_cast<Rejection>(i))}};
    m.counter.value = static_cast<double>(stats.rejected[i].load());
    rejected.metric.push_back(m);
  }
  out.push_back(std::move(rejected));
  out.push_back(gauge("ndes_web_requests_in_flight", "Requests being handled now.",
                      stats.requests_in_flight.load()));
  out.push_back(gauge("ndes_web_max_requests_in_flight",
                      "Requests handled at once (--web.max-requests); more get 503.",
                      stats.max_requests));
  out.push_back(gauge("ndes_web_connections_open",
                      "Open client connections, each holding a server thread.",
                      stats.connections_open.load()));
  out.push_back(gauge("ndes_web_max_connections",
                      "Connections served at once (--web.max-connections); more wait.",
                      stats.max_connections));
  if (stats.config_file) {
    out.push_back(gauge("ndes_web_config_last_reload_successful",
                        "1 if the last change of --web.config.file was applied, 0 if refused.",
                        stats.config_reload_ok.load() ? 1 : 0));
    out.push_back(gauge("ndes_web_config_last_reload_success_timestamp_seconds",
                        "When --web.config.file was last loaded successfully.",
                        static_cast<double>(stats.config_reload_success_time.load())));
  }
  return out;
}

}  // namespace ndes::web
