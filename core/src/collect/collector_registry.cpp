#include <algorithm>
#include <stdexcept>

#include "ndes/collect/collector.h"

namespace ndes {

CollectorRegistry& CollectorRegistry::instance() {
  static CollectorRegistry registry;
  return registry;
}

void CollectorRegistry::add(std::string name, CollectorFactory factory) {
  if (contains(name)) {
    throw std::logic_error("collector registered twice: " + name);
  }
  factories_.emplace_back(std::move(name), std::move(factory));
}

std::vector<std::string> CollectorRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(factories_.size());
  for (const auto& [name, factory] : factories_) {
    out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool CollectorRegistry::contains(std::string_view name) const {
  return std::any_of(factories_.begin(), factories_.end(),
                     [&](const auto& entry) { return entry.first == name; });
}

std::unique_ptr<Collector> CollectorRegistry::create(std::string_view name,
                                                     const ExporterConfig& config) const {
  for (const auto& [entry_name, factory] : factories_) {
    if (entry_name == name) {
      return factory(config);
    }
  }
  throw std::invalid_argument("unknown collector: " + std::string(name));
}

}  // namespace ndes
