// The thin seam under restart_services: every service control manager call it makes,
// one pointer each, set to the real advapi32 function by default. A test swaps in
// functions that record the arguments (the access rights, control codes, info levels)
// and forward to the real ones, to show they are the documented ones. Windows only.
#pragma once

// clang-format off
#include <windows.h>
#include <winsvc.h>
// clang-format on

namespace ndes::renew::windows {

struct ScmApi {
  decltype(&OpenSCManagerW) open_sc_manager = &OpenSCManagerW;
  decltype(&OpenServiceW) open_service = &OpenServiceW;
  decltype(&ControlService) control_service = &ControlService;
  decltype(&StartServiceW) start_service = &StartServiceW;
  decltype(&QueryServiceStatusEx) query_service_status_ex = &QueryServiceStatusEx;
  decltype(&EnumDependentServicesW) enum_dependent_services = &EnumDependentServicesW;
  void (*sleep_ms)(DWORD) = [](DWORD ms) { Sleep(ms); };
};

}  // namespace ndes::renew::windows
