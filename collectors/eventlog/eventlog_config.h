// The `eventlog` collector's settings (NDES and Intune connector events): its
// section, defaults and rows. Plain values, built everywhere so they test anywhere.
#pragma once

#include <string>
#include <vector>

#include "base/settings.h"

namespace ndes {

// One event log query: a log (channel) and, optionally, one provider and event IDs.
struct EventlogSource {
  std::string log;
  std::string provider;             // "" = every provider of the log
  std::vector<unsigned> event_ids;  // empty = every event
};

struct EventlogCollectorConfig {
  std::vector<EventlogSource> sources = {
      {"Application", "Microsoft-Windows-NetworkDeviceEnrollmentService", {1, 2, 3, 10, 31}},
      {"Microsoft-Intune-CertificateConnectors/Admin", "", {}},
      {"Microsoft-Intune-CertificateConnectors/Operational", "", {}},
  };
  unsigned max_events_per_scrape = 1000;   // per source; the rest waits for the next scrape
  unsigned look_back_seconds = 24 * 3600;  // events this old at start are counted
  // "" = the live event log; else a directory of exported event XML read instead
  // (offline analysis of an export; tests where the event log API is missing).
  std::string xml_dir;
};

// The rows of --collector.eventlog.*, filling `cfg`.
settings::Table eventlog_settings(EventlogCollectorConfig& cfg);

}  // namespace ndes
