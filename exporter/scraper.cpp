#include "exporter/scraper.h"

#include <algorithm>
#include <exception>
#include <future>
#include <stdexcept>

#include "base/log.h"
#include "exporter/collector_table.h"
#include "probe/cdp_hook.h"

namespace ndes {

CollectorResult run_collector(Collector& collector) {
  const auto start = std::chrono::steady_clock::now();
  CollectorResult result;
  std::string failure;
  try {
    result = collector.collect();
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  if (!failure.empty()) {
    result = CollectorResult{};
    result.success = false;
  }
  if (result.collector.empty() || !failure.empty()) {
    result.collector = std::string(collector.name());
  }
  result.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!failure.empty()) {
    log_error("collector failed", {{"collector", result.collector}, {"err", failure}});
  }
  return result;
}

std::string families_text(const Snapshot& snapshot, const BuildInfo& build_info) {
  auto families = to_families(snapshot.results, snapshot.taken_at);
  families.push_back(build_info_family(build_info));
  return serialize(families);
}

Scraper::Scraper(std::vector<std::unique_ptr<Collector>> collectors, BuildInfo build_info,
                 Clock clock)
    : collectors_(std::move(collectors)),
      build_info_(std::move(build_info)),
      clock_(std::move(clock)) {}

std::unique_ptr<Scraper> Scraper::from_config(const ExporterConfig& config, BuildInfo build_info) {
  std::vector<std::unique_ptr<Collector>> collectors;
  for (const auto& name : config.collectors_enabled) {
    collectors.push_back(create_collector(name, config));
  }
  auto exporter = std::make_unique<Scraper>(std::move(collectors), std::move(build_info));
  // The crl collector's follow_cdp hook: the CDP URLs of the last snapshot's
  // certificates (one scrape behind, so collectors still run in parallel).
  const Scraper* self = exporter.get();
  for (const auto& collector : exporter->collectors_) {
    if (auto* consumer = dynamic_cast<probe::CdpUrlConsumer*>(collector.get())) {
      consumer->set_cdp_url_source([self] {
        const auto last = self->last_snapshot();
        return last ? probe::cdp_urls(last->results) : std::vector<std::string>{};
      });
    }
  }
  return exporter;
}

std::shared_ptr<const Snapshot> Scraper::collect_snapshot() const {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->taken_at = clock_();
  if (collectors_.size() == 1) {
    snapshot->results.push_back(run_collector(*collectors_.front()));
  } else {
    std::vector<std::future<CollectorResult>> futures;
    futures.reserve(collectors_.size());
    for (const auto& c : collectors_) {
      Collector* collector = c.get();
      futures.push_back(
          std::async(std::launch::async, [collector] { return run_collector(*collector); }));
    }
    for (auto& f : futures) {
      snapshot->results.push_back(f.get());
    }
  }
  std::shared_ptr<const Snapshot> result = std::move(snapshot);
  {
    const std::lock_guard lock(mutex_);
    // Scrapes can overlap: keep the newest.
    if (!last_ || last_->taken_at <= result->taken_at) {
      last_ = result;
    }
  }
  return result;
}

std::shared_ptr<const Snapshot> Scraper::last_snapshot() const {
  const std::lock_guard lock(mutex_);
  return last_;
}

std::shared_ptr<const Snapshot> Scraper::snapshot_or_collect() const {
  if (auto last = last_snapshot()) {
    return last;
  }
  return collect_snapshot();
}

std::vector<std::string> Scraper::collector_names() const {
  std::vector<std::string> names;
  names.reserve(collectors_.size());
  for (const auto& c : collectors_) {
    names.emplace_back(c->name());
  }
  return names;
}

ScrapeText Scraper::render(const Snapshot& snapshot) const {
  // Each collector's certificate series are remade only when its list changed: the
  // files collector hands out the same list while no file changed, so a warm scrape
  // of 10,000 certificates builds no families for them, and the joined text (6 MB
  // there) is shared, not copied. Different collectors never share a series (the
  // collector label), so their parts can be made apart and joined under one
  // header per family.
  ScrapeText out;
  {
    const std::lock_guard lock(certificate_text_mutex_);
    bool changed = !certificate_parts_ || certificate_text_.size() != snapshot.results.size();
    certificate_text_.resize(snapshot.results.size());
    for (std::size_t i = 0; i < snapshot.results.size(); ++i) {
      const CertificateList& list = snapshot.results[i].certificates;
      CertificateText& cached = certificate_text_[i];
      if (cached.list.same_as(list)) {
        continue;
      }
      cached.list = list;
      cached.families = certificate_family_texts(snapshot.results[i]);
      ++certificate_text_renders_;
      changed = true;
    }
    if (changed) {
      certificate_parts_ = certificate_parts();
    }
    out.parts = *certificate_parts_;
    out.stable_parts = out.parts.size();
  }
  auto families = status_families(snapshot.results, snapshot.taken_at);
  families.push_back(build_info_family(build_info_));
  out.parts.push_back(std::make_shared<const std::string>(serialize(families)));
  return out;
}

std::vector<std::shared_ptr<const std::string>> Scraper::certificate_parts() const {
  // The families in their order (certificate_families' order in every collector's text).
  std::vector<std::string> names;
  for (const auto& text : certificate_text_) {
    for (const auto& f : text.families) {
      if (std::find(names.begin(), names.end(), f.name) == names.end()) {
        names.push_back(f.name);
      }
    }
  }
  std::vector<std::shared_ptr<const std::string>> parts;
  for (const auto& name : names) {
    bool header = false;
    for (const auto& text : certificate_text_) {
      for (const auto& f : text.families) {
        if (f.name != name) {
          continue;
        }
        if (!header) {
          parts.push_back(f.header);
          header = true;
        }
        parts.insert(parts.end(), f.samples.begin(), f.samples.end());
      }
    }
  }
  return parts;
}

std::string ScrapeText::joined() const {
  std::string text;
  for (const auto& part : parts) {
    text += *part;
  }
  return text;
}

std::uint64_t Scraper::certificate_text_renders() const {
  const std::lock_guard lock(certificate_text_mutex_);
  return certificate_text_renders_;
}

std::string Scraper::scrape() const { return scrape_shared()->joined(); }

std::shared_ptr<const ScrapeText> Scraper::scrape_shared() const {
  using Text = std::shared_ptr<const ScrapeText>;
  std::promise<Text> promise;
  {
    std::unique_lock lock(render_mutex_);
    if (rendering_) {
      auto shared = *rendering_;
      lock.unlock();
      return shared.get();  // rethrows the owner's exception, if any
    }
    rendering_ = promise.get_future().share();
  }
  // Whatever happens, the next caller starts a fresh rendering.
  struct Reset {
    const Scraper* self;
    ~Reset() {
      const std::lock_guard lock(self->render_mutex_);
      self->rendering_.reset();
    }
  } reset{this};
  try {
    Text text = std::make_shared<const ScrapeText>(render(*collect_snapshot()));
    promise.set_value(text);
    return text;
  } catch (...) {
    promise.set_exception(std::current_exception());
    throw;
  }
}

}  // namespace ndes
