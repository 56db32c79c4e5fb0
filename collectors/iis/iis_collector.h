// The `iis` collector's Windows side, as far as others need it.
#pragma once
#ifdef _WIN32

#include <optional>
#include <string>

#include "ndes/config.h"

namespace ndes::iis {

// The account the first configured application pool (SCEP by default) runs as,
// from applicationHost.config: the default identity for
// ndes_certificate_private_key_readable. nullopt (and *error) when IIS's config
// cannot be read or does not declare the pool.
std::optional<std::string> scep_pool_identity(const IisCollectorConfig& config, std::string* error);

}  // namespace ndes::iis

#endif  // _WIN32
