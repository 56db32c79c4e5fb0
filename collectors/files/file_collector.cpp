#include "files/file_collector.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>

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
    spdlog::error("files collector failed: {}", e.what());
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
  {
    std::lock_guard lock(mutex_);
    parses = scanner_.parses();
    scans = ++scans_;
  }
  // Counters that prove the cache works: a warm scrape adds a scan, not a parse.
  result.samples.push_back(Sample{"ndes_files_parsed_total",
                                  "Files parsed since start; unchanged files are not parsed again.",
                                  SampleType::counter,
                                  {},
                                  static_cast<double>(parses)});
  result.samples.push_back(Sample{"ndes_files_scans_total",
                                  "Scans of the configured roots since start; concurrent "
                                  "scrapes share one scan.",
                                  SampleType::counter,
                                  {},
                                  static_cast<double>(scans)});
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
