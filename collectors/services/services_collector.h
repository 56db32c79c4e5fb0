// The `services` collector (Windows services through the SCM), as the collector table makes it.
// Defined in the Windows build only.
#pragma once

#include <memory>

#include "ndes/collect/collector.h"
#include "services/services_config.h"

namespace ndes::services {

std::unique_ptr<Collector> make_collector(const ServicesCollectorConfig& config);

}  // namespace ndes::services
