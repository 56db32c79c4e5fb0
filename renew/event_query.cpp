#include "renew/event_query.h"

#include <cmath>

#include "base/text.h"
#include "base/time.h"
#include "base/xml_lite.h"
#include "eventlog/event_record.h"

namespace ndes::renew {

std::string ndes_event_xpath(std::string_view provider, std::int64_t since_unix) {
  std::string when = format_time(since_unix);  // "2026-11-25T15:00:00Z"
  if (!when.empty()) {
    when.insert(when.size() - 1, ".000");
  }
  // Provider names never hold quotes; the event log's XPath has no escapes.
  return "*[System[Provider[@Name='" + std::string(provider) +
         "'] and (EventID=" + std::to_string(kNdesStartedEvent) +
         " or EventID=" + std::to_string(kNdesCannotStartEvent) +
         ") and TimeCreated[@SystemTime>='" + when + "']]]";
}

NextKind classify_evt_next(bool ok, std::uint32_t returned, std::uint32_t last_error) {
  if (ok) {
    // TRUE with nothing returned does not happen per the documentation; read as the end.
    return returned > 0 ? NextKind::events : NextKind::no_more;
  }
  if (last_error == kErrorNoMoreItems) {
    return NextKind::no_more;
  }
  return last_error == kErrorTimeout ? NextKind::timeout : NextKind::error;
}

std::string event_data_text(std::string_view xml) {
  const auto root = xml::parse(xml, nullptr);
  const xml::Element* data = root ? root->child("EventData") : nullptr;
  if (data == nullptr) {
    return "";
  }
  std::string out;
  for (const xml::Element* d : data->children_named("Data")) {
    const std::string value = trim(d->text);
    const std::string name = d->attribute("Name").value_or("");
    if (value.empty()) {
      continue;
    }
    out += (out.empty() ? "" : "; ") + (name.empty() ? value : name + "=" + value);
  }
  return out;
}

std::optional<NdesEvent> ndes_event_from_xml(std::string_view xml, std::string* error) {
  const auto record = eventlog::parse_event_xml(xml, error);
  if (!record) {
    return std::nullopt;
  }
  NdesEvent event;
  event.id = record->event_id;
  event.time_unix = static_cast<std::int64_t>(std::floor(record->time_unix));
  event.text = event_data_text(xml);
  return event;
}

NdesVerdict judge_ndes_events(const std::vector<NdesEvent>& events) {
  NdesVerdict verdict;
  for (const auto& e : events) {
    if (e.id == kNdesCannotStartEvent &&
        (verdict.kind != NdesStart::cannot_start || e.time_unix >= verdict.event.time_unix)) {
      verdict = {NdesStart::cannot_start, e};
    } else if (e.id == kNdesStartedEvent && verdict.kind == NdesStart::not_yet) {
      verdict = {NdesStart::started, e};
    }
  }
  return verdict;
}

}  // namespace ndes::renew
