#include "renew/event_wait.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "base/time.h"
#include "eventlog/xml_dir_source.h"

namespace ndes::renew {
namespace {

constexpr unsigned kMaxEvents = 1000;  // NDES logs a handful per start; bounded anyway

class XmlDirEventSource final : public NdesEventSource {
 public:
  explicit XmlDirEventSource(std::string dir) : dir_(std::move(dir)), files_(dir_) {}

  std::string describe() const override {
    return "the exported events in " + dir_ + " (stand-in for the Application log)";
  }

  EventRead read(const std::string& provider, std::int64_t since_unix) override {
    const EventlogSource source{
        "Application", provider, {kNdesStartedEvent, kNdesCannotStartEvent}};
    eventlog::EventQuery query;
    query.source = &source;
    query.xpath = ndes_event_xpath(provider, since_unix);
    query.not_before = static_cast<double>(since_unix);
    query.max = kMaxEvents;
    EventRead out;
    try {
      for (const auto& xml : files_.read(query).events) {
        std::string error;
        if (auto event = ndes_event_from_xml(xml, &error)) {
          out.events.push_back(std::move(*event));
        }
      }
    } catch (const std::exception& e) {
      out.ok = false;
      out.error = e.what();
    }
    return out;
  }

 private:
  std::string dir_;
  eventlog::XmlDirSource files_;
};

bool cancelled(const EventWaitOptions& options) {
  return options.cancel != nullptr && options.cancel->load();
}

}  // namespace

std::unique_ptr<NdesEventSource> make_xml_dir_event_source(std::string dir) {
  return std::make_unique<XmlDirEventSource>(std::move(dir));
}

StepOutcome wait_for_ndes_start(NdesEventSource& source, const std::string& provider,
                                std::int64_t since_unix, const EventWaitOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options.timeout;
  const std::string since = format_time(since_unix);
  StepOutcome out;
  out.status = "failed";  // until Event 1 says otherwise
  std::string last_error;
  int failed_reads = 0;
  int reads = 0;
  for (;;) {
    if (cancelled(options)) {
      out.detail = "cancelled: the hook is stopping";
      return out;
    }
    const EventRead read = source.read(provider, since_unix);
    ++reads;
    if (!read.ok) {
      last_error = read.error;
      ++failed_reads;
    } else {
      last_error.clear();
      const NdesVerdict verdict = judge_ndes_events(read.events);
      if (verdict.kind == NdesStart::cannot_start) {
        out.detail = "NDES logged Event 2 (the service cannot be started) at " +
                     format_time(verdict.event.time_unix) + ", after the restart at " + since +
                     ": " + (verdict.event.text.empty() ? "no error text" : verdict.event.text) +
                     " (0x80070057: two RA certificates of one template, or an "
                     "unreadable key)";
        return out;
      }
      if (verdict.kind == NdesStart::started) {
        out.status = "ok";
        out.detail = "NDES logged Event 1 (started) at " + format_time(verdict.event.time_unix) +
                     ", after the restart at " + since + ", and no Event 2 (" + source.describe() +
                     ")";
        out.facts["ndes_event_time"] = format_time(verdict.event.time_unix);
        return out;
      }
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      break;
    }
    // Sleep in short slices so a stopping hook is not held up.
    const auto until = std::min(deadline, now + options.poll);
    while (Clock::now() < until && !cancelled(options)) {
      std::this_thread::sleep_for(
          std::min<Clock::duration>(std::chrono::milliseconds(200), until - Clock::now()));
    }
  }
  const std::string waited = std::to_string(options.timeout.count()) + "s";
  if (!last_error.empty()) {
    out.detail = "could not read NDES's events from " + source.describe() + " (" +
                 std::to_string(failed_reads) + " of " + std::to_string(reads) +
                 " reads failed within " + waited + "): " + last_error;
    return out;
  }
  out.detail = "no NDES Event 1 (started) in " + source.describe() + " within " + waited +
               " of the restart at " + since;
  return out;
}

}  // namespace ndes::renew
