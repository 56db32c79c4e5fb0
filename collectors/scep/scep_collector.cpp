// Registers the static-target `scep` collector (targets: scep: [...] in the config).
#include "probe/static_collector.h"

namespace ndes::probe {
namespace {

[[maybe_unused]] const bool kRegistered = [] {
  CollectorRegistry::instance().add("scep", [](const ExporterConfig& c) {
    return std::make_unique<StaticProbeCollector>(ProberKind::scep, c);
  });
  return true;
}();

}  // namespace
}  // namespace ndes::probe
