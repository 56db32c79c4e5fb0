// The `eventlog` collector's pure part: an event as EvtRender(EvtRenderEventXml)
// gives it, reduced to what the metrics need; the XPath query for a configured
// source; and the tally behind
//   ndes_eventlog_events_total{log,provider,event_id,level}
//   ndes_eventlog_last_event_timestamp_seconds{log,provider,event_id}
// Pure, so it is unit-tested on Linux and Windows alike (wine's event log API is
// a stub: docs/windows.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "eventlog/eventlog_config.h"
#include "ndes/collect/records.h"

namespace ndes::eventlog {

inline constexpr const char* kCollector = "eventlog";

struct EventRecord {
  std::string log;       // <Channel>
  std::string provider;  // <Provider Name=...>
  unsigned event_id = 0;
  unsigned level = 0;           // <Level>: 1 critical ... 5 verbose, 0 = LogAlways
  double time_unix = 0;         // <TimeCreated SystemTime=...>, Unix seconds
  std::uint64_t record_id = 0;  // <EventRecordID>
};

// One rendered event. nullopt (and *error) when it is not event XML or lacks the
// provider, the event ID or the time.
std::optional<EventRecord> parse_event_xml(std::string_view xml, std::string* error);

// "2026-11-25T15:04:05.1234567Z" -> Unix seconds; nullopt when malformed.
std::optional<double> parse_system_time(std::string_view text);

// 1 critical, 2 error, 3 warning, 4 and 0 information, 5 verbose, else the number.
std::string level_name(unsigned level);

// The structured XPath query EvtQuery takes for a source: its provider and event
// IDs, and, when look_back_ms > 0, only events younger than that.
std::string xpath_query(const EventlogSource& source, std::uint64_t look_back_ms);

// The same query for the events from a time on (Unix seconds, taken down to the
// whole second: the scan compares exactly), as Event Viewer writes a custom range:
// TimeCreated[@SystemTime >= '2026-11-25T15:04:05.000Z']. After a lost bookmark.
std::string xpath_query_since(const EventlogSource& source, double since_unix);

// The bookmark EvtCreateBookmark takes for "after record N of this log" (the
// form EvtRender(EvtRenderBookmark) gives), so the bookmark is the EventRecordID
// the scan keeps, whichever source reads.
std::string bookmark_xml(const std::string& log, std::uint64_t record_id);

// Whether an event belongs to a source (the query says the same; this keeps a
// wider answer from counting).
bool matches(const EventlogSource& source, const EventRecord& event);

// The counts since start. Not thread-safe: the collector holds a lock.
class EventTally {
 public:
  void add(const EventRecord& event);
  std::vector<Sample> samples() const;

 private:
  using CountKey = std::tuple<std::string, std::string, unsigned, std::string>;
  using LastKey = std::tuple<std::string, std::string, unsigned>;
  std::map<CountKey, double> counts_;
  std::map<LastKey, double> last_;
};

}  // namespace ndes::eventlog
