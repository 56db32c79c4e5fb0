#include "eventlog/eventlog_config.h"

#include <utility>

#include "base/text.h"
#include "base/time.h"

namespace ndes {
namespace {

using settings::Values;

// `text` cut at `sep` as std::getline reads it: a trailing separator ends the last
// piece rather than starting an empty one.
std::vector<std::string> pieces(std::string_view text, char sep) {
  std::vector<std::string> out = split(text, sep);
  if (out.back().empty()) {
    out.pop_back();
  }
  return out;
}

// "LOG", "LOG|PROVIDER" or "LOG|PROVIDER|ID,ID,..." (PROVIDER may be empty).
std::string set_sources(EventlogCollectorConfig& cfg, const Values& v) {
  std::vector<EventlogSource> sources;
  for (const auto& text : v) {
    std::vector<std::string> parts;
    for (const auto& part : pieces(text, '|')) {
      parts.push_back(trim(part));
    }
    if (parts.empty() || parts[0].empty() || parts.size() > 3) {
      return quote(text) + " is not LOG, LOG|PROVIDER or LOG|PROVIDER|ID,ID,...";
    }
    EventlogSource source{parts[0], parts.size() > 1 ? parts[1] : "", {}};
    if (parts.size() == 3) {
      for (const auto& piece : pieces(parts[2], ',')) {
        const std::string id = trim(piece);
        if (id.empty() || id.size() > 5 || !is_digits(id) || std::stoul(id) > 65535) {
          return quote(text) + ": " + quote(id) + " is not an event ID (0-65535)";
        }
        source.event_ids.push_back(static_cast<unsigned>(std::stoul(id)));
      }
    }
    sources.push_back(std::move(source));
  }
  cfg.sources = std::move(sources);
  return "";
}

std::string set_max_events(EventlogCollectorConfig& cfg, const Values& v) {
  const std::string t = trim(v.back());
  if (t.empty() || t.size() > 7 || !is_digits(t) || std::stoul(t) == 0) {
    return quote(v.back()) + " is not a number of events from 1 to 9999999";
  }
  cfg.max_events_per_scrape = static_cast<unsigned>(std::stoul(t));
  return "";
}

// 0, seconds with s/m suffixes (as probe timeouts), or whole hours ("24h", "168h").
std::string set_look_back(EventlogCollectorConfig& cfg, const Values& v) {
  const std::string t = trim(v.back());
  const std::string bad = quote(v.back()) + " is not a duration (e.g. 24h, 90m, 0)";
  if (t == "0") {
    cfg.look_back_seconds = 0;
    return "";
  }
  if (t.size() > 1 && t.back() == 'h') {
    const std::string hours = t.substr(0, t.size() - 1);
    if (hours.size() > 5 || !is_digits(hours)) {
      return bad;
    }
    cfg.look_back_seconds = static_cast<unsigned>(std::stoul(hours) * 3600);
    return "";
  }
  const auto d = parse_duration(t);
  if (!d) {
    return bad;
  }
  cfg.look_back_seconds = static_cast<unsigned>(d->count() / 1000);
  return "";
}

}  // namespace

settings::Table eventlog_settings(EventlogCollectorConfig& cfg) {
  using settings::Kind;
  const auto with = [&cfg](std::string (*set)(EventlogCollectorConfig&, const Values&)) {
    return [&cfg, set](const Values& v) { return set(cfg, v); };
  };
  return {
      {"collector.eventlog.source", Kind::list, "LOG|PROVIDER|IDS",
       "Event log source: LOG, LOG|PROVIDER or LOG|PROVIDER|ID,ID (repeatable; default: NDES "
       "events 1,2,3,10,31 and the Intune connector logs)",
       "", with(set_sources), nullptr},
      {"collector.eventlog.max-events", Kind::text, "N",
       "Events read per source and scrape at most (the rest on the next scrape)", "1000",
       with(set_max_events), nullptr},
      {"collector.eventlog.look-back", Kind::text, "DURATION",
       "How far back the first scrape reads (e.g. 24h, 0)", "24h", with(set_look_back), nullptr},
      {"collector.eventlog.xml-dir", Kind::text, "DIR",
       "Read exported events (wevtutil qe /f:xml files) from DIR instead of the live log: for "
       "offline analysis of an export and where the event log API is missing (wine)",
       "", settings::path_setter(&cfg.xml_dir), nullptr},
  };
}

}  // namespace ndes
