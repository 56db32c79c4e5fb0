// The /probe endpoint, blackbox_exporter style: /probe?module=NAME&target=TARGET.
// Each request runs one probe and answers with families built from that probe's
// result alone (a fresh "registry" per request; nothing is shared between
// requests).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ndes/cert/parse.h"
#include "ndes/collect/records.h"
#include "probe/probe.h"
#include "probe/probe_config.h"

namespace ndes::probe {

struct ProbeAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
};

// `module` and `target` are the decoded query parameters (nullopt if absent),
// `scrape_timeout_header` the X-Prometheus-Scrape-Timeout-Seconds value ("" if
// absent). A missing target or an unknown module is a 400 with a one-line reason;
// everything else is a 200 whose body says probe_success 0 or 1.
// `probers` are the build's probers (exporter/prober_table.h).
ProbeAnswer handle_probe(const ProberTable& probers, const ProbeConfig& config,
                         const TemplateNames& template_names,
                         const std::optional<std::string>& module,
                         const std::optional<std::string>& target,
                         std::string_view scrape_timeout_header);

// The Prometheus text for one probe's result: certificates, ndes_certificates_valid
// and the probe's samples. The ndes_collector_* families are left out, as
// probe_success and probe_duration_seconds say the same for a probe.
std::string render_probe_result(const CollectorResult& result, std::int64_t now);

}  // namespace ndes::probe
