// The `eventlog` collector's scan: what happens to events once a source has read
// them, the same for every source. A source (EventSource) answers one question:
// "the rendered event XML for this query, from this bookmark, at most N"; the
// scan builds the query, parses what comes back (parse_event_xml), checks the
// bookmark (bookmark_check), counts what belongs to the source (matches, the
// look-back window), moves the bookmark to the newest EventRecordID and keeps the
// tally. Sources:
//   - the live event log (EvtQuery/EvtSeek/EvtNext/EvtRender behind the WevtApi
//     seam, wevt_source.h; the real calls on Windows only);
//   - a directory of exported event XML (xml_dir_source.h), for offline analysis
//     of an export and where the event log API is missing (wine).
// Pure apart from the source and the log, so it is unit-tested with both sources
// on Linux and under wine alike.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "eventlog/event_record.h"
#include "eventlog/eventlog_config.h"
#include "ndes/collect/records.h"

namespace ndes::eventlog {

// Where a source's scan has got to: the newest event read, by its EventRecordID
// and its time (an ID alone does not say which event it is once a cleared log
// has numbered its events from 1 again).
struct Bookmark {
  std::uint64_t record_id = 0;
  double time_unix = 0;
};

// One source's question for one scrape. Exactly one of three starts:
//   - bookmark: seek to the bookmarked event; it comes back first (the check
//     below reads it), then the events after it;
//   - newer_than: after a lost bookmark, the events newer than it, from the oldest;
//   - neither: the look-back window (not_before), or the whole log.
struct EventQuery {
  const EventlogSource* source = nullptr;
  std::string xpath;                   // xpath_query()/xpath_query_since()
  std::optional<Bookmark> bookmark;    // seek here (EvtSeekRelativeToBookmark)
  std::optional<Bookmark> newer_than;  // the lost bookmark, after a reset
  double not_before = 0;               // the look-back window's start (Unix s); 0 = none
  unsigned max = 0;                    // events to return at most
};

// Whether an event newer than `than`: a later time, or the same time and a
// later record (IDs restart in a cleared log, times do not).
bool newer(const EventRecord& event, const Bookmark& than);

// Whether an event is in the query's result set, as the source returns it: it
// belongs to the source and is the bookmarked event or after it, newer than the
// lost bookmark, or inside the look-back window.
bool in_result_set(const EventQuery& query, const EventRecord& event);

// Whether an event is counted: in the result set and not the bookmarked event
// itself (counted when it was read first).
bool selected(const EventQuery& query, const EventRecord& event);

// The bookmark reset rule. After EvtSeek(EvtSeekRelativeToBookmark | EvtSeekStrict,
// position 0) the first record read back is the bookmarked event itself. The
// bookmark is lost (reset) when
//   - the seek failed: the bookmarked record is no longer in the log (a wrapped
//     log overwrote it, or a cleared log holds fewer records than its ID), or
//   - the record read back is older than the bookmark: a lower EventRecordID, or
//     the same ID with another time (a cleared log numbered from 1 again and has
//     grown past the ID: another event under it).
// A record read back with a higher ID (the docs' case of a bookmark "within the
// boundaries of the result set but not included in it") is new, not a reset;
// nothing read back (no event at all) keeps the bookmark. Pure.
enum class BookmarkCheck { keep, reset };
BookmarkCheck bookmark_check(const Bookmark& bookmark, bool seek_failed,
                             const std::optional<EventRecord>& read_back);

struct EventBatch {
  enum class Status { ok, log_missing, seek_failed };
  Status status = Status::ok;
  std::vector<std::string> events;  // rendered event XML, oldest first
  std::string detail;               // why, when not ok
  // Not empty when the source stopped before the end of the result set for a
  // reason other than `max` (EvtNext's ERROR_TIMEOUT, any other EvtNext error,
  // the time budget): what happened. `events` holds what was read until then.
  std::string stopped;
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
  // Returns the errors of the sources that failed or stopped early (each naming
  // its log); the others are counted all the same.
  std::vector<std::string> scrape(EventSource& from, double now);
  // ndes_eventlog_events_total, ndes_eventlog_last_event_timestamp_seconds and
  // ndes_eventlog_bookmark_resets_total{log} (0 for every configured log).
  std::vector<Sample> samples() const;

 private:
  struct SourceState {
    EventlogSource source;
    std::optional<Bookmark> bookmark;
    std::optional<Bookmark> lost;  // the bookmark last reset, until a new one
    bool warned_missing = false;
  };
  EventQuery query_for(const SourceState& state, double now) const;
  // The source's new events; "" or the error.
  std::string read_new_events(EventSource& from, SourceState& state, double now);
  void count(const EventQuery& query, const EventBatch& batch, SourceState& state);

  unsigned max_events_;
  unsigned look_back_seconds_;
  std::vector<SourceState> sources_;
  EventTally tally_;
  std::map<std::string, double> resets_;  // by log
};

}  // namespace ndes::eventlog
