#include "probe/static_collector.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "base/log.h"
#include "probe/modules.h"
#include "probe/probe.h"
#include "probe/timeout.h"

namespace ndes::probe {
namespace {

class SlotGuard {
 public:
  explicit SlotGuard(ProbeLimiter& limiter) : limiter_(limiter) { limiter_.acquire(); }
  ~SlotGuard() { limiter_.release(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  ProbeLimiter& limiter_;
};

}  // namespace

void ProbeLimiter::set_capacity(std::size_t capacity) {
  {
    const std::lock_guard lock(mutex_);
    capacity_ = std::max<std::size_t>(capacity, 1);
  }
  cv_.notify_all();
}

void ProbeLimiter::acquire() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return in_use_ < capacity_; });
  ++in_use_;
}

void ProbeLimiter::release() {
  {
    const std::lock_guard lock(mutex_);
    --in_use_;
  }
  cv_.notify_one();
}

std::size_t ProbeLimiter::in_use() const {
  const std::lock_guard lock(mutex_);
  return in_use_;
}

ProbeLimiter& ProbeLimiter::shared() {
  static ProbeLimiter limiter(16);
  return limiter;
}

void add_static_labels(CollectorResult& result, const std::string& collector,
                       const std::string& target) {
  for (auto& sample : result.samples) {
    sample.labels["collector"] = collector;
    sample.labels["target"] = target;
  }
}

StaticProbeCollector::StaticProbeCollector(ProberKind kind, ProberTable probers,
                                           const ProbeConfig& probes,
                                           const TemplateNames& template_names)
    : kind_(kind), probers_(std::move(probers)), probes_(probes), template_names_(template_names) {
  ProbeLimiter::shared().set_capacity(probes_.max_concurrency);
}

std::string_view StaticProbeCollector::name() const { return to_string(kind_); }

void StaticProbeCollector::set_cdp_url_source(Source source) {
  const std::lock_guard lock(mutex_);
  cdp_source_ = std::move(source);
}

std::vector<ProbeTarget> StaticProbeCollector::targets() const {
  std::vector<ProbeTarget> out;
  switch (kind_) {
    case ProberKind::scep:
      out = probes_.scep_targets;
      break;
    case ProberKind::tls:
      out = probes_.tls_targets;
      break;
    case ProberKind::crl:
      out = probes_.crl_targets;
      break;
  }
  if (kind_ != ProberKind::crl || !probes_.crl_follow_cdp) {
    return out;
  }
  Source source;
  {
    const std::lock_guard lock(mutex_);
    source = cdp_source_;
  }
  if (!source) {
    return out;
  }
  std::set<std::string> known;
  for (const auto& t : out) {
    known.insert(t.target);
  }
  for (auto& url : source()) {
    if (known.insert(url).second) {
      out.push_back(ProbeTarget{std::move(url), ""});
    }
  }
  return out;
}

CollectorResult StaticProbeCollector::collect() {
  const std::vector<ProbeTarget> list = targets();
  const std::string collector(name());
  std::vector<CollectorResult> results(list.size());

  // One probe, by index: resolves the module and runs it within the shared bound.
  const auto run_one = [&](std::size_t i) {
    const ProbeTarget& t = list[i];
    const std::string module_name = t.module.empty() ? collector : t.module;
    const ProbeModule* module = find_module(probes_, module_name);
    if (module == nullptr || module->prober != kind_) {
      // The config loader rejects these; a result still says what happened.
      log_error("the target's module is of another prober",
                {{"collector", collector}, {"module", module_name}, {"target", t.target}});
      module = &builtin_module(kind_);
    }
    ProbeContext context;
    context.module_name = module_name;
    context.module = module;
    context.target = t.target;
    context.template_names = &template_names_;
    context.from_config = true;
    {
      const SlotGuard slot(ProbeLimiter::shared());
      // The deadline starts when the probe may run, not while it waits for a slot.
      context.deadline = std::chrono::steady_clock::now() + probe_timeout(module->timeout, "");
      results[i] = run_probe(probers_, context);
    }
    add_static_labels(results[i], collector, t.target);
  };

  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < list.size(); i = next++) {
      run_one(i);
    }
  };
  const std::size_t threads =
      std::min(list.size(), std::max<std::size_t>(probes_.max_concurrency, 1));
  {
    std::vector<std::jthread> pool;
    for (std::size_t k = 1; k < threads; ++k) {
      pool.emplace_back(worker);
    }
    worker();
  }  // joins

  CollectorResult merged;
  merged.collector = collector;
  merged.success = true;  // the collector ran; each target's health is its probe_success
  for (auto& r : results) {
    merged.sources.insert(merged.sources.end(), r.sources.begin(), r.sources.end());
    for (const auto& c : r.certificates) {
      merged.certificates.push_back(c);
    }
    for (auto& s : r.samples) {
      merged.samples.push_back(std::move(s));
    }
  }
  return merged;
}

}  // namespace ndes::probe
