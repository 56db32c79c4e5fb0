// The `services` collector's pure part: what the service control manager says of
// a service (its SERVICE_STATUS.dwCurrentState and QUERY_SERVICE_CONFIG's
// dwStartType plus the delayed-auto-start flag) as label values, and the samples
//   ndes_service_state{name,state}            one series per state, 1 for the current
//   ndes_service_start_mode{name,start_mode}  one series per start mode, 1 for the current
//   ndes_service_installed{name}              0 for a configured service that is not there
// The numbers are the Win32 constants, so this compiles and tests on Linux too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ndes/collect/records.h"

namespace ndes::services {

inline constexpr const char* kCollector = "services";

// What the SCM said of one configured service.
struct ServiceFacts {
  std::string name;
  bool installed = false;
  std::uint32_t current_state = 0;  // SERVICE_STOPPED (1) ... SERVICE_PAUSED (7)
  std::uint32_t start_type = 0;     // SERVICE_BOOT_START (0) ... SERVICE_DISABLED (4)
  bool delayed_auto_start = false;  // SERVICE_CONFIG_DELAYED_AUTO_START_INFO
};

// The label value sets, in exposition order.
const std::vector<std::string_view>& state_names();
const std::vector<std::string_view>& start_mode_names();

// dwCurrentState -> running, stopped, start_pending...; anything else "unknown".
std::string_view state_name(std::uint32_t current_state);
// dwStartType (+ delayed flag) -> auto, delayed_auto, manual, disabled, boot, system;
// nullopt for a value Windows does not define.
std::optional<std::string_view> start_mode_name(std::uint32_t start_type, bool delayed);

// The samples for one service: installed, and for an installed one every state
// and start-mode series.
std::vector<Sample> service_samples(const ServiceFacts& facts);

}  // namespace ndes::services
