// The `eventlog` collector's Windows shell: for each configured source, EvtQuery
// on its log with the source's XPath (event_record.h). The first scrape reads the
// look-back window (default 24 h); after that a bookmark per source (EvtSeek
// relative to it) makes each scrape read only the events that arrived since, at
// most max_events_per_scrape of them (the rest wait for the next scrape). Events
// are rendered as XML and parsed by the pure part, and counted since start.
// A log that does not exist (the connector not installed) is skipped with a
// warning; any other failure of the event log API fails the collection.
#ifdef _WIN32

#ifndef NOMINMAX
#define NOMINMAX
#endif
// clang-format off
#include <windows.h>
#include <winevt.h>
// clang-format on

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/guarded_collect.h"
#include "common/win_handles.h"
#include "eventlog/event_record.h"
#include "ndes/collect/collector.h"
#include "ndes/config.h"

namespace ndes::eventlog {
namespace {

struct EvtCloser {
  void operator()(EVT_HANDLE h) const { EvtClose(h); }
};
using EvtHandle = std::unique_ptr<std::remove_pointer_t<EVT_HANDLE>, EvtCloser>;

std::runtime_error evt_error(const std::string& what, DWORD code) {
  if (code == ERROR_SUCCESS) {
    // Failed without an error code: what a stub does (wine's wevtapi).
    return std::runtime_error(what +
                              ": failed without an error code (the event log API is "
                              "not implemented here)");
  }
  return std::runtime_error(what + ": " + common::error_text(code));
}

std::string render_xml(EVT_HANDLE event) {
  DWORD used = 0;
  DWORD props = 0;
  EvtRender(nullptr, event, EvtRenderEventXml, 0, nullptr, &used, &props);
  std::vector<wchar_t> buf(used / sizeof(wchar_t) + 1);
  if (!EvtRender(nullptr, event, EvtRenderEventXml,
                 static_cast<DWORD>(buf.size() * sizeof(wchar_t)), buf.data(), &used, &props)) {
    throw evt_error("EvtRender", GetLastError());
  }
  return common::narrow(std::wstring(buf.data()));
}

struct SourceState {
  EventlogSource source;
  EvtHandle bookmark;  // where the last counted event is; null until there is one
  bool warned_missing = false;
};

class EventlogCollector : public Collector {
 public:
  explicit EventlogCollector(const ExporterConfig& config)
      : max_events_(config.eventlog.max_events_per_scrape),
        look_back_ms_(std::uint64_t{config.eventlog.look_back_seconds} * 1000) {
    for (const auto& s : config.eventlog.sources) {
      sources_.push_back(SourceState{s, nullptr, false});
    }
  }
  std::string_view name() const override { return kCollector; }

  CollectorResult collect() override {
    return common::guarded_collect(kCollector, [&](CollectorResult& result) {
      std::lock_guard lock(mutex_);
      for (auto& state : sources_) {
        read_new_events(state);
      }
      result.samples = tally_.samples();
    });
  }

 private:
  void read_new_events(SourceState& state) {
    const std::wstring log = common::widen(state.source.log);
    // Before the first event: the look-back window; after: everything past the bookmark.
    const std::string xpath = xpath_query(state.source, state.bookmark ? 0 : look_back_ms_);
    // (Events older than the look-back window never count: a source that has had
    // no event yet keeps asking for the window only.)
    EvtHandle query(EvtQuery(nullptr, log.c_str(), common::widen(xpath).c_str(),
                             EvtQueryChannelPath | EvtQueryForwardDirection));
    if (!query) {
      const DWORD err = GetLastError();
      if (err == ERROR_EVT_CHANNEL_NOT_FOUND) {
        if (!state.warned_missing) {
          spdlog::warn("eventlog collector: there is no log {} here", state.source.log);
          state.warned_missing = true;
        }
        return;
      }
      throw evt_error("EvtQuery(" + state.source.log + ", " + xpath + ")", err);
    }
    if (state.bookmark &&
        !EvtSeek(query.get(), 1, state.bookmark.get(), 0, EvtSeekRelativeToBookmark)) {
      // The bookmarked event is gone (log cleared or wrapped): start again from the
      // look-back window on the next scrape rather than count the whole log.
      spdlog::info(
          "eventlog collector: {}: bookmark lost ({}), starting again from the "
          "look-back window",
          state.source.log, common::error_text(GetLastError()));
      state.bookmark.reset();
      return;
    }
    unsigned read = 0;
    while (read < max_events_) {
      EVT_HANDLE batch[64];
      DWORD got = 0;
      const DWORD want = std::min<DWORD>(64, max_events_ - read);
      if (!EvtNext(query.get(), want, batch, 1000, 0, &got)) {
        const DWORD err = GetLastError();
        if (err == ERROR_NO_MORE_ITEMS || err == ERROR_TIMEOUT) {
          break;
        }
        throw evt_error("EvtNext(" + state.source.log + ")", err);
      }
      for (DWORD i = 0; i < got; ++i) {
        EvtHandle event(batch[i]);
        std::string error;
        const auto record = parse_event_xml(render_xml(event.get()), &error);
        if (!record) {
          spdlog::warn("eventlog collector: {}: an event is skipped: {}", state.source.log, error);
        } else if (matches(state.source, *record)) {
          EventRecord r = *record;
          if (r.log.empty()) {
            r.log = state.source.log;
          }
          tally_.add(r);
        }
        if (!state.bookmark) {
          state.bookmark.reset(EvtCreateBookmark(nullptr));
          if (!state.bookmark) {
            throw evt_error("EvtCreateBookmark", GetLastError());
          }
        }
        EvtUpdateBookmark(state.bookmark.get(), event.get());
      }
      read += got;
    }
    if (read >= max_events_) {
      spdlog::info("eventlog collector: {}: {} events read, the rest waits for the next scrape",
                   state.source.log, read);
    }
  }

  unsigned max_events_;
  std::uint64_t look_back_ms_;
  std::mutex mutex_;
  std::vector<SourceState> sources_;
  EventTally tally_;
};

[[maybe_unused]] const bool kRegistered = [] {
  CollectorRegistry::instance().add(
      kCollector, [](const ExporterConfig& c) { return std::make_unique<EventlogCollector>(c); });
  return true;
}();

}  // namespace
}  // namespace ndes::eventlog

#endif  // _WIN32
