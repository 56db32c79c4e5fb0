#include "exporter/version.h"

#ifndef NDES_VERSION
#define NDES_VERSION "0.0.0"
#endif
#ifndef NDES_REVISION
#define NDES_REVISION "unknown"
#endif

namespace ndes {

std::string platform_string() {
#if defined(_WIN32)
  std::string os = "windows";
#elif defined(__APPLE__)
  std::string os = "darwin";
#elif defined(__linux__)
  std::string os = "linux";
#else
  std::string os = "unknown";
#endif
#if defined(__x86_64__) || defined(_M_X64)
  const char* arch = "amd64";
#elif defined(__aarch64__) || defined(_M_ARM64)
  const char* arch = "arm64";
#elif defined(__i386__) || defined(_M_IX86)
  const char* arch = "386";
#elif defined(__arm__)
  const char* arch = "arm";
#else
  const char* arch = "unknown";
#endif
  return os + "/" + arch;
}

BuildInfo exporter_build_info() {
  return BuildInfo{NDES_VERSION, NDES_REVISION, platform_string()};
}

std::string version_line() {
  const BuildInfo info = exporter_build_info();
  return "ndes_exporter, version " + info.version + " (revision: " + info.revision + ") " +
         info.platform;
}

}  // namespace ndes
