// The check_ndes_event step's loop, on any platform: ask an event source for NDES's
// Event 1 and Event 2 since the restart until one is there or the step's timeout ends,
// keeping "not logged yet" apart from "could not ask". The source is a thin seam:
//   - the live Application log through wevtapi (renew/windows/event_log.cpp);
//   - a directory of exported event XML (`wevtutil qe Application /f:xml` files, read
//     as the exporter's --collector.eventlog.xml-dir reads them): a STAND-IN for the
//     live log where the event log API is missing (wine's wevtapi is stubs), chosen
//     with --verify.events.xml-dir. Never the default.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "renew/event_query.h"
#include "renew/executor.h"

namespace ndes::renew {

// One answer of a source: the events, or why it could not say.
struct EventRead {
  bool ok = true;
  std::vector<NdesEvent> events;
  std::string error;  // !ok: the call that failed and its error
};

class NdesEventSource {
 public:
  virtual ~NdesEventSource() = default;
  // "the Application log", "the exported events in DIR": for the step's detail.
  virtual std::string describe() const = 0;
  // The provider's Event 1 and Event 2 created at or after `since_unix`.
  virtual EventRead read(const std::string& provider, std::int64_t since_unix) = 0;
};

// The exported-XML stand-in: the *.xml files of `dir` (collectors/eventlog's
// XmlDirSource reads them), the Application log's events only.
std::unique_ptr<NdesEventSource> make_xml_dir_event_source(std::string dir);

struct EventWaitOptions {
  std::chrono::seconds timeout{120};          // the step's timeout_seconds
  std::chrono::milliseconds poll{3000};       // between two reads
  const std::atomic<bool>* cancel = nullptr;  // the hook is stopping
};

// Reads `source` until NDES logged Event 2 (failed, with the event's text), Event 1
// (ok; facts ndes_event_time) or the timeout ends: failed, saying whether nothing was
// logged or the source could not be read (with its last error).
StepOutcome wait_for_ndes_start(NdesEventSource& source, const std::string& provider,
                                std::int64_t since_unix, const EventWaitOptions& options);

}  // namespace ndes::renew
