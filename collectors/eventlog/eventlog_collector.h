// The `eventlog` collector (NDES and Intune connector events), as the collector table makes it.
// Defined in the Windows build only.
#pragma once

#include <memory>

#include "eventlog/eventlog_config.h"
#include "ndes/collect/collector.h"

namespace ndes::eventlog {

std::unique_ptr<Collector> make_collector(const EventlogCollectorConfig& config);

}  // namespace ndes::eventlog
