#include "eventlog/event_scan.h"

#include <exception>

#include "base/log.h"

namespace ndes::eventlog {
namespace {

constexpr const char* kResetsHelp =
    "Times a source's bookmark in this event log was lost (the log was cleared or wrapped past "
    "it); the scan went on with the events newer than the lost bookmark.";

std::optional<EventRecord> first_record(const EventBatch& batch) {
  if (batch.events.empty()) {
    return std::nullopt;
  }
  std::string error;
  return parse_event_xml(batch.events.front(), &error);
}

}  // namespace

bool newer(const EventRecord& event, const Bookmark& than) {
  return event.time_unix > than.time_unix ||
         (event.time_unix == than.time_unix && event.record_id > than.record_id);
}

bool in_result_set(const EventQuery& query, const EventRecord& event) {
  if (query.source == nullptr || !matches(*query.source, event)) {
    return false;
  }
  if (query.bookmark) {
    return event.record_id >= query.bookmark->record_id;
  }
  if (query.newer_than) {
    return newer(event, *query.newer_than);
  }
  return query.not_before <= 0 || event.time_unix >= query.not_before;
}

bool selected(const EventQuery& query, const EventRecord& event) {
  return in_result_set(query, event) &&
         !(query.bookmark && event.record_id == query.bookmark->record_id);
}

BookmarkCheck bookmark_check(const Bookmark& bookmark, bool seek_failed,
                             const std::optional<EventRecord>& read_back) {
  if (seek_failed) {
    return BookmarkCheck::reset;
  }
  if (!read_back) {
    return BookmarkCheck::keep;
  }
  if (read_back->record_id < bookmark.record_id ||
      (read_back->record_id == bookmark.record_id && read_back->time_unix != bookmark.time_unix)) {
    return BookmarkCheck::reset;
  }
  return BookmarkCheck::keep;
}

EventScan::EventScan(const EventlogCollectorConfig& config)
    : max_events_(config.max_events_per_scrape), look_back_seconds_(config.look_back_seconds) {
  for (const auto& s : config.sources) {
    sources_.push_back(SourceState{s, std::nullopt, std::nullopt, false});
    resets_[s.log] = 0;
  }
}

std::vector<std::string> EventScan::scrape(EventSource& from, double now) {
  std::vector<std::string> errors;
  for (auto& state : sources_) {
    std::string error;
    try {
      error = read_new_events(from, state, now);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) {
      errors.push_back(std::move(error));
    }
  }
  return errors;
}

std::vector<Sample> EventScan::samples() const {
  std::vector<Sample> out = tally_.samples();
  for (const auto& [log, n] : resets_) {
    out.push_back(Sample{"ndes_eventlog_bookmark_resets_total",
                         kResetsHelp,
                         SampleType::counter,
                         {{"log", log}},
                         n});
  }
  return out;
}

EventQuery EventScan::query_for(const SourceState& state, double now) const {
  EventQuery query;
  query.source = &state.source;
  query.max = max_events_;
  if (state.bookmark) {
    // The bookmarked event comes back first, for the check: one more.
    query.bookmark = state.bookmark;
    query.xpath = xpath_query(state.source, 0);
    query.max = max_events_ + 1;
  } else if (state.lost) {
    // After a reset: never the look-back window again, which would count the
    // events read before the reset a second time; the events newer than the lost
    // bookmark instead. A cleared log holds only events written after the clear,
    // which came after the bookmarked event was read; a wrapped log keeps its
    // numbering, and what is left of it after the bookmark is newer.
    query.newer_than = state.lost;
    query.xpath = xpath_query_since(state.source, state.lost->time_unix);
  } else {
    // Before the first event: the look-back window. (Events older than the
    // window never count: a source that has had no event yet keeps asking for
    // the window only.)
    const bool window = look_back_seconds_ > 0;
    query.xpath = xpath_query(state.source, window ? std::uint64_t{look_back_seconds_} * 1000 : 0);
    query.not_before = window ? now - look_back_seconds_ : 0;
  }
  return query;
}

std::string EventScan::read_new_events(EventSource& from, SourceState& state, double now) {
  const std::string& log = state.source.log;
  EventQuery query = query_for(state, now);
  EventBatch batch = from.read(query);
  if (query.bookmark && batch.status != EventBatch::Status::log_missing &&
      bookmark_check(*query.bookmark, batch.status == EventBatch::Status::seek_failed,
                     first_record(batch)) == BookmarkCheck::reset) {
    log_info("event log bookmark lost, going on with the events newer than it",
             {{"collector", "eventlog"},
              {"log", log},
              {"record_id", std::to_string(query.bookmark->record_id)},
              {"detail", batch.detail.empty() ? "the record read back is older" : batch.detail}});
    resets_[log] += 1;
    state.lost = state.bookmark;
    state.bookmark.reset();
    query = query_for(state, now);
    batch = from.read(query);
  }
  if (batch.status == EventBatch::Status::log_missing) {
    if (!state.warned_missing) {
      log_warn("no such event log here", {{"collector", "eventlog"}, {"log", log}});
      state.warned_missing = true;
    }
    return "";
  }
  if (batch.status == EventBatch::Status::seek_failed) {
    // Only after a seek, and a reset reads without one: a source that says so
    // anyway is wrong.
    return "event log " + log + ": the seek failed without a bookmark: " + batch.detail;
  }
  const std::optional<Bookmark> before = state.bookmark;
  count(query, batch, state);
  if (batch.events.size() >= query.max) {
    log_info(
        "event batch full, the rest waits for the next scrape",
        {{"collector", "eventlog"}, {"log", log}, {"events", std::to_string(batch.events.size())}});
  }
  if (batch.stopped.empty()) {
    return "";
  }
  // Counted what came, and the error says how far it got: the next scrape goes
  // on from the new bookmark (or starts again where there is none).
  if (state.bookmark && (!before || state.bookmark->record_id != before->record_id)) {
    return batch.stopped + "; read up to record " + std::to_string(state.bookmark->record_id) +
           " of " + log + ", the next scrape goes on from there";
  }
  return batch.stopped + "; no new event of " + log +
         " read before that, the next scrape asks again";
}

void EventScan::count(const EventQuery& query, const EventBatch& batch, SourceState& state) {
  for (const auto& xml : batch.events) {
    std::string error;
    const auto record = parse_event_xml(xml, &error);
    if (!record) {
      log_warn("event skipped",
               {{"collector", "eventlog"}, {"log", state.source.log}, {"err", error}});
      continue;
    }
    if (selected(query, *record)) {
      EventRecord r = *record;
      if (r.log.empty()) {
        r.log = state.source.log;
      }
      tally_.add(r);
    }
    if (!state.bookmark || record->record_id > state.bookmark->record_id) {
      state.bookmark = Bookmark{record->record_id, record->time_unix};
    }
  }
}

}  // namespace ndes::eventlog
