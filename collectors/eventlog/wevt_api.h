// The seam between the live event log source (wevt_source.h) and wevtapi.dll:
// one member per Windows Event Log API call the source makes, with the
// arguments it passes, so a test can record the flags and timeouts each call
// gets. The Windows build fills it with the real functions (real_wevt_api(),
// wevt_api_windows.cpp: each member forwards to its function, converting UTF-8
// to UTF-16 and back); tests on Linux and under wine (whose wevtapi is stubs:
// docs/windows.md) fill it with a stand-in log. Portable types: a handle is
// EVT_HANDLE (void*), a DWORD is std::uint32_t; the constants below are
// winevt.h's and winerror.h's values, checked against the headers by
// static_assert in wevt_api_windows.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace ndes::eventlog {

using EvtApiHandle = void*;

// EVT_QUERY_FLAGS, EVT_SEEK_FLAGS, EVT_RENDER_FLAGS (winevt.h).
inline constexpr std::uint32_t kEvtQueryChannelPath = 0x1;
inline constexpr std::uint32_t kEvtQueryForwardDirection = 0x100;
inline constexpr std::uint32_t kEvtSeekRelativeToBookmark = 4;
inline constexpr std::uint32_t kEvtSeekStrict = 0x10000;
inline constexpr std::uint32_t kEvtRenderEventXml = 1;
// Error codes (winerror.h).
inline constexpr std::uint32_t kErrorNoMoreItems = 259;           // ERROR_NO_MORE_ITEMS
inline constexpr std::uint32_t kErrorTimeout = 1460;              // ERROR_TIMEOUT
inline constexpr std::uint32_t kErrorEvtChannelNotFound = 15007;  // ERROR_EVT_CHANNEL_NOT_FOUND

struct WevtApi {
  // EvtQuery(NULL, path, query, flags): the local computer's log.
  std::function<EvtApiHandle(const std::string& path, const std::string& query,
                             std::uint32_t flags)>
      query;
  // EvtCreateBookmark(bookmark_xml).
  std::function<EvtApiHandle(const std::string& bookmark_xml)> create_bookmark;
  // EvtSeek(results, position, bookmark, timeout, flags).
  std::function<bool(EvtApiHandle results, std::int64_t position, EvtApiHandle bookmark,
                     std::uint32_t timeout, std::uint32_t flags)>
      seek;
  // EvtNext(results, size, events, timeout_ms, flags, &returned).
  std::function<bool(EvtApiHandle results, std::uint32_t size, EvtApiHandle* events,
                     std::uint32_t timeout_ms, std::uint32_t flags, std::uint32_t* returned)>
      next;
  // EvtRender(NULL, event, flags, ...) for a text rendering (EvtRenderEventXml):
  // asks for the size, then renders; the text as UTF-8.
  std::function<bool(EvtApiHandle event, std::uint32_t flags, std::string* text)> render;
  // EvtClose(handle).
  std::function<void(EvtApiHandle)> close;
  // GetLastError(), and its text (FormatMessage).
  std::function<std::uint32_t()> last_error;
  std::function<std::string(std::uint32_t)> error_text;
};

// The real wevtapi.dll functions. Windows only (wevt_api_windows.cpp).
const WevtApi& real_wevt_api();

// What one EvtNext call said. Its documentation: call it "in a loop until the
// function returns FALSE and the error code is ERROR_NO_MORE_ITEMS"; "if the
// time-out expires, the last error is set to ERROR_TIMEOUT"
// (https://learn.microsoft.com/en-us/windows/win32/api/winevt/nf-winevt-evtnext).
enum class NextOutcome {
  events,     // TRUE with events: render them, call again
  end,        // FALSE, ERROR_NO_MORE_ITEMS: the result set is read
  timed_out,  // FALSE, ERROR_TIMEOUT: not "no more", an error
  failed,     // FALSE with any other error, or TRUE with no event (would loop)
};
// Pure: `error` is GetLastError() after a FALSE (ignored after TRUE).
NextOutcome classify_evt_next(bool ok, std::uint32_t returned, std::uint32_t error);

}  // namespace ndes::eventlog
