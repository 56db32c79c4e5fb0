// The live event log as an EventSource, through the WevtApi seam (wevt_api.h):
//   EvtQuery(log, xpath, EvtQueryChannelPath | EvtQueryForwardDirection)
//   with a bookmark: EvtCreateBookmark(<BookmarkList>...) and
//     EvtSeek(position 0, bookmark, timeout 0, EvtSeekRelativeToBookmark | EvtSeekStrict)
//   EvtNext(64 at a time, timeout = what is left of the read's time budget, flags 0)
//   EvtRender(EvtRenderEventXml) for each event, EvtClose for every handle.
// Portable: the Windows build passes real_wevt_api(), tests a stand-in log.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "eventlog/event_scan.h"
#include "eventlog/wevt_api.h"

namespace ndes::eventlog {

// One source's read may take this long in all; each EvtNext waits at most what
// is left of it. Three default sources stay within 15 s; a read that does not
// finish in time is a collection error naming the log and how far it got, and
// what it read is counted (the next scrape goes on from there).
inline constexpr std::uint32_t kReadBudgetMs = 5000;
inline constexpr std::uint32_t kEvtNextBatch = 64;  // event handles per EvtNext

class WevtSource : public EventSource {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit WevtSource(const WevtApi& api, Clock clock = std::chrono::steady_clock::now)
      : api_(api), clock_(std::move(clock)) {}
  // Throws std::runtime_error naming the call and the log when EvtQuery (other
  // than for a missing log), EvtCreateBookmark or EvtRender fail.
  EventBatch read(const EventQuery& query) override;

 private:
  const WevtApi& api_;
  Clock clock_;
};

}  // namespace ndes::eventlog
