// Registers the static-target `tls` collector (targets: tls: [...] in the config).
#include "probe/static_collector.h"

namespace ndes::probe {
namespace {

[[maybe_unused]] const bool kRegistered = [] {
  CollectorRegistry::instance().add("tls", [](const ExporterConfig& c) {
    return std::make_unique<StaticProbeCollector>(ProberKind::tls, c);
  });
  return true;
}();

}  // namespace
}  // namespace ndes::probe
