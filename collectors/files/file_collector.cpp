#include "files/file_collector.h"

#include <chrono>
#include <exception>

#include "base/log.h"
#include "ndes/config.h"

namespace ndes::files {

FileCollector::FileCollector(const ExporterConfig& config)
    : scanner_(config.files, config.template_names) {}

std::uint64_t FileCollector::parses() const { return scanner_.parses(); }

CollectorResult FileCollector::scan_timed() {
  const auto start = std::chrono::steady_clock::now();
  CollectorResult result;
  try {
    if (scan_hook_) {
      scan_hook_();
    }
    result = scanner_.scan();
  } catch (const std::exception& e) {
    log_error("collector failed", {{"collector", "files"}, {"err", e.what()}});
    result = CollectorResult{};
    result.collector = "files";
    result.success = false;
  }
  result.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

CollectorResult FileCollector::collect() {
  std::promise<CollectorResult> promise;
  {
    std::unique_lock lock(mutex_);
    if (in_flight_) {
      auto shared = *in_flight_;
      lock.unlock();
      ++waiting_;
      CollectorResult result = shared.get();
      --waiting_;
      return result;
    }
    in_flight_ = promise.get_future().share();
  }
  CollectorResult result = scan_timed();
  std::uint64_t parses = 0;
  std::uint64_t scans = 0;
  std::uint64_t walks = 0;
  bool watching = false;
  {
    std::lock_guard lock(mutex_);
    parses = scanner_.parses();
    walks = scanner_.walks();
    watching = scanner_.watching();
    scans = ++scans_;
  }
  const auto add = [&result](const char* name, const char* help, SampleType type, double v) {
    result.samples.push_back(Sample{name, help, type, {}, v});
  };
  // Counters that prove the cache works: a warm scrape adds a scan, not a parse, and
  // with the change watch not even a walk.
  add("ndes_files_parsed_total", "Files parsed since start; unchanged files are not parsed again.",
      SampleType::counter, static_cast<double>(parses));
  add("ndes_files_scans_total",
      "Scans of the configured roots since start; concurrent scrapes share one scan.",
      SampleType::counter, static_cast<double>(scans));
  add("ndes_files_walks_total",
      "Scans that walked the roots; a scan of a watched tree in which nothing changed walks "
      "nothing.",
      SampleType::counter, static_cast<double>(walks));
  add("ndes_files_change_watch_active",
      "1 if the roots are watched for changes (inotify) and an unchanged tree is not walked; 0 "
      "if every scrape walks them.",
      SampleType::gauge, watching ? 1.0 : 0.0);
  promise.set_value(result);
  {
    std::lock_guard lock(mutex_);
    in_flight_.reset();
  }
  return result;
}

namespace {
// Registers the collector by name at start-up, node_exporter style.
[[maybe_unused]] const bool kRegistered = [] {
  CollectorRegistry::instance().add(
      "files", [](const ExporterConfig& c) { return std::make_unique<FileCollector>(c); });
  return true;
}();
}  // namespace

}  // namespace ndes::files
