// The `iis` collector's Windows side, as far as others need it. Defined in the
// Windows build only.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "iis/iis_config.h"
#include "ndes/collect/collector.h"

namespace ndes::iis {

// The collector, as the collector table makes it.
std::unique_ptr<Collector> make_collector(const IisCollectorConfig& config);

// The account the first configured application pool (SCEP by default) runs as,
// from applicationHost.config: the default identity for
// ndes_certificate_private_key_readable. nullopt (and *error) when IIS's config
// cannot be read or does not declare the pool.
std::optional<std::string> scep_pool_identity(const IisCollectorConfig& config, std::string* error);

}  // namespace ndes::iis
