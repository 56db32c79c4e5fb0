// The one shared layer from records to metric families. Pure: the same records and
// the same `now` always give the same families.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ndes/collect/records.h"

namespace ndes {

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string platform;  // e.g. linux/amd64, windows/amd64
};

// Certificate, validity-count, read-error and collector-status families for the
// given results, plus each result's own samples. `now` is Unix seconds.
std::vector<prometheus::MetricFamily> to_families(std::span<const CollectorResult> results,
                                                  std::int64_t now);

prometheus::MetricFamily build_info_family(const BuildInfo& info);

// Serializes families in the Prometheus text format (0.0.4).
std::string serialize(const std::vector<prometheus::MetricFamily>& families);

}  // namespace ndes
