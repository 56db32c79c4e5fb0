// The services step: restart_services stops, then starts, each configured service
// through the service control manager (base/win/scm.h, as the services collector
// opens it), waiting up to 60 s for each state.
#include <chrono>
#include <thread>

#include "base/text.h"
#include "base/win/error_text.h"
#include "base/win/scm.h"
#include "renew/windows/steps.h"

namespace ndes::renew::windows {
namespace {

bool wait_for_state(SC_HANDLE service, DWORD state, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  SERVICE_STATUS status{};
  while (QueryServiceStatus(service, &status)) {
    if (status.dwCurrentState == state) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

// Stops, then starts, one service; "" or why not.
std::string restart(SC_HANDLE service, const std::string& name) {
  SERVICE_STATUS status{};
  if (!ControlService(service, SERVICE_CONTROL_STOP, &status) &&
      GetLastError() != ERROR_SERVICE_NOT_ACTIVE) {
    return "cannot stop " + name + ": " + win::last_error_text();
  }
  if (!wait_for_state(service, SERVICE_STOPPED, std::chrono::seconds(60))) {
    return name + " did not stop within 60s";
  }
  if (!StartServiceW(service, 0, nullptr)) {
    return "cannot start " + name + ": " + win::last_error_text();
  }
  if (!wait_for_state(service, SERVICE_RUNNING, std::chrono::seconds(60))) {
    return name + " did not reach running within 60s";
  }
  return "";
}

}  // namespace

StepOutcome restart_services(const PlannedStep& step) {
  const win::ScHandle scm = win::open_scm();
  if (!scm) {
    return failed("cannot open the service control manager: " + win::last_error_text());
  }
  StepOutcome out;
  std::string restarted;
  for (const auto& name : split(param(step, "services"), ',')) {
    if (name.empty()) {
      continue;
    }
    const win::ScHandle service =
        win::open_service(scm.get(), name, SERVICE_STOP | SERVICE_START | SERVICE_QUERY_STATUS);
    if (!service) {
      if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST) {
        out.detail += name + " is not installed; ";
        continue;
      }
      return failed("cannot open service " + name + ": " + win::last_error_text());
    }
    if (const std::string error = restart(service.get(), name); !error.empty()) {
      return failed(out.detail + error);
    }
    restarted += (restarted.empty() ? "" : ",") + name;
  }
  out.detail += restarted.empty() ? "no service restarted" : "restarted " + restarted;
  out.facts["restarted_services"] = restarted;
  return out;
}

}  // namespace ndes::renew::windows
