#include "eventlog/event_record.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "base/text.h"
#include "base/time.h"
#include "common/win_time.h"
#include "base/xml_lite.h"

namespace ndes::eventlog {
namespace {

constexpr const char* kEventsHelp =
    "Windows events seen since the exporter started (and in the look-back window before).";
constexpr const char* kLastHelp = "Time of the newest such Windows event.";

template <typename T>
std::optional<T> number(std::string_view text) {
  text = trim_view(text);
  T v{};
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return v;
}

// XPath string literal: the event log's XPath subset has no escapes, so a name
// with both quote kinds cannot be expressed (providers and logs never have them).
std::string literal(const std::string& s) {
  return s.find('\'') == std::string::npos ? "'" + s + "'" : "\"" + s + "\"";
}

}  // namespace

std::optional<double> parse_system_time(std::string_view text) {
  text = trim_view(text);
  if (text.empty() || text.back() != 'Z') {
    return std::nullopt;  // the event log always writes UTC with a Z
  }
  return wintime::parse_iso8601_utc(text);
}

std::optional<EventRecord> parse_event_xml(std::string_view xml, std::string* error) {
  const auto set_error = [&](const std::string& e) {
    if (error != nullptr) {
      *error = e;
    }
    return std::nullopt;
  };
  std::string why;
  const auto root = xml::parse(xml, &why);
  if (!root) {
    return set_error("event XML is not well-formed: " + why);
  }
  const xml::Element* sys = root->local_name() == "Event" ? root->child("System") : nullptr;
  if (sys == nullptr) {
    return set_error("not an <Event> with a <System> part");
  }
  EventRecord ev;
  const xml::Element* provider = sys->child("Provider");
  ev.provider = provider != nullptr ? provider->attribute("Name").value_or("") : "";
  if (ev.provider.empty()) {
    // Classic event sources have only EventSourceName.
    ev.provider = provider != nullptr ? provider->attribute("EventSourceName").value_or("") : "";
  }
  if (ev.provider.empty()) {
    return set_error("the event has no provider name");
  }
  const xml::Element* id = sys->child("EventID");
  const auto event_id = id != nullptr ? number<unsigned>(id->text) : std::nullopt;
  if (!event_id) {
    return set_error("the event has no numeric <EventID>");
  }
  ev.event_id = *event_id;
  if (const xml::Element* level = sys->child("Level")) {
    ev.level = number<unsigned>(level->text).value_or(0);
  }
  const xml::Element* created = sys->child("TimeCreated");
  const auto when = created != nullptr
                        ? parse_system_time(created->attribute("SystemTime").value_or(""))
                        : std::nullopt;
  if (!when) {
    return set_error("the event has no valid <TimeCreated SystemTime>");
  }
  ev.time_unix = *when;
  if (const xml::Element* rid = sys->child("EventRecordID")) {
    ev.record_id = number<std::uint64_t>(rid->text).value_or(0);
  }
  if (const xml::Element* channel = sys->child("Channel")) {
    ev.log = std::string(trim_view(channel->text));
  }
  return ev;
}

std::string level_name(unsigned level) {
  switch (level) {
    case 1:
      return "critical";
    case 2:
      return "error";
    case 3:
      return "warning";
    case 0:  // LogAlways: classic sources' "Information"
    case 4:
      return "information";
    case 5:
      return "verbose";
    default:
      return std::to_string(level);
  }
}

namespace {

// The System conditions of a source's query, with an optional time condition.
std::string system_query(const EventlogSource& source, const std::string& time_term) {
  std::vector<std::string> terms;
  if (!source.provider.empty()) {
    terms.push_back("Provider[@Name=" + literal(source.provider) + "]");
  }
  if (!source.event_ids.empty()) {
    std::string ids;
    for (const unsigned id : source.event_ids) {
      ids += (ids.empty() ? "" : " or ") + std::string("EventID=") + std::to_string(id);
    }
    terms.push_back("(" + ids + ")");
  }
  if (!time_term.empty()) {
    terms.push_back(time_term);
  }
  if (terms.empty()) {
    return "*";
  }
  std::string all;
  for (const auto& t : terms) {
    all += (all.empty() ? "" : " and ") + t;
  }
  return "*[System[" + all + "]]";
}

}  // namespace

std::string xpath_query(const EventlogSource& source, std::uint64_t look_back_ms) {
  return system_query(
      source, look_back_ms > 0
                  ? "TimeCreated[timediff(@SystemTime) <= " + std::to_string(look_back_ms) + "]"
                  : "");
}

std::string xpath_query_since(const EventlogSource& source, double since_unix) {
  if (since_unix < 1) {
    return system_query(source, "");  // no time
  }
  std::string at = format_time(static_cast<std::int64_t>(std::floor(since_unix)));
  at.insert(at.size() - 1, ".000");  // "...:05Z" -> "...:05.000Z"
  return system_query(source, "TimeCreated[@SystemTime >= '" + at + "']");
}

std::string bookmark_xml(const std::string& log, std::uint64_t record_id) {
  std::string channel;
  for (const char c : log) {
    switch (c) {
      case '&':
        channel += "&amp;";
        break;
      case '<':
        channel += "&lt;";
        break;
      case '\'':
        channel += "&apos;";
        break;
      case '"':
        channel += "&quot;";
        break;
      default:
        channel += c;
    }
  }
  return "<BookmarkList><Bookmark Channel='" + channel + "' RecordId='" +
         std::to_string(record_id) + "' IsCurrent='true'/></BookmarkList>";
}

// Log and provider names compare case-insensitively (ASCII), as the event log does.
bool matches(const EventlogSource& source, const EventRecord& event) {
  if (!source.provider.empty() && !iequals(source.provider, event.provider)) {
    return false;
  }
  return source.event_ids.empty() || std::find(source.event_ids.begin(), source.event_ids.end(),
                                               event.event_id) != source.event_ids.end();
}

void EventTally::add(const EventRecord& event) {
  counts_[{event.log, event.provider, event.event_id, level_name(event.level)}] += 1;
  double& last = last_[{event.log, event.provider, event.event_id}];
  last = std::max(last, event.time_unix);
}

std::vector<Sample> EventTally::samples() const {
  std::vector<Sample> out;
  for (const auto& [key, n] : counts_) {
    const auto& [log, provider, id, level] = key;
    out.push_back(Sample{
        "ndes_eventlog_events_total",
        kEventsHelp,
        SampleType::counter,
        {{"log", log}, {"provider", provider}, {"event_id", std::to_string(id)}, {"level", level}},
        n});
  }
  for (const auto& [key, t] : last_) {
    const auto& [log, provider, id] = key;
    out.push_back(Sample{"ndes_eventlog_last_event_timestamp_seconds",
                         kLastHelp,
                         SampleType::gauge,
                         {{"log", log}, {"provider", provider}, {"event_id", std::to_string(id)}},
                         std::floor(t * 1000) / 1000});
  }
  return out;
}

}  // namespace ndes::eventlog
