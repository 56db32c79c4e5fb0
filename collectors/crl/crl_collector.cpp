// Registers the static-target `crl` collector (targets: crl: [...] in the config).
#include "probe/static_collector.h"

namespace ndes::probe {
namespace {

[[maybe_unused]] const bool kRegistered = [] {
  CollectorRegistry::instance().add("crl", [](const ExporterConfig& c) {
    return std::make_unique<StaticProbeCollector>(ProberKind::crl, c);
  });
  return true;
}();

}  // namespace
}  // namespace ndes::probe
