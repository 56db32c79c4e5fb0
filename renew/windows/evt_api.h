// The thin seam under the live event source of check_ndes_event: the wevtapi calls it
// makes, one pointer each, set to the real functions by default. A test swaps in
// functions that record the path, query, flags and timeout (and answer as wine's stubs
// cannot) to show they are the documented ones. Windows only.
#pragma once

// clang-format off
#include <windows.h>
#include <winevt.h>
// clang-format on

#include <memory>
#include <string>

#include "renew/event_wait.h"

namespace ndes::renew::windows {

struct EvtApi {
  decltype(&EvtQuery) query = &EvtQuery;
  decltype(&EvtNext) next = &EvtNext;
  decltype(&EvtRender) render = &EvtRender;
};

// How long one EvtNext call may wait for the log ("EvtNext function": the Timeout
// parameter, in milliseconds; ERROR_TIMEOUT when it expires). A reverse filtered scan
// of a large Application log takes seconds, not 0 ms.
inline constexpr DWORD kEvtNextTimeoutMs = 10'000;
// Events asked for per EvtNext call, and read at most per query.
inline constexpr DWORD kEvtNextBatch = 16;
inline constexpr std::size_t kEvtMaxEvents = 256;

// The Application log through `api` (the live source).
std::unique_ptr<NdesEventSource> make_event_log_source(const EvtApi& api = EvtApi{});

}  // namespace ndes::renew::windows
