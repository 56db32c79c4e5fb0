// The static-target collectors `scep`, `tls` and `crl`: the targets listed under
// `targets:` in the config file, probed in parallel at /metrics time, for users who
// do not want the /probe relabelling dance. Their samples carry `collector` and
// `target` labels so several targets do not collide.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "ndes/cert/parse.h"
#include "ndes/collect/collector.h"
#include "probe/cdp_hook.h"
#include "probe/probe.h"
#include "probe/probe_config.h"

namespace ndes::probe {

// Bounds the static-target probes running at once across all three collectors.
class ProbeLimiter {
 public:
  explicit ProbeLimiter(std::size_t capacity) : capacity_(capacity) {}
  void set_capacity(std::size_t capacity);
  void acquire();
  void release();
  std::size_t in_use() const;

  // The one limiter the static collectors share.
  static ProbeLimiter& shared();

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t capacity_;
  std::size_t in_use_ = 0;
};

// Adds collector=`collector` and target=`target` to every sample of `result`.
void add_static_labels(CollectorResult& result, const std::string& collector,
                       const std::string& target);

class StaticProbeCollector : public Collector, public CdpUrlConsumer {
 public:
  // `probers` are the build's probers (exporter/prober_table.h).
  StaticProbeCollector(ProberKind kind, ProberTable probers, const ProbeConfig& probes,
                       const TemplateNames& template_names);
  std::string_view name() const override;
  CollectorResult collect() override;
  void set_cdp_url_source(Source source) override;

  // The targets of the next run: the configured ones, plus for crl with
  // follow_cdp the CDP URLs that are not configured already.
  std::vector<ProbeTarget> targets() const;

 private:
  ProberKind kind_;
  ProberTable probers_;
  ProbeConfig probes_;
  TemplateNames template_names_;
  mutable std::mutex mutex_;
  Source cdp_source_;
};

}  // namespace ndes::probe
