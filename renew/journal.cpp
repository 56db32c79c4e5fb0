#include "renew/journal.h"

#include <exception>

#include "base/text.h"
#include "base/time.h"

namespace ndes::renew {
namespace {

using json = nlohmann::json;

constexpr int kJournalVersion = 1;

json base(const char* name, std::int64_t ts) {
  json j = json::object();
  j["v"] = kJournalVersion;
  j["ts"] = format_time(ts);
  j["event"] = name;
  return j;
}

json with_id(const char* name, const std::string& id, std::int64_t ts) {
  json j = base(name, ts);
  j["id"] = id;
  return j;
}

std::int64_t event_time(const json& e) {
  const auto it = e.find("ts");
  if (it == e.end() || !it->is_string()) {
    return 0;
  }
  return parse_time(it->get<std::string>()).value_or(0);
}

// Steps still planned when a renewal ends were never run.
void mark_not_run(RenewalRecord& r, std::int64_t ts) {
  for (auto& s : r.steps) {
    if (s.status == "planned") {
      s.status = "not_run";
    } else if (s.status == "running") {
      s.status = "interrupted";
      s.finished = ts;
    }
  }
}

std::string apply_to_record(RenewalRecord& r, const std::string& name, const json& e,
                            std::int64_t ts) {
  const std::string from(to_string(r.status));
  const auto bad = [&] {
    return "event " + name + " does not apply to " + r.id + " (" + from + ")";
  };
  if (name == "started") {
    if (r.status != Status::planned) {
      return bad();
    }
    r.status = Status::running;
    r.started = ts;
    return "";
  }
  if (name == "step_started" || name == "step") {
    const std::size_t index = e.at("index").get<std::size_t>();
    if (r.status != Status::running || index >= r.steps.size()) {
      return bad();
    }
    if (name == "step_started") {
      r.steps[index].status = "running";
      r.steps[index].started = ts;
    } else {
      r.steps[index] = step_record_from_json(e.at("step"));
    }
    return "";
  }
  if (name == "finished") {
    const auto status = status_from_string(e.at("status").get<std::string>());
    if (r.status != Status::running || !status ||
        (*status != Status::succeeded && *status != Status::failed && *status != Status::pending)) {
      return bad();
    }
    r.status = *status;
    r.reason = e.value("reason", "");
    r.finished = ts;
    mark_not_run(r, ts);
    return "";
  }
  if (name == "interrupted") {
    if (r.status != Status::running) {
      return bad();
    }
    r.status = Status::interrupted;
    r.reason = e.value("reason", "");
    r.finished = ts;
    mark_not_run(r, ts);
    return "";
  }
  if (name == "cleared") {
    if (!clearable(r.status) || r.cleared != 0) {
      return bad();
    }
    r.cleared = ts;
    return "";
  }
  return "unknown event " + printable(name);
}

}  // namespace

namespace event {

json recorded(const RenewalRecord& record, std::int64_t ts) {
  json j = base("recorded", ts);
  j["record"] = to_json(record);
  return j;
}

json started(const std::string& id, std::int64_t ts) { return with_id("started", id, ts); }

json step_started(const std::string& id, std::size_t index, std::int64_t ts) {
  json j = with_id("step_started", id, ts);
  j["index"] = index;
  return j;
}

json step(const std::string& id, std::size_t index, const StepRecord& result, std::int64_t ts) {
  json j = with_id("step", id, ts);
  j["index"] = index;
  j["step"] = to_json(result);
  return j;
}

json finished(const std::string& id, Status status, const std::string& reason, std::int64_t ts) {
  json j = with_id("finished", id, ts);
  j["status"] = std::string(to_string(status));
  j["reason"] = reason;
  return j;
}

json interrupted(const std::string& id, const std::string& reason, std::int64_t ts) {
  json j = with_id("interrupted", id, ts);
  j["reason"] = reason;
  return j;
}

json cleared(const std::string& id, std::int64_t ts) { return with_id("cleared", id, ts); }

}  // namespace event

std::string journal_line(const json& e) {
  return e.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string apply_event(RenewalBook& book, const json& e) {
  try {
    if (!e.is_object() || !e.contains("event") || !e["event"].is_string()) {
      return "not an event";
    }
    const std::string name = e["event"].get<std::string>();
    const std::int64_t ts = event_time(e);
    if (name == "recorded") {
      RenewalRecord record = record_from_json(e.at("record"));
      if (book.find(record.id) != nullptr) {
        return "renewal " + record.id + " is recorded twice";
      }
      book.add(std::move(record));
      return "";
    }
    const std::string id = e.value("id", "");
    RenewalRecord* r = book.find(id);
    if (r == nullptr) {
      return "event " + printable(name) + " for unknown renewal " + printable(id);
    }
    RenewalRecord copy = *r;  // apply to a copy: a failed event leaves the book as it was
    if (auto err = apply_to_record(copy, name, e, ts); !err.empty()) {
      return err;
    }
    *r = std::move(copy);
    return "";
  } catch (const std::exception& ex) {
    return std::string("malformed event: ") + ex.what();
  }
}

ReplayResult replay_journal(std::string_view content) {
  ReplayResult out;
  std::size_t pos = 0;
  while (pos < content.size()) {
    const std::size_t nl = content.find('\n', pos);
    const bool complete = nl != std::string_view::npos;
    const std::size_t end = complete ? nl : content.size();
    const std::string_view line = content.substr(pos, end - pos);
    const std::size_t next = complete ? nl + 1 : content.size();
    const bool last = next >= content.size();
    if (line.find_first_not_of(" \t\r") == std::string_view::npos && complete) {
      pos = next;  // blank line: harmless
      out.good_bytes = pos;
      continue;
    }
    json e;
    bool parsed = complete;
    if (parsed) {
      try {
        e = json::parse(line.begin(), line.end());
      } catch (const json::exception&) {  // parse_error, or a number out of range
        parsed = false;
      }
    }
    if (!parsed) {
      if (last) {
        // The write that a crash cut short: everything before it is whole.
        out.torn_tail = true;
        out.torn_text = printable(content.substr(pos), 200);
        return out;
      }
      out.fatal = "journal line at byte " + std::to_string(pos) +
                  " is not valid JSON and is not the last line";
      return out;
    }
    ++out.events;
    if (auto err = apply_event(out.book, e); !err.empty()) {
      out.warnings.push_back(err);
    }
    pos = next;
    out.good_bytes = pos;
  }
  return out;
}

std::vector<json> recovery_events(const RenewalBook& book, std::int64_t now) {
  std::vector<json> out;
  for (const auto& r : book.records()) {
    if (r.status != Status::running) {
      continue;
    }
    std::string during;
    for (const auto& s : r.steps) {
      if (s.status == "running") {
        during = " during step " + s.step.name;
      }
    }
    out.push_back(
        event::interrupted(r.id,
                           "the hook stopped while this renewal ran" + during +
                               "; it is not re-run by itself: check the host, then clear it",
                           now));
  }
  return out;
}

}  // namespace ndes::renew
