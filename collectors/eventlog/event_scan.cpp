#include "eventlog/event_scan.h"

#include "base/log.h"

namespace ndes::eventlog {

bool selected(const EventQuery& query, const EventRecord& event) {
  if (query.source == nullptr || !matches(*query.source, event)) {
    return false;
  }
  if (query.after) {
    return event.record_id > *query.after;
  }
  return query.not_before <= 0 || event.time_unix >= query.not_before;
}

EventScan::EventScan(const EventlogCollectorConfig& config)
    : max_events_(config.max_events_per_scrape), look_back_seconds_(config.look_back_seconds) {
  for (const auto& s : config.sources) {
    sources_.push_back(SourceState{s, std::nullopt, false});
  }
}

void EventScan::scrape(EventSource& from, double now) {
  for (auto& state : sources_) {
    read_new_events(from, state, now);
  }
}

void EventScan::read_new_events(EventSource& from, SourceState& state, double now) {
  // Before the first event: the look-back window; after: everything past the
  // bookmark. (Events older than the window never count: a source that has had
  // no event yet keeps asking for the window only.)
  const bool window = !state.bookmark && look_back_seconds_ > 0;
  EventQuery query;
  query.source = &state.source;
  query.xpath = xpath_query(state.source, window ? std::uint64_t{look_back_seconds_} * 1000 : 0);
  query.after = state.bookmark;
  query.not_before = window ? now - look_back_seconds_ : 0;
  query.max = max_events_;
  const EventBatch batch = from.read(query);
  if (batch.status == EventBatch::Status::log_missing) {
    if (!state.warned_missing) {
      log_warn("no such event log here", {{"collector", "eventlog"}, {"log", state.source.log}});
      state.warned_missing = true;
    }
    return;
  }
  if (batch.status == EventBatch::Status::bookmark_lost) {
    // The bookmarked event is gone (log cleared or wrapped): start again from the
    // look-back window on the next scrape rather than count the whole log.
    log_info("event log bookmark lost, starting again from the look-back window",
             {{"collector", "eventlog"}, {"log", state.source.log}, {"detail", batch.detail}});
    state.bookmark.reset();
    return;
  }
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
    if (!state.bookmark || record->record_id > *state.bookmark) {
      state.bookmark = record->record_id;
    }
  }
  if (batch.events.size() >= max_events_) {
    log_info("event batch full, the rest waits for the next scrape",
             {{"collector", "eventlog"},
              {"log", state.source.log},
              {"events", std::to_string(batch.events.size())}});
  }
}

}  // namespace ndes::eventlog
