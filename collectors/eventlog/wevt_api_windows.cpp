// The WevtApi seam (wevt_api.h) filled with the real wevtapi.dll functions. Each
// member forwards to its function unchanged; only strings are converted
// (UTF-8 <-> UTF-16). Windows only.
// clang-format off
#include <windows.h>
#include <winevt.h>
// clang-format on

#include <string>
#include <vector>

#include "base/win/error_text.h"
#include "base/win/utf16.h"
#include "eventlog/wevt_api.h"

namespace ndes::eventlog {
namespace {

// The seam's constants are the headers' values.
static_assert(kEvtQueryChannelPath == EvtQueryChannelPath);
static_assert(kEvtQueryForwardDirection == EvtQueryForwardDirection);
static_assert(kEvtSeekRelativeToBookmark == EvtSeekRelativeToBookmark);
static_assert(kEvtSeekStrict == EvtSeekStrict);
static_assert(kEvtRenderEventXml == EvtRenderEventXml);
static_assert(kErrorNoMoreItems == ERROR_NO_MORE_ITEMS);
static_assert(kErrorTimeout == ERROR_TIMEOUT);
static_assert(kErrorEvtChannelNotFound == ERROR_EVT_CHANNEL_NOT_FOUND);
static_assert(sizeof(EvtApiHandle) == sizeof(EVT_HANDLE));

// EvtRender for a text rendering: a first call without a buffer fails with
// ERROR_INSUFFICIENT_BUFFER and sets BufferUsed to the size needed, in bytes
// (https://learn.microsoft.com/en-us/windows/win32/api/winevt/nf-winevt-evtrender).
bool render_text(EVT_HANDLE event, DWORD flags, std::string* text) {
  DWORD used = 0;
  DWORD props = 0;
  if (!EvtRender(nullptr, event, flags, 0, nullptr, &used, &props) &&
      GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
    return false;
  }
  std::vector<wchar_t> buf(used / sizeof(wchar_t) + 1);
  if (!EvtRender(nullptr, event, flags, static_cast<DWORD>(buf.size() * sizeof(wchar_t)),
                 buf.data(), &used, &props)) {
    return false;
  }
  *text = win::narrow(std::wstring(buf.data()));
  return true;
}

WevtApi make_real() {
  WevtApi api;
  api.query = [](const std::string& path, const std::string& query, std::uint32_t flags) {
    return static_cast<EvtApiHandle>(
        EvtQuery(nullptr, win::widen(path).c_str(), win::widen(query).c_str(), flags));
  };
  api.create_bookmark = [](const std::string& xml) {
    return static_cast<EvtApiHandle>(EvtCreateBookmark(win::widen(xml).c_str()));
  };
  api.seek = [](EvtApiHandle results, std::int64_t position, EvtApiHandle bookmark,
                std::uint32_t timeout, std::uint32_t flags) {
    return EvtSeek(results, position, bookmark, timeout, flags) != FALSE;
  };
  api.next = [](EvtApiHandle results, std::uint32_t size, EvtApiHandle* events,
                std::uint32_t timeout_ms, std::uint32_t flags, std::uint32_t* returned) {
    DWORD got = 0;
    const BOOL ok =
        EvtNext(results, size, reinterpret_cast<EVT_HANDLE*>(events), timeout_ms, flags, &got);
    *returned = got;
    return ok != FALSE;
  };
  api.render = [](EvtApiHandle event, std::uint32_t flags, std::string* text) {
    return render_text(event, flags, text);
  };
  api.close = [](EvtApiHandle h) { EvtClose(h); };
  api.last_error = [] { return static_cast<std::uint32_t>(GetLastError()); };
  api.error_text = [](std::uint32_t code) { return win::error_text(code); };
  return api;
}

}  // namespace

const WevtApi& real_wevt_api() {
  static const WevtApi api = make_real();
  return api;
}

}  // namespace ndes::eventlog
