// The service control manager, as the services collector and the renew hook open
// it: connect to the local SCM, then open one service with the rights the caller
// needs. Windows only; header-only (advapi32).
#pragma once

#include <string_view>

#include "base/win/handles.h"
#include "base/win/utf16.h"

namespace ndes::win {

// The local SCM with SC_MANAGER_CONNECT; empty on failure (GetLastError says why).
inline ScHandle open_scm() {
  return ScHandle(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
}

// The service `name` with `access` (SERVICE_QUERY_STATUS...); empty on failure
// (GetLastError: ERROR_SERVICE_DOES_NOT_EXIST when it is not installed).
inline ScHandle open_service(SC_HANDLE scm, std::string_view name, DWORD access) {
  return ScHandle(OpenServiceW(scm, widen(name).c_str(), access));
}

}  // namespace ndes::win
