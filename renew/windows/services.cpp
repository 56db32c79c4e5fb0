// The restart_services step: stop the services in reverse start order, then start
// them in order, through the service control manager, waiting for each as Microsoft's
// "Stopping a Service" and "Starting a Service" samples do (renew/service_wait.h).
//
// IIS is restarted through the SCM (WAS, then W3SVC, in the plan's list), not with
// iisreset.exe: since IIS 7, WAS (Windows Process Activation Service) manages the
// application pools and worker processes, and "the World Wide Web Publishing Service
// (W3SVC) and other services depend on WAS" ("IIS Windows Process Activation Service
// (WAS)", learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2008-r2-
// and-2008/dd364237(v=ws.10)). Stopping W3SVC and WAS and starting them again is the
// restart of the SCEP application pool that NDES needs, with each service's own state,
// exit codes and wait hints seen and reported here. iisreset.exe instead acts on "all
// Internet services" (its usage text, `iisreset /?`: "/RESTART Stop and then restart
// all Internet services"; the IIisServiceControl interface it drives, IIS 6.0 SDK
// ms525399, has Stop, Start and Kill for all of them), so FTP, SMTP and the rest go down
// with it; it gives the stop 20 s by default and then terminates the services by force
// unless /NOFORCE is given; and it reports one exit code for all of them.
//
// Dependents: the SCM refuses to stop a service whose dependents run
// (ERROR_DEPENDENT_SERVICES_RUNNING; "Stopping a Service": "to programmatically stop
// such a service, you must first enumerate and stop its dependent services"). The
// reverse order stops the listed dependents first (W3SVC before WAS). A running
// dependent that is not listed (the WCF activation listeners NetTcpActivator,
// NetPipeActivator, NetMsmqActivator, or WMSVC, all on WAS) is stopped first too, as
// the sample does with EnumDependentServices, and started again after the listed
// services, so the host ends as it was. Failing instead would leave the renewal
// unable to restart IIS on any host with WCF activation installed.
//
// A stopping hook does not cut a restart short: every wait is bounded (the step's
// timeout_seconds, default 120 s, per service and state), and IIS left stopped would
// be worse than a late shutdown.
#include <algorithm>
#include <chrono>
#include <vector>

#include "base/text.h"
#include "base/time.h"
#include "base/win/error_text.h"
#include "base/win/handles.h"
#include "base/win/utf16.h"
#include "renew/service_wait.h"
#include "renew/windows/steps.h"

namespace ndes::renew::windows {
namespace {

// Rights to restart a service and to see who depends on it.
constexpr DWORD kServiceAccess =
    SERVICE_STOP | SERVICE_START | SERVICE_QUERY_STATUS | SERVICE_ENUMERATE_DEPENDENTS;
constexpr std::int64_t kDefaultWaitSeconds = 120;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ServiceStatusView view(const SERVICE_STATUS_PROCESS& s) {
  return {s.dwCurrentState, s.dwCheckPoint, s.dwWaitHint, s.dwWin32ExitCode,
          s.dwServiceSpecificExitCode};
}

struct Service {
  std::string name;
  win::ScHandle handle;
  bool was_running = false;
  bool stopped_by_us = false;
};

class Restart {
 public:
  Restart(const ScmApi& api, SC_HANDLE scm, std::int64_t wait_seconds)
      : api_(api), scm_(scm), wait_ms_(wait_seconds * 1000) {}

  // The service's status; "" or why not (the query failed: said so, not a timeout).
  std::string query(Service& s, SERVICE_STATUS_PROCESS& status) {
    DWORD needed = 0;
    if (!api_.query_service_status_ex(s.handle.get(), SC_STATUS_PROCESS_INFO,
                                      reinterpret_cast<LPBYTE>(&status), sizeof(status), &needed)) {
      const DWORD code = GetLastError();
      return "cannot query the status of " + s.name + ": " + win::numbered_error_text(code);
    }
    return "";
  }

  // Waits until `s` is in `target`; "" or why not.
  std::string wait_for(Service& s, ServiceState target) {
    SERVICE_STATUS_PROCESS status{};
    if (auto error = query(s, status); !error.empty()) {
      return error;
    }
    const std::int64_t start = now_ms();
    WaitProgress progress{status.dwCheckPoint, start};
    for (;;) {
      const WaitDecision d = next_wait(view(status), target, progress, now_ms(), start + wait_ms_);
      if (d.kind == WaitDecision::Kind::reached) {
        return "";
      }
      if (d.kind != WaitDecision::Kind::wait) {
        return s.name + " " + d.why;
      }
      api_.sleep_ms(d.wait_ms);
      if (auto error = query(s, status); !error.empty()) {
        return error;
      }
    }
  }

  // Sends stop and waits for stopped; "" or why not.
  std::string stop(Service& s) {
    SERVICE_STATUS status{};
    if (!api_.control_service(s.handle.get(), SERVICE_CONTROL_STOP, &status)) {
      const DWORD code = GetLastError();
      if (code == ERROR_SERVICE_NOT_ACTIVE) {
        return "";
      }
      if (code == ERROR_DEPENDENT_SERVICES_RUNNING) {
        return "cannot stop " + s.name +
               ": a service that depends on it is still running (listed after it, or started "
               "during the restart)";
      }
      // ERROR_SERVICE_CANNOT_ACCEPT_CTRL while it is stopping already: wait for that.
      if (code != ERROR_SERVICE_CANNOT_ACCEPT_CTRL) {
        return "cannot stop " + s.name + ": " + win::numbered_error_text(code);
      }
    }
    s.stopped_by_us = true;
    return wait_for(s, ServiceState::stopped);
  }

  // Starts and waits for running; "" or why not. *disabled: it is disabled.
  std::string start(Service& s, bool* disabled) {
    if (!api_.start_service(s.handle.get(), 0, nullptr)) {
      const DWORD code = GetLastError();
      if (code == ERROR_SERVICE_DISABLED) {
        *disabled = true;
        return s.name + " is disabled";
      }
      // Already running (a recovery action, or a dependency started it) is success.
      if (code != ERROR_SERVICE_ALREADY_RUNNING) {
        return "cannot start " + s.name + ": " + win::numbered_error_text(code);
      }
    }
    return wait_for(s, ServiceState::running);
  }

  // The running services that depend on `s`, in the order to stop them (the reverse
  // of their start order, as EnumDependentServices returns them); "" or why not.
  std::string active_dependents(Service& s, std::vector<std::string>& names) {
    DWORD needed = 0;
    DWORD count = 0;
    if (api_.enum_dependent_services(s.handle.get(), SERVICE_ACTIVE, nullptr, 0, &needed, &count)) {
      return "";  // none: the empty buffer was enough
    }
    DWORD code = GetLastError();
    if (code != ERROR_MORE_DATA) {
      return "cannot list the services that depend on " + s.name + ": " +
             win::numbered_error_text(code);
    }
    std::vector<unsigned char> buffer(needed);
    auto* list = reinterpret_cast<ENUM_SERVICE_STATUSW*>(buffer.data());
    if (!api_.enum_dependent_services(s.handle.get(), SERVICE_ACTIVE, list, needed, &needed,
                                      &count)) {
      code = GetLastError();
      return "cannot list the services that depend on " + s.name + ": " +
             win::numbered_error_text(code);
    }
    for (DWORD i = 0; i < count; ++i) {
      names.push_back(win::narrow(list[i].lpServiceName));
    }
    return "";
  }

  // Opens `name`; not installed -> empty handle and *not_installed.
  std::string open(const std::string& name, Service& s, bool* not_installed) {
    s.name = name;
    s.handle = win::ScHandle(api_.open_service(scm_, win::widen(name).c_str(), kServiceAccess));
    if (!s.handle) {
      const DWORD code = GetLastError();
      if (code == ERROR_SERVICE_DOES_NOT_EXIST) {
        *not_installed = true;
        return "";
      }
      return "cannot open service " + name + ": " + win::numbered_error_text(code);
    }
    return "";
  }

 private:
  const ScmApi& api_;
  SC_HANDLE scm_;
  std::int64_t wait_ms_;
};

bool listed(const std::vector<Service>& services, const std::string& name) {
  return std::any_of(services.begin(), services.end(),
                     [&](const Service& s) { return iequals(s.name, name); });
}

}  // namespace

StepOutcome restart_services(const PlannedStep& step, const ScmApi& api) {
  std::vector<std::string> names;
  for (const auto& n : split(param(step, "services"), ',')) {
    if (!trim(n).empty()) {
      names.push_back(trim(n));
    }
  }
  if (names.empty()) {
    return failed("no services to restart (the step's services parameter is empty)");
  }
  std::int64_t wait_seconds = kDefaultWaitSeconds;
  if (const std::string t = param(step, "timeout_seconds"); !t.empty()) {
    wait_seconds = parse_duration_seconds(t).value_or(kDefaultWaitSeconds);
  }
  const win::ScHandle scm(api.open_sc_manager(nullptr, nullptr, SC_MANAGER_CONNECT));
  if (!scm) {
    const DWORD code = GetLastError();
    return failed("cannot open the service control manager: " + win::numbered_error_text(code));
  }
  Restart restart(api, scm.get(), wait_seconds);

  // Open every listed service before stopping any: a bad name fails with nothing stopped.
  std::vector<Service> services;
  std::vector<std::string> not_installed;
  for (const auto& name : names) {
    Service s;
    bool missing = false;
    if (auto error = restart.open(name, s, &missing); !error.empty()) {
      return failed(error);
    }
    if (missing) {
      not_installed.push_back(name);
      continue;
    }
    SERVICE_STATUS_PROCESS status{};
    if (auto error = restart.query(s, status); !error.empty()) {
      return failed(error);
    }
    s.was_running = status.dwCurrentState != SERVICE_STOPPED;
    services.push_back(std::move(s));
  }

  StepOutcome out;
  out.facts["restart_started"] = format_time(unix_now());  // before the first stop
  std::vector<std::string> errors;
  std::vector<Service> dependents;  // stopped here, in stop order
  for (auto it = services.rbegin(); it != services.rend() && errors.empty(); ++it) {
    std::vector<std::string> active;
    if (auto error = restart.active_dependents(*it, active); !error.empty()) {
      errors.push_back(error);
      break;
    }
    for (const auto& name : active) {
      if (listed(services, name) || listed(dependents, name)) {
        continue;  // a listed one is stopped in its turn (it comes before in stop order)
      }
      Service d;
      bool missing = false;
      if (auto error = restart.open(name, d, &missing); !error.empty() || missing) {
        errors.push_back(missing ? name + " vanished while stopping its dependents" : error);
        break;
      }
      d.was_running = true;
      if (auto error = restart.stop(d); !error.empty()) {
        errors.push_back(error);
      }
      dependents.push_back(std::move(d));
    }
    if (errors.empty()) {
      if (auto error = restart.stop(*it); !error.empty()) {
        errors.push_back(error);
      }
    }
  }

  // Start everything, also after a failed stop, so nothing is left down: the listed
  // services in order, then the dependents stopped for them in reverse stop order.
  std::vector<std::string> restarted;
  std::vector<std::string> disabled;
  for (auto& s : services) {
    bool is_disabled = false;
    if (auto error = restart.start(s, &is_disabled); !error.empty()) {
      if (is_disabled && !s.was_running) {
        disabled.push_back(s.name);  // stopped and disabled before: left so, said so
        continue;
      }
      errors.push_back(error);
      continue;
    }
    restarted.push_back(s.name);
  }
  std::vector<std::string> dependents_restarted;
  for (auto it = dependents.rbegin(); it != dependents.rend(); ++it) {
    bool is_disabled = false;
    if (auto error = restart.start(*it, &is_disabled); !error.empty()) {
      errors.push_back(error);
      continue;
    }
    dependents_restarted.push_back(it->name);
  }

  out.facts["restarted"] = join(restarted, ",");
  out.facts["not_installed"] = join(not_installed, ",");
  if (!dependents_restarted.empty()) {
    out.facts["dependents_restarted"] = join(dependents_restarted, ",");
  }
  if (!disabled.empty()) {
    out.facts["disabled"] = join(disabled, ",");
  }
  std::string detail =
      restarted.empty() ? "no service restarted" : "restarted " + join(restarted, ", ");
  if (!dependents_restarted.empty()) {
    detail += "; their running dependents too: " + join(dependents_restarted, ", ");
  }
  if (!not_installed.empty()) {
    detail += "; not installed, skipped: " + join(not_installed, ", ");
  }
  if (!disabled.empty()) {
    detail += "; stopped and disabled, left so: " + join(disabled, ", ");
  }
  if (!errors.empty()) {
    out.status = "failed";
    detail = join(errors, "; ") + " (" + detail + ")";
  }
  out.detail = detail;
  return out;
}

}  // namespace ndes::renew::windows
