// The `ndes` collector (the MSCEP and Intune Certificate Connector registry keys), as
// the collector table makes it: it has no settings. Defined in the Windows build only.
#pragma once

#include <memory>

#include "ndes/collect/collector.h"

namespace ndes::ndesreg {

std::unique_ptr<Collector> make_collector();

}  // namespace ndes::ndesreg
