// The `eventlog` collector's Windows shell. Each scrape, EventScan (event_scan.h)
// asks a source for each configured log's new events and counts them; the source
// is the live event log (WevtSource over the real wevtapi calls, wevt_source.h),
// or with --collector.eventlog.xml-dir a directory of exported event XML
// (xml_dir_source.h). Everything after the source - the parsing, the look-back
// window, the bookmark and its reset rule, the cap per scrape, the tally - is the
// same code for both.
//
// A log that does not exist (the connector not installed) is skipped with a
// warning. A log that fails (the event log API, or a read that ran out of time)
// fails the collection - ndes_collector_success{collector="eventlog"} 0 and a
// "collector failed" log line naming the log - while the other logs are still
// read and every counter is still exported.
#include "eventlog/eventlog_collector.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "base/log.h"
#include "eventlog/event_scan.h"
#include "eventlog/eventlog_config.h"
#include "eventlog/wevt_api.h"
#include "eventlog/wevt_source.h"
#include "eventlog/xml_dir_source.h"
#include "ndes/collect/collector.h"

namespace ndes::eventlog {
namespace {

std::unique_ptr<EventSource> make_source(const EventlogCollectorConfig& config) {
  if (!config.xml_dir.empty()) {
    log_info("reading exported events, not the live log",
             {{"collector", "eventlog"}, {"dir", config.xml_dir}});
    return std::make_unique<XmlDirSource>(config.xml_dir);
  }
  return std::make_unique<WevtSource>(real_wevt_api());
}

class EventlogCollector : public Collector {
 public:
  explicit EventlogCollector(const EventlogCollectorConfig& config)
      : scan_(config), source_(make_source(config)) {}
  std::string_view name() const override { return kCollector; }

  CollectorResult collect() override {
    CollectorResult result;
    result.collector = kCollector;
    std::lock_guard lock(mutex_);
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto errors = scan_.scrape(*source_, now);
    for (const auto& error : errors) {
      log_error("collector failed", {{"collector", kCollector}, {"err", error}});
    }
    result.success = errors.empty();
    result.samples = scan_.samples();
    return result;
  }

 private:
  std::mutex mutex_;
  EventScan scan_;
  std::unique_ptr<EventSource> source_;
};

}  // namespace

std::unique_ptr<Collector> make_collector(const EventlogCollectorConfig& config) {
  return std::make_unique<EventlogCollector>(config);
}

}  // namespace ndes::eventlog
