// The `files` collector: certificates in PEM/DER/PKCS#7/PKCS#12 files under the
// configured roots.
#pragma once

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <optional>

#include "files/file_scanner.h"
#include "ndes/collect/collector.h"

namespace ndes::files {

class FileCollector : public Collector {
 public:
  FileCollector(const FilesCollectorConfig& config, const TemplateNames& template_names);
  std::string_view name() const override { return "files"; }

  // Concurrent callers share one scan: whoever comes while a scan runs waits for
  // it instead of starting another, so N scrapers cost one walk. A scan that throws
  // throws to every caller (the exporter's run_collector makes it a failed result).
  CollectorResult collect() override;

  std::uint64_t parses() const;

  // Test seams for the single-flight guarantee: a hook run at the start of each
  // scan, and how many callers are waiting on a scan in flight.
  void set_scan_hook(std::function<void()> hook) { scan_hook_ = std::move(hook); }
  int waiting() const { return waiting_.load(); }

 private:
  // One scan and the counters that prove the cache works.
  CollectorResult scan_and_count();

  mutable std::mutex mutex_;
  std::optional<std::shared_future<CollectorResult>> in_flight_;
  std::uint64_t scans_ = 0;
  std::atomic<int> waiting_{0};
  std::function<void()> scan_hook_;
  FileScanner scanner_;  // used only by the thread that owns in_flight_
};

}  // namespace ndes::files
