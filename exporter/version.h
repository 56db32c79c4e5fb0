// The exporter's version, revision and platform, as stamped at build time.
#pragma once

#include <string>

#include "ndes/metrics/families.h"

namespace ndes {

// version and revision from the build (NDES_VERSION, NDES_REVISION), platform like
// "linux/amd64".
BuildInfo exporter_build_info();

// "linux/amd64", "windows/amd64", "linux/arm64"... for the running build.
std::string platform_string();

// One line for --version: "ndes_exporter, version 0.1.0 (revision: abc) linux/amd64".
std::string version_line();

}  // namespace ndes
