// The journal: JSON lines, one event per line, appended and fsync'd one at a time. Its
// replay rebuilds every record. This header is the pure part: the events, how each one
// changes the book, and the replay of a journal's bytes (with a torn last line from a
// crash tolerated). journal_file.h writes the bytes.
//
//   {"v":1,"ts":"...","event":"recorded","record":{...}}         a new record (any status)
//   {"v":1,"ts":"...","event":"started","id":"r3"}                planned -> running
//   {"v":1,"ts":"...","event":"step_started","id":"r3","index":2} a step begins
//   {"v":1,"ts":"...","event":"step","id":"r3","index":2,"step":{...}}   a step's result
//   {"v":1,"ts":"...","event":"finished","id":"r3","status":"failed","reason":"..."}
//   {"v":1,"ts":"...","event":"interrupted","id":"r3","reason":"..."}   running -> interrupted
//   {"v":1,"ts":"...","event":"cleared","id":"r3"}               an admin cleared it
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "renew/book.h"

namespace ndes::renew {

namespace event {
nlohmann::json recorded(const RenewalRecord& record, std::int64_t ts);
nlohmann::json started(const std::string& id, std::int64_t ts);
nlohmann::json step_started(const std::string& id, std::size_t index, std::int64_t ts);
nlohmann::json step(const std::string& id, std::size_t index, const StepRecord& result,
                    std::int64_t ts);
nlohmann::json finished(const std::string& id, Status status, const std::string& reason,
                        std::int64_t ts);
nlohmann::json interrupted(const std::string& id, const std::string& reason, std::int64_t ts);
nlohmann::json cleared(const std::string& id, std::int64_t ts);
}  // namespace event

// One event as a journal line: compact JSON and '\n' (invalid UTF-8 is replaced, so a
// line always parses back).
std::string journal_line(const nlohmann::json& event);

// Applies one event. Returns "" or why it does not fit the book (unknown id, a
// transition that cannot happen); the book is unchanged then.
std::string apply_event(RenewalBook& book, const nlohmann::json& event);

struct ReplayResult {
  RenewalBook book;
  std::size_t good_bytes = 0;         // the journal up to here is whole lines that parsed
  bool torn_tail = false;             // bytes after good_bytes are a torn last line: truncate them
  std::string torn_text;              // those bytes (printable(), for the log)
  std::vector<std::string> warnings;  // events that did not apply (logged, then ignored)
  std::string fatal;                  // a corrupt line in the middle: the journal cannot be trusted
  std::size_t events = 0;
};

ReplayResult replay_journal(std::string_view content);

// The events start-up appends: `interrupted` for every renewal left running. Such a
// renewal may have changed the machine half-way (a request submitted, a certificate
// installed), so it is never re-run by itself.
std::vector<nlohmann::json> recovery_events(const RenewalBook& book, std::int64_t now);

}  // namespace ndes::renew
