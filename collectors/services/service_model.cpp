#include "services/service_model.h"

namespace ndes::services {
namespace {

constexpr const char* kStateHelp =
    "Windows service state: one series per state, 1 for the current one.";
constexpr const char* kStartModeHelp =
    "Windows service start mode: one series per mode, 1 for the current one.";
constexpr const char* kInstalledHelp =
    "1 if the configured Windows service is installed, 0 if it is not.";

}  // namespace

const std::vector<std::string_view>& state_names() {
  static const std::vector<std::string_view> names = {
      "running",          "stopped",       "start_pending", "stop_pending",
      "continue_pending", "pause_pending", "paused",        "unknown"};
  return names;
}

const std::vector<std::string_view>& start_mode_names() {
  static const std::vector<std::string_view> names = {"auto",     "delayed_auto", "manual",
                                                      "disabled", "boot",         "system"};
  return names;
}

std::string_view state_name(std::uint32_t current_state) {
  switch (current_state) {
    case 1:  // SERVICE_STOPPED
      return "stopped";
    case 2:  // SERVICE_START_PENDING
      return "start_pending";
    case 3:  // SERVICE_STOP_PENDING
      return "stop_pending";
    case 4:  // SERVICE_RUNNING
      return "running";
    case 5:  // SERVICE_CONTINUE_PENDING
      return "continue_pending";
    case 6:  // SERVICE_PAUSE_PENDING
      return "pause_pending";
    case 7:  // SERVICE_PAUSED
      return "paused";
    default:
      return "unknown";
  }
}

std::optional<std::string_view> start_mode_name(std::uint32_t start_type, bool delayed) {
  switch (start_type) {
    case 0:  // SERVICE_BOOT_START
      return "boot";
    case 1:  // SERVICE_SYSTEM_START
      return "system";
    case 2:  // SERVICE_AUTO_START
      return delayed ? "delayed_auto" : "auto";
    case 3:  // SERVICE_DEMAND_START
      return "manual";
    case 4:  // SERVICE_DISABLED
      return "disabled";
    default:
      return std::nullopt;
  }
}

std::vector<Sample> service_samples(const ServiceFacts& facts) {
  std::vector<Sample> out;
  out.push_back(Sample{"ndes_service_installed",
                       kInstalledHelp,
                       SampleType::gauge,
                       {{"name", facts.name}},
                       facts.installed ? 1.0 : 0.0});
  if (!facts.installed) {
    return out;  // no state for a service that is not there: not an alert
  }
  const std::string_view state = state_name(facts.current_state);
  for (const auto s : state_names()) {
    out.push_back(Sample{"ndes_service_state",
                         kStateHelp,
                         SampleType::gauge,
                         {{"name", facts.name}, {"state", std::string(s)}},
                         s == state ? 1.0 : 0.0});
  }
  const auto mode = start_mode_name(facts.start_type, facts.delayed_auto_start);
  for (const auto m : start_mode_names()) {
    out.push_back(Sample{"ndes_service_start_mode",
                         kStartModeHelp,
                         SampleType::gauge,
                         {{"name", facts.name}, {"start_mode", std::string(m)}},
                         mode && *mode == m ? 1.0 : 0.0});
  }
  return out;
}

}  // namespace ndes::services
