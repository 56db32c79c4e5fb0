#include "renew/metrics.h"

#include <prometheus/metric_family.h>

#include "ndes/metrics/families.h"

namespace ndes::renew {

HookMetrics initial_metrics(const std::vector<std::string>& templates) {
  HookMetrics m;
  for (const auto& r : webhook_results()) {
    m.webhooks[r] = 0;
  }
  for (const auto& t : templates) {
    for (const auto& r : renewal_results()) {
      m.renewals[{t, r}] = 0;
    }
  }
  return m;
}

std::string render_metrics(const HookMetrics& m) {
  using prometheus::ClientMetric;
  using prometheus::MetricFamily;
  using prometheus::MetricType;
  std::vector<MetricFamily> families;

  MetricFamily webhooks{
      "ndes_renew_webhooks_total", "Webhook requests by result.", MetricType::Counter, {}};
  for (const auto& [result, value] : m.webhooks) {
    ClientMetric c;
    c.label = {{"result", result}};
    c.counter.value = value;
    webhooks.metric.push_back(c);
  }
  families.push_back(std::move(webhooks));

  MetricFamily renewals{
      "ndes_renewals_total", "Renewals by template and result.", MetricType::Counter, {}};
  for (const auto& [key, value] : m.renewals) {
    ClientMetric c;
    c.label = {{"result", key.second}, {"template", key.first}};
    c.counter.value = value;
    renewals.metric.push_back(c);
  }
  families.push_back(std::move(renewals));

  MetricFamily last{"ndes_renewal_last_success_timestamp_seconds",
                    "When the last renewal of the template succeeded, Unix seconds.",
                    MetricType::Gauge,
                    {}};
  for (const auto& [tmpl, ts] : m.last_success) {
    ClientMetric c;
    c.label = {{"template", tmpl}};
    c.gauge.value = static_cast<double>(ts);
    last.metric.push_back(c);
  }
  if (!last.metric.empty()) {
    families.push_back(std::move(last));
  }

  MetricFamily running{
      "ndes_renewal_in_progress", "1 while a renewal runs.", MetricType::Gauge, {}};
  ClientMetric g;
  g.gauge.value = m.in_progress ? 1 : 0;
  running.metric.push_back(g);
  families.push_back(std::move(running));

  MetricFamily journal_failures{"ndes_renew_journal_write_failures_total",
                                "Journal appends that failed (a full disk, an I/O error); "
                                "webhooks are refused with 503 meanwhile.",
                                MetricType::Counter,
                                {}};
  ClientMetric f;
  f.counter.value = m.journal_write_failures;
  journal_failures.metric.push_back(f);
  families.push_back(std::move(journal_failures));
  return serialize(families);
}

}  // namespace ndes::renew
