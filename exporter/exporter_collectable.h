// The /metrics source: runs every enabled collector at scrape time and maps the
// results to metric families. Keeps the last results for the landing page.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ndes/collect/collector.h"
#include "ndes/collect/records.h"
#include "ndes/config.h"
#include "ndes/metrics/families.h"

namespace ndes {

// Unix seconds now.
std::int64_t unix_now();

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

class ExporterCollectable : public prometheus::Collectable {
 public:
  using Clock = std::function<std::int64_t()>;

  ExporterCollectable(std::vector<std::unique_ptr<Collector>> collectors, BuildInfo build_info,
                      Clock clock = unix_now);

  // Creates config.collectors_enabled through the CollectorRegistry. Throws
  // std::invalid_argument for a name that is not registered.
  static std::unique_ptr<ExporterCollectable> from_config(const ExporterConfig& config,
                                                          BuildInfo build_info);

  // Runs every collector (concurrently) and returns their families plus build info.
  std::vector<prometheus::MetricFamily> Collect() const override;

  // Runs every collector and records the results as the latest snapshot.
  std::shared_ptr<const Snapshot> collect_snapshot() const;
  // The latest snapshot, or nullptr before the first collection.
  std::shared_ptr<const Snapshot> last_snapshot() const;
  // The latest snapshot; runs a collection first if none has happened yet.
  std::shared_ptr<const Snapshot> snapshot_or_collect() const;

  std::vector<std::string> collector_names() const;

  // Collect() serialized in the Prometheus text format.
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

  // serialize(Collect()) for `snapshot`, with the certificate series' text reused
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

// Runs `collector`, turning an exception into a failed result with the measured
// duration (and logging it).
CollectorResult run_collector(Collector& collector);

}  // namespace ndes
