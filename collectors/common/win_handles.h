// Windows handles that close themselves, and the UTF-8 <-> UTF-16 and error-text
// helpers of the certstore collector, for the Windows health collectors.
#pragma once
#ifdef _WIN32

#ifndef NOMINMAX
#define NOMINMAX
#endif
// clang-format off
#include <windows.h>
#include <winsvc.h>
// clang-format on

#include <memory>
#include <type_traits>

#include "certstore/win_util.h"

namespace ndes::common {

using certstore::error_text;
using certstore::narrow;
using certstore::widen;

struct ScHandleCloser {
  void operator()(SC_HANDLE h) const { CloseServiceHandle(h); }
};
using ScHandle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, ScHandleCloser>;

struct RegKeyCloser {
  void operator()(HKEY h) const { RegCloseKey(h); }
};
using RegKeyHandle = std::unique_ptr<std::remove_pointer_t<HKEY>, RegKeyCloser>;

}  // namespace ndes::common

#endif  // _WIN32
