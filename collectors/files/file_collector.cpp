#include "files/file_collector.h"

#include <exception>

namespace ndes::files {

FileCollector::FileCollector(const FilesCollectorConfig& config,
                             const TemplateNames& template_names)
    : scanner_(config, template_names) {}

std::uint64_t FileCollector::parses() const { return scanner_.parses(); }

CollectorResult FileCollector::collect() {
  std::promise<CollectorResult> promise;
  {
    std::unique_lock lock(mutex_);
    if (in_flight_) {
      auto shared = *in_flight_;
      lock.unlock();
      ++waiting_;
      struct Done {
        std::atomic<int>& waiting;
        ~Done() { --waiting; }
      } done{waiting_};
      return shared.get();  // rethrows the scan's exception, if any
    }
    in_flight_ = promise.get_future().share();
  }
  // Whatever happens, the next caller starts a fresh scan.
  struct Reset {
    FileCollector* self;
    ~Reset() {
      const std::lock_guard lock(self->mutex_);
      self->in_flight_.reset();
    }
  } reset{this};
  try {
    CollectorResult result = scan_and_count();
    promise.set_value(result);
    return result;
  } catch (...) {
    promise.set_exception(std::current_exception());
    throw;
  }
}

CollectorResult FileCollector::scan_and_count() {
  if (scan_hook_) {
    scan_hook_();
  }
  CollectorResult result = scanner_.scan();
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
  return result;
}

}  // namespace ndes::files
