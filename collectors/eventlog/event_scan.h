// The `eventlog` collector's scan: what happens to events once a source has read
// them, the same for every source. A source (EventSource) answers one question:
// "the rendered event XML for this query, after this bookmark, at most N"; the
// scan builds the query, parses what comes back (parse_event_xml), counts what
// belongs to the source (matches, the look-back window), moves the bookmark to
// the newest EventRecordID and keeps the tally. Sources:
//   - the live event log (EvtQuery/EvtSeek/EvtNext/EvtRender, eventlog_collector.cpp,
//     Windows only);
//   - a directory of exported event XML (xml_dir_source.h), for offline analysis
//     of an export and where the event log API is missing (wine).
// Pure apart from the source and the log, so it is unit-tested with the directory
// source on Linux and under wine alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eventlog/event_record.h"
#include "eventlog/eventlog_config.h"
#include "ndes/collect/records.h"

namespace ndes::eventlog {

// One source's question for one scrape.
struct EventQuery {
  const EventlogSource* source = nullptr;
  std::string xpath;                   // xpath_query(): provider, IDs, window
  std::optional<std::uint64_t> after;  // the bookmark: the newest EventRecordID read
  double not_before = 0;               // the look-back window's start (Unix s); 0 = none
  unsigned max = 0;                    // events to return at most
};

// Whether an event answers the query: it belongs to the source and is past the
// bookmark, or (before the first event) inside the look-back window. The XPath
// says the same to EvtQuery; the scan checks it again for every source.
bool selected(const EventQuery& query, const EventRecord& event);

struct EventBatch {
  enum class Status { ok, log_missing, bookmark_lost };
  Status status = Status::ok;
  std::vector<std::string> events;  // rendered event XML, oldest first
  std::string detail;               // why, when not ok
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Throws std::runtime_error (with the log and the reason) when the source fails.
  virtual EventBatch read(const EventQuery& query) = 0;
};

// The configured sources' bookmarks and the counts since start. Not
// thread-safe: the collector holds a lock.
class EventScan {
 public:
  explicit EventScan(const EventlogCollectorConfig& config);
  // One scrape: each source's new events from `from`; `now` is Unix seconds.
  void scrape(EventSource& from, double now);
  std::vector<Sample> samples() const { return tally_.samples(); }

 private:
  struct SourceState {
    EventlogSource source;
    std::optional<std::uint64_t> bookmark;
    bool warned_missing = false;
  };
  void read_new_events(EventSource& from, SourceState& state, double now);

  unsigned max_events_;
  unsigned look_back_seconds_;
  std::vector<SourceState> sources_;
  EventTally tally_;
};

}  // namespace ndes::eventlog
