// The collector interface and the registry of collectors by name, in the
// node_exporter style: each source is one collector, switched on by
// --collectors.enabled and measured by ndes_collector_success/_duration_seconds.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ndes/collect/records.h"

namespace ndes {

class Collector {
 public:
  virtual ~Collector() = default;
  virtual std::string_view name() const = 0;
  // Called at scrape time, possibly from several threads at once.
  virtual CollectorResult collect() = 0;
};

struct ExporterConfig;

using CollectorFactory = std::function<std::unique_ptr<Collector>(const ExporterConfig&)>;

// Registration happens from each collector's folder at static-init time.
class CollectorRegistry {
 public:
  static CollectorRegistry& instance();
  void add(std::string name, CollectorFactory factory);
  std::vector<std::string> names() const;
  bool contains(std::string_view name) const;
  std::unique_ptr<Collector> create(std::string_view name, const ExporterConfig& config) const;

 private:
  std::vector<std::pair<std::string, CollectorFactory>> factories_;
};

}  // namespace ndes
