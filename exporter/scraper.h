// The /metrics source: runs every enabled collector at scrape time and renders the
// results as Prometheus text (exporter/metrics_handler.h sends it). Keeps the last
// results for the landing page.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"  // unix_now, the default clock
#include "exporter/config.h"
#include "ndes/collect/collector.h"
#include "ndes/collect/records.h"
#include "ndes/metrics/families.h"

namespace ndes {

// One rendering of /metrics: texts to send one after the other. The first, the
// certificate series, is kept and shared from scrape to scrape while no collector's
// certificate list changed, so a warm scrape neither builds nor copies it.
struct ScrapeText {
  std::vector<std::shared_ptr<const std::string>> parts;
  // How many of the parts, from the front, are the certificate series: the same
  // strings from scrape to scrape while no list changed (a gzip answer compresses
  // them once).
  std::size_t stable_parts = 0;
  std::string joined() const;
};

// The results of one run of every collector.
struct Snapshot {
  std::vector<CollectorResult> results;
  std::int64_t taken_at = 0;  // Unix seconds
};

class Scraper {
 public:
  using Clock = std::function<std::int64_t()>;

  Scraper(std::vector<std::unique_ptr<Collector>> collectors, BuildInfo build_info,
          Clock clock = unix_now);

  // Creates config.collectors_enabled through the collector table. Throws
  // std::invalid_argument for a name that is not in it.
  static std::unique_ptr<Scraper> from_config(const ExporterConfig& config, BuildInfo build_info);

  // Runs every collector (concurrently) and records the results as the latest snapshot.
  std::shared_ptr<const Snapshot> collect_snapshot() const;
  // The latest snapshot, or nullptr before the first collection.
  std::shared_ptr<const Snapshot> last_snapshot() const;
  // The latest snapshot; runs a collection first if none has happened yet.
  std::shared_ptr<const Snapshot> snapshot_or_collect() const;

  std::vector<std::string> collector_names() const;

  // A fresh snapshot in the Prometheus text format: the collectors' families (as
  // families_text says) and the build info.
  std::string scrape() const;
  // The same, shared: callers that come while a rendering is in flight wait for it
  // and get the same text, so N concurrent scrapers cost one collection, one set of
  // families and one text (CPU and peak memory), as the files collector's single
  // scan already does for parsing.
  std::shared_ptr<const ScrapeText> scrape_shared() const;

  // How often a collector's certificate series were made into text: once per change
  // of its certificate list, not once per scrape (issue #9's warm scrape).
  std::uint64_t certificate_text_renders() const;

 private:
  std::vector<std::unique_ptr<Collector>> collectors_;
  BuildInfo build_info_;
  Clock clock_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const Snapshot> last_;
  mutable std::mutex render_mutex_;
  mutable std::optional<std::shared_future<std::shared_ptr<const ScrapeText>>> rendering_;

  // The text of `snapshot`, with the certificate series' text reused
  // while every collector hands out the same certificate lists.
  ScrapeText render(const Snapshot& snapshot) const;
  // certificate_text_ in order, one header per family, as parts of the answer (not
  // joined). Called with certificate_text_mutex_ held.
  std::vector<std::shared_ptr<const std::string>> certificate_parts() const;
  // One collector's certificate series as text, family by family, for the list it
  // was made from.
  struct CertificateText {
    CertificateList list;  // held, so its identity cannot be reused by another list
    std::vector<FamilyText> families;
  };
  mutable std::mutex certificate_text_mutex_;
  mutable std::vector<CertificateText> certificate_text_;  // by collector, as collectors_
  // All of them, as certificate_parts(); empty until the first render.
  mutable std::optional<std::vector<std::shared_ptr<const std::string>>> certificate_parts_;
  mutable std::uint64_t certificate_text_renders_ = 0;
};

// The one collect wrapper: runs `collector`, times it (duration_seconds), names the
// result after it, and turns an exception into a failed result (logged). Collectors
// neither time nor catch themselves.
CollectorResult run_collector(Collector& collector);

// The families of `snapshot` plus build info, serialized: what a scrape of it says,
// made without the cached certificate text (the reference the cache must match).
std::string families_text(const Snapshot& snapshot, const BuildInfo& build_info);

}  // namespace ndes
