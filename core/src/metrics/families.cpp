#include "ndes/metrics/families.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>

#include "ndes/metrics/utf8.h"

namespace ndes {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric gauge(std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m;
  for (auto& l : labels) {
    l.value = valid_utf8(std::move(l.value));
  }
  m.label = std::move(labels);
  m.gauge.value = value;
  return m;
}

// A label set's identity, so one series is never written twice (the same
// certificate twice in one bundle is still one series).
std::string series_key(const std::vector<ClientMetric::Label>& labels) {
  std::string key;
  for (const auto& l : labels) {
    key += l.value;
    key += '\x1f';
  }
  return key;
}

class FamilyBuilder {
 public:
  FamilyBuilder(std::string name, std::string help, MetricType type = MetricType::Gauge) {
    family_.name = std::move(name);
    family_.help = std::move(help);
    family_.type = type;
  }
  void add(std::vector<ClientMetric::Label> labels, double value) {
    if (!seen_.insert(series_key(labels)).second) {
      return;
    }
    add_unique(std::move(labels), value);
  }
  // For a label set the caller knows is new to this family.
  void add_unique(std::vector<ClientMetric::Label> labels, double value) {
    ClientMetric m = gauge(std::move(labels), value);
    if (family_.type == MetricType::Counter) {
      m.counter.value = value;
    }
    family_.metric.push_back(std::move(m));
  }
  void reserve(std::size_t n) { family_.metric.reserve(family_.metric.size() + n); }
  void move_into(std::vector<MetricFamily>& out) {
    if (!family_.metric.empty()) {
      out.push_back(std::move(family_));
    }
  }

 private:
  MetricFamily family_;
  std::unordered_set<std::string> seen_;
};

std::vector<ClientMetric::Label> certificate_labels(const CertificateRecord& r) {
  return {{"collector", r.origin.collector},
          {"source", r.origin.source},
          {"path", r.origin.path},
          {"thumbprint", r.cert.thumbprint},
          {"serial", r.cert.serial},
          {"subject", r.cert.subject_label()},
          {"issuer", r.cert.issuer_label()},
          {"template", r.cert.template_name},
          {"role", std::string(to_string(r.role))}};
}

bool valid_at(const Certificate& c, std::int64_t now) {
  return c.not_before <= now && now < c.not_after;
}

// NDES uses an RA certificate only with its private key; where the source knows
// the key is absent, the certificate does not count.
bool counts_as_valid(const CertificateRecord& r, std::int64_t now) {
  if (!valid_at(r.cert, now)) {
    return false;
  }
  return !(is_ra_role(r.role) && r.has_private_key == false);
}

void add_valid_counts(const CollectorResult& result, std::int64_t now, FamilyBuilder& valid) {
  using Key = std::tuple<std::string, std::string, std::string>;  // source, template, role
  std::map<Key, std::set<std::string>> thumbprints;               // distinct valid certificates
  for (const auto& r : result.certificates) {
    auto& bucket =
        thumbprints[Key{r.origin.source, r.cert.template_name, std::string(to_string(r.role))}];
    if (counts_as_valid(r, now)) {
      bucket.insert(r.cert.thumbprint);
    }
  }
  for (const auto& [key, set] : thumbprints) {
    const auto& [source, templ, role] = key;
    valid.add(
        {{"collector", result.collector}, {"source", source}, {"template", templ}, {"role", role}},
        static_cast<double>(set.size()));
  }
}

MetricType to_metric_type(SampleType t) {
  return t == SampleType::counter ? MetricType::Counter : MetricType::Gauge;
}

}  // namespace

namespace {

// The three per-certificate families, filled from a range of one result's records.
// One label set per certificate, checked for duplicates once (in `seen`, which
// spans ranges), not once per family.
struct CertificateBuilders {
  FamilyBuilder not_after{"ndes_certificate_not_after_timestamp_seconds",
                          "NotAfter of the certificate, in Unix seconds."};
  FamilyBuilder not_before{"ndes_certificate_not_before_timestamp_seconds",
                           "NotBefore of the certificate, in Unix seconds."};
  FamilyBuilder has_key{"ndes_certificate_has_private_key",
                        "1 if the store holds the certificate's private key."};

  void add(const CertificateList& list, std::size_t begin, std::size_t end,
           std::unordered_set<std::string>& seen) {
    not_after.reserve(end - begin);
    not_before.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
      const CertificateRecord& r = list[i];
      auto labels = certificate_labels(r);
      if (!seen.insert(series_key(labels)).second) {
        continue;
      }
      not_before.add_unique(labels, static_cast<double>(r.cert.not_before));
      if (r.has_private_key.has_value()) {
        has_key.add_unique(labels, *r.has_private_key ? 1 : 0);
      }
      not_after.add_unique(std::move(labels), static_cast<double>(r.cert.not_after));
    }
  }
  std::vector<MetricFamily> take() {
    std::vector<MetricFamily> out;
    not_after.move_into(out);
    not_before.move_into(out);
    has_key.move_into(out);
    return out;
  }
};

}  // namespace

std::vector<MetricFamily> certificate_families(std::span<const CollectorResult> results) {
  CertificateBuilders builders;
  std::unordered_set<std::string> seen;
  for (const auto& result : results) {
    builders.add(result.certificates, 0, result.certificates.size(), seen);
  }
  return builders.take();
}

std::vector<FamilyText> certificate_family_texts(const CollectorResult& result) {
  // Families of a few hundred certificates at a time, each made into text and freed:
  // the families of 10,000 at once (18 label strings per series) were the largest
  // part of a cold scan's peak memory.
  constexpr std::size_t kBatch = 256;
  // In certificate_families' order without sorting: the first batch that adds a
  // certificate adds NotAfter and NotBefore together, and the private-key family,
  // the last one, can only come then or in a later batch.
  std::vector<FamilyText> out;
  std::unordered_set<std::string> seen;
  const CertificateList& list = result.certificates;
  for (std::size_t begin = 0; begin < list.size(); begin += kBatch) {
    CertificateBuilders builders;
    builders.add(list, begin, std::min(list.size(), begin + kBatch), seen);
    for (const auto& family : builders.take()) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const FamilyText& t) { return t.name == family.name; });
      if (it == out.end()) {
        out.push_back(FamilyText{
            family.name, std::make_shared<const std::string>(serialize_header(family)), {}});
        it = out.end() - 1;
      }
      std::string samples = serialize_samples(family);
      samples.shrink_to_fit();  // grown by appending: up to twice its size
      it->samples.push_back(std::make_shared<const std::string>(std::move(samples)));
    }
  }
  return out;
}

std::vector<MetricFamily> status_families(std::span<const CollectorResult> results,
                                          std::int64_t now) {
  FamilyBuilder valid("ndes_certificates_valid",
                      "Distinct certificates valid now, per configured root, template and role. "
                      "Above 1 for an NDES RA template is the duplicate that stops NDES.");
  FamilyBuilder errors("ndes_certificate_read_errors",
                       "1 for each file that looked like a certificate but could not be read "
                       "in the last scan.");
  FamilyBuilder success("ndes_collector_success", "1 if the collector's last run succeeded.");
  FamilyBuilder duration("ndes_collector_duration_seconds",
                         "How long the collector's last run took.");

  std::map<std::string, FamilyBuilder> sample_families;  // by name, sorted for stable output
  for (const auto& result : results) {
    add_valid_counts(result, now, valid);
    for (const auto& e : result.errors) {
      errors.add({{"collector", e.origin.collector},
                  {"source", e.origin.source},
                  {"path", e.origin.path},
                  {"reason", std::string(to_string(e.reason))}},
                 1);
    }
    success.add({{"collector", result.collector}}, result.success ? 1 : 0);
    duration.add({{"collector", result.collector}}, result.duration_seconds);
    for (const auto& s : result.samples) {
      auto it = sample_families.find(s.name);
      if (it == sample_families.end()) {
        it = sample_families.emplace(s.name, FamilyBuilder(s.name, s.help, to_metric_type(s.type)))
                 .first;
      }
      std::vector<ClientMetric::Label> labels;
      labels.reserve(s.labels.size());
      for (const auto& [k, v] : s.labels) {
        labels.push_back({k, v});
      }
      it->second.add(std::move(labels), s.value);
    }
  }

  std::vector<MetricFamily> out;
  valid.move_into(out);
  errors.move_into(out);
  success.move_into(out);
  duration.move_into(out);
  for (auto& [name, builder] : sample_families) {
    builder.move_into(out);
  }
  return out;
}

std::vector<MetricFamily> to_families(std::span<const CollectorResult> results, std::int64_t now) {
  std::vector<MetricFamily> out = certificate_families(results);
  for (auto& f : status_families(results, now)) {
    out.push_back(std::move(f));
  }
  return out;
}

MetricFamily build_info_family(const BuildInfo& info) {
  FamilyBuilder b("ndes_exporter_build_info",
                  "A metric with a constant '1' value labeled by version, revision and platform "
                  "from which ndes_exporter was built.");
  b.add({{"version", info.version}, {"revision", info.revision}, {"platform", info.platform}}, 1);
  std::vector<MetricFamily> out;
  b.move_into(out);
  return std::move(out.front());
}

}  // namespace ndes
