// The pure part of the check after a restart that NDES started: the XPath query for
// its Event 1 (started) and Event 2 (cannot start) since the restart, what an EvtNext
// result means, and the verdict on the events read. The sources that read them are in
// renew/event_wait.h (and renew/windows/event_log.cpp for the live log). Pure, so it
// is unit-tested on Linux.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ndes::renew {

// NDES's events that the check reads (Microsoft-Windows-NetworkDeviceEnrollmentService).
inline constexpr unsigned kNdesStartedEvent = 1;
inline constexpr unsigned kNdesCannotStartEvent = 2;

// winerror.h values EvtNext's documentation names (the same numbers here, so the
// classification builds and tests everywhere).
inline constexpr std::uint32_t kErrorNoMoreItems = 259;  // ERROR_NO_MORE_ITEMS
inline constexpr std::uint32_t kErrorTimeout = 1460;     // ERROR_TIMEOUT

// The structured XPath EvtQuery takes: the provider's Event 1 and Event 2 created at or
// after `since_unix` (whole seconds, as restart_started records it). The event log
// compares SystemTime as text, so the time is written as it writes its own:
// "2026-11-25T15:00:00.000Z".
std::string ndes_event_xpath(std::string_view provider, std::int64_t since_unix);

// What one EvtNext call said ("EvtNext function", learn.microsoft.com/windows/win32/api/
// winevt/nf-winevt-evtnext): call it until it fails with ERROR_NO_MORE_ITEMS; an expired
// timeout fails with ERROR_TIMEOUT. Only the first means "no (more) events": a timeout
// or any other error is "could not ask", never "not logged yet".
enum class NextKind {
  events,   // TRUE: `returned` handles to read
  no_more,  // FALSE, ERROR_NO_MORE_ITEMS: the query's answer is complete
  timeout,  // FALSE, ERROR_TIMEOUT: the log did not answer in time
  error,    // FALSE, anything else (the handle, access, a broken log)
};
NextKind classify_evt_next(bool ok, std::uint32_t returned, std::uint32_t last_error);

// One of NDES's events, reduced to what the check reports.
struct NdesEvent {
  unsigned id = 0;
  std::int64_t time_unix = 0;  // TimeCreated, whole seconds
  std::string text;            // its EventData as "Name=value; ..." (Event 2's error)
};

// An event as EvtRender(EvtRenderEventXml) or `wevtutil qe /f:xml` gives it; nullopt
// (and *error) when it is not event XML.
std::optional<NdesEvent> ndes_event_from_xml(std::string_view xml, std::string* error);

// The <EventData> of an event as "Name=value; Name=value" (values without a name
// alone), "" when there is none: Event 2 carries ErrorCode and ErrorMessage there.
std::string event_data_text(std::string_view xml);

enum class NdesStart {
  started,       // Event 1, and no Event 2
  cannot_start,  // Event 2: NDES refused to start (an Event 1 beside it does not count)
  not_yet,       // neither
};
struct NdesVerdict {
  NdesStart kind = NdesStart::not_yet;
  NdesEvent event;  // the Event 2 (the newest) or the Event 1 that decided it
};
// The events of NDES since the restart, any order.
NdesVerdict judge_ndes_events(const std::vector<NdesEvent>& events);

}  // namespace ndes::renew
