#include "base/win/service.h"

// clang-format off
#include <windows.h>
// clang-format on

#include <spdlog/sinks/win_eventlog_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "base/log.h"

namespace ndes::winsvc {
namespace {

std::wstring g_name;
const std::function<int()>* g_body = nullptr;
int g_exit_code = 0;
bool g_in_service = false;
SERVICE_STATUS_HANDLE g_status_handle = nullptr;
std::mutex g_status_mutex;
SERVICE_STATUS g_status{};
HANDLE g_stop_event = nullptr;
std::atomic<const char*> g_stop_reason{"console control event"};

void set_state(DWORD state, DWORD wait_hint_ms = 0) {
  std::lock_guard lock(g_status_mutex);
  if (g_status_handle == nullptr) {
    return;
  }
  g_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  g_status.dwCurrentState = state;
  g_status.dwControlsAccepted =
      state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  g_status.dwWaitHint = wait_hint_ms;
  g_status.dwCheckPoint = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING
                              ? g_status.dwCheckPoint + 1
                              : 0;
  if (state == SERVICE_STOPPED && g_exit_code != 0) {
    g_status.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
    g_status.dwServiceSpecificExitCode = static_cast<DWORD>(g_exit_code);
  }
  SetServiceStatus(g_status_handle, &g_status);
}

void signal_stop(const char* reason) {
  g_stop_reason = reason;
  if (g_stop_event != nullptr) {
    SetEvent(g_stop_event);
  }
}

DWORD WINAPI on_control(DWORD control, DWORD, LPVOID, LPVOID) {
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
      // The body's shutdown (server stop, flush) takes well under this.
      set_state(SERVICE_STOP_PENDING, 15000);
      signal_stop(control == SERVICE_CONTROL_STOP ? "service stop" : "system shutdown");
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

void WINAPI service_main(DWORD, LPWSTR*) {
  g_status_handle = RegisterServiceCtrlHandlerExW(g_name.c_str(), on_control, nullptr);
  if (g_status_handle == nullptr) {
    return;
  }
  g_in_service = true;
  // Registered first, before the body reads its config: the SCM waits 30 s at most
  // for the first status.
  set_state(SERVICE_START_PENDING, 30000);
  g_exit_code = (*g_body)();
  set_state(SERVICE_STOPPED);
}

BOOL WINAPI on_console_ctrl(DWORD type) {
  signal_stop(type == CTRL_C_EVENT ? "Ctrl+C" : "console control event");
  return TRUE;
}

}  // namespace

int run_service_or_console(const std::string& name, const std::function<int()>& body) {
  g_name = std::wstring(name.begin(), name.end());
  g_body = &body;
  // Before anything can ask to stop.
  g_stop_event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  SERVICE_TABLE_ENTRYW table[] = {{g_name.data(), service_main}, {nullptr, nullptr}};
  if (StartServiceCtrlDispatcherW(table)) {
    return g_exit_code;  // ServiceMain ran the body
  }
  // ERROR_FAILED_SERVICE_CONTROLLER_CONNECT: not started by the SCM, a console run.
  return body();
}

bool in_service() { return g_in_service; }

void report_running() {
  if (g_in_service) {
    set_state(SERVICE_RUNNING);
  }
}

void prepare_stop() {
  if (g_stop_event == nullptr) {
    g_stop_event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  }
  SetConsoleCtrlHandler(on_console_ctrl, TRUE);
}

std::string wait_for_stop() {
  WaitForSingleObject(g_stop_event, INFINITE);
  return g_stop_reason.load();
}

void add_event_log_sink(const std::string& source) {
  if (!g_in_service) {
    return;
  }
  try {
    auto sink = std::make_shared<spdlog::sinks::win_eventlog_sink_mt>(source);
    sink->set_formatter(make_log_formatter("logfmt"));
    spdlog::default_logger()->sinks().push_back(std::move(sink));
  } catch (const std::exception& e) {
    spdlog::warn("cannot log to the Windows Event Log: {}", e.what());
  }
}

}  // namespace ndes::winsvc
