// The collectors of the Linux build: the files, and the static probe targets
// (targets: in the config file), whose collectors are made from the probe section.
#include "exporter/collector_table.h"
#include "exporter/prober_table.h"
#include "probe/modules.h"
#include "probe/static_collector.h"

namespace ndes {
namespace {

CollectorRow static_probe_row(ProberKind kind) {
  return {std::string(probe::to_string(kind)), "linux", false, nullptr,
          [kind](const ExporterConfig& c) {
            return std::make_unique<probe::StaticProbeCollector>(kind, prober_table(), c.probes,
                                                                 c.template_names);
          }};
}

}  // namespace

std::vector<CollectorRow> platform_collectors() {
  return {
      files_collector_row(true),
      static_probe_row(ProberKind::scep),
      static_probe_row(ProberKind::tls),
      static_probe_row(ProberKind::crl),
  };
}

}  // namespace ndes
