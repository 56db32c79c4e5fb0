// The `eventlog` collector's Windows shell. Each scrape, EventScan (event_scan.h)
// asks a source for each configured log's new events and counts them; the source
// is the live event log below, or with --collector.eventlog.xml-dir a directory
// of exported event XML (xml_dir_source.h). Everything after the source - the
// parsing, the look-back window, the bookmark by EventRecordID, the cap per
// scrape, the tally - is the same code for both.
//
// The live log: EvtQuery on the source's log with its XPath (event_record.h).
// The first scrape reads the look-back window (default 24 h); after that the
// bookmark (EvtCreateBookmark from the last EventRecordID, EvtSeek relative to
// it) makes each scrape read only the events that arrived since, at most
// max_events_per_scrape of them (the rest wait for the next scrape). Events are
// rendered as XML. A log that does not exist (the connector not installed) is
// skipped with a warning; any other failure of the event log API fails the
// collection.
// clang-format off
#include <windows.h>
#include <winevt.h>
// clang-format on

#include "eventlog/eventlog_collector.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/win/error_text.h"
#include "base/win/handles.h"
#include "base/win/utf16.h"
#include "eventlog/event_record.h"
#include "eventlog/event_scan.h"
#include "eventlog/eventlog_config.h"
#include "eventlog/xml_dir_source.h"
#include "ndes/collect/collector.h"

namespace ndes::eventlog {
namespace {

using win::EvtHandle;

std::runtime_error evt_error(const std::string& what, DWORD code) {
  if (code == ERROR_SUCCESS) {
    // Failed without an error code: what a stub does (wine's wevtapi).
    return std::runtime_error(what +
                              ": failed without an error code (the event log API is "
                              "not implemented here)");
  }
  return std::runtime_error(what + ": " + win::error_text(code));
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
  return win::narrow(std::wstring(buf.data()));
}

// The live event log (wevtapi).
class EvtLogSource : public EventSource {
 public:
  EventBatch read(const EventQuery& q) override {
    const std::string& log = q.source->log;
    EventBatch batch;
    EvtHandle query(EvtQuery(nullptr, win::widen(log).c_str(), win::widen(q.xpath).c_str(),
                             EvtQueryChannelPath | EvtQueryForwardDirection));
    if (!query) {
      const DWORD err = GetLastError();
      if (err == ERROR_EVT_CHANNEL_NOT_FOUND) {
        batch.status = EventBatch::Status::log_missing;
        return batch;
      }
      throw evt_error("EvtQuery(" + log + ", " + q.xpath + ")", err);
    }
    if (q.after) {
      EvtHandle bookmark(EvtCreateBookmark(win::widen(bookmark_xml(log, *q.after)).c_str()));
      if (!bookmark) {
        throw evt_error("EvtCreateBookmark", GetLastError());
      }
      if (!EvtSeek(query.get(), 1, bookmark.get(), 0, EvtSeekRelativeToBookmark)) {
        batch.status = EventBatch::Status::bookmark_lost;
        batch.detail = win::error_text(GetLastError());
        return batch;
      }
    }
    while (batch.events.size() < q.max) {
      EVT_HANDLE got_events[64];
      DWORD got = 0;
      const DWORD want = std::min<DWORD>(64, q.max - static_cast<DWORD>(batch.events.size()));
      if (!EvtNext(query.get(), want, got_events, 1000, 0, &got)) {
        const DWORD err = GetLastError();
        if (err == ERROR_NO_MORE_ITEMS || err == ERROR_TIMEOUT) {
          break;
        }
        throw evt_error("EvtNext(" + log + ")", err);
      }
      std::vector<EvtHandle> owned(got_events, got_events + got);
      for (const auto& event : owned) {
        batch.events.push_back(render_xml(event.get()));
      }
    }
    return batch;
  }
};

std::unique_ptr<EventSource> make_source(const EventlogCollectorConfig& config) {
  if (!config.xml_dir.empty()) {
    log_info("reading exported events, not the live log",
             {{"collector", "eventlog"}, {"dir", config.xml_dir}});
    return std::make_unique<XmlDirSource>(config.xml_dir);
  }
  return std::make_unique<EvtLogSource>();
}

class EventlogCollector : public Collector {
 public:
  explicit EventlogCollector(const EventlogCollectorConfig& config)
      : scan_(config), source_(make_source(config)) {}
  std::string_view name() const override { return kCollector; }

  CollectorResult collect() override {
    CollectorResult result;
    result.collector = kCollector;
    std::lock_guard lock(mutex_);
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    scan_.scrape(*source_, now);
    result.samples = scan_.samples();
    return result;
  }

 private:
  std::mutex mutex_;
  EventScan scan_;
  std::unique_ptr<EventSource> source_;
};

}  // namespace

std::unique_ptr<Collector> make_collector(const EventlogCollectorConfig& config) {
  return std::make_unique<EventlogCollector>(config);
}

}  // namespace ndes::eventlog
