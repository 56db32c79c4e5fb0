// The collector interface, in the node_exporter style: each source is one collector,
// switched on by --collectors.enabled and measured by
// ndes_collector_success/_duration_seconds. The exporter's table of collectors
// (exporter/collector_table.h) makes them; its run_collector times each run and turns
// an exception into a failed result, so a collector neither times nor catches.
#pragma once

#include <string_view>

#include "ndes/collect/records.h"

namespace ndes {

class Collector {
 public:
  virtual ~Collector() = default;
  virtual std::string_view name() const = 0;
  // Called at scrape time, possibly from several threads at once. Throws when the
  // collection failed as a whole.
  virtual CollectorResult collect() = 0;
};

}  // namespace ndes
