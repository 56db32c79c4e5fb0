// test_service.exe: a Windows service for the renew hook's restart tests under wine's
// service control manager. Installed with a command line
//   test_service.exe <name> <log file> [--start-ms N] [--stop-ms N] [--fail-start]
// it reports START_PENDING with moving checkpoints and a wait hint for --start-ms
// (default 600), then RUNNING; on SERVICE_CONTROL_STOP it reports STOP_PENDING the same
// way for --stop-ms, then STOPPED. It appends "start <name>" once running and
// "stop <name>" once stopping to the log file, so a test sees the order in which the
// services really went. --fail-start stops it again while starting, with service exit
// code 42 (a service that cannot start).
// clang-format off
#include <windows.h>
#include <shellapi.h>
// clang-format on

#include <string>

namespace {

std::wstring g_name;
std::wstring g_log;
DWORD g_start_ms = 600;
DWORD g_stop_ms = 600;
bool g_fail_start = false;

SERVICE_STATUS_HANDLE g_handle = nullptr;
SERVICE_STATUS g_status{};
HANDLE g_stop = nullptr;

void report(DWORD state, DWORD checkpoint, DWORD wait_hint, DWORD exit_code = NO_ERROR,
            DWORD service_exit_code = 0) {
  g_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  g_status.dwCurrentState = state;
  g_status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP : 0;
  g_status.dwWin32ExitCode = exit_code;
  g_status.dwServiceSpecificExitCode = service_exit_code;
  g_status.dwCheckPoint = checkpoint;
  g_status.dwWaitHint = wait_hint;
  SetServiceStatus(g_handle, &g_status);
}

void log_line(const std::wstring& what) {
  const std::wstring line = what + L" " + g_name + L"\r\n";
  const int n = WideCharToMultiByte(CP_UTF8, 0, line.c_str(), -1, nullptr, 0, nullptr, nullptr);
  std::string utf8(static_cast<std::size_t>(n > 0 ? n - 1 : 0), '\0');
  WideCharToMultiByte(CP_UTF8, 0, line.c_str(), -1, utf8.data(), n, nullptr, nullptr);
  HANDLE f = CreateFileW(g_log.c_str(), FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (f != INVALID_HANDLE_VALUE) {
    DWORD written = 0;
    WriteFile(f, utf8.data(), static_cast<DWORD>(utf8.size()), &written, nullptr);
    CloseHandle(f);
  }
}

// Pending for `ms` in four steps, the checkpoint moving at each.
void pending(DWORD state, DWORD ms) {
  for (DWORD checkpoint = 1; checkpoint <= 4; ++checkpoint) {
    report(state, checkpoint, ms + 2000);
    Sleep(ms / 4);
  }
}

DWORD WINAPI handler(DWORD control, DWORD, LPVOID, LPVOID) {
  if (control == SERVICE_CONTROL_STOP) {
    report(SERVICE_STOP_PENDING, 1, g_stop_ms + 2000);
    SetEvent(g_stop);
    return NO_ERROR;
  }
  return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
}

void WINAPI service_main(DWORD, LPWSTR*) {
  g_handle = RegisterServiceCtrlHandlerExW(g_name.c_str(), handler, nullptr);
  if (g_handle == nullptr) {
    return;
  }
  g_stop = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  pending(SERVICE_START_PENDING, g_start_ms);
  if (g_fail_start) {
    log_line(L"failed");
    report(SERVICE_STOPPED, 0, 0, ERROR_SERVICE_SPECIFIC_ERROR, 42);
    return;
  }
  log_line(L"start");  // before RUNNING: the restart starts the next one after that
  report(SERVICE_RUNNING, 0, 0);
  WaitForSingleObject(g_stop, INFINITE);
  log_line(L"stop");
  pending(SERVICE_STOP_PENDING, g_stop_ms);
  report(SERVICE_STOPPED, 0, 0);
}

}  // namespace

int main() {
  int argc = 0;
  LPWSTR* argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  if (argv == nullptr || argc < 3) {
    return 2;
  }
  g_name = argv[1];
  g_log = argv[2];
  for (int i = 3; i < argc; ++i) {
    const std::wstring arg = argv[i];
    if (arg == L"--start-ms" && i + 1 < argc) {
      g_start_ms = static_cast<DWORD>(_wtoi(argv[++i]));
    } else if (arg == L"--stop-ms" && i + 1 < argc) {
      g_stop_ms = static_cast<DWORD>(_wtoi(argv[++i]));
    } else if (arg == L"--fail-start") {
      g_fail_start = true;
    }
  }
  SERVICE_TABLE_ENTRYW table[] = {{g_name.data(), service_main}, {nullptr, nullptr}};
  return StartServiceCtrlDispatcherW(table) ? 0 : 1;
}
