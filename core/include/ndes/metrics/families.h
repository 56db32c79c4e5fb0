// The one shared layer from records to metric families. Pure: the same records and
// the same `now` always give the same families.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ndes/collect/records.h"

namespace ndes {

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string platform;  // e.g. linux/amd64, windows/amd64
};

// Certificate, validity-count, read-error and collector-status families for the
// given results, plus each result's own samples. `now` is Unix seconds.
std::vector<prometheus::MetricFamily> to_families(std::span<const CollectorResult> results,
                                                  std::int64_t now);

// to_families in two parts: certificate_families(results) followed by
// status_families(results, now) is to_families(results, now).
// The per-certificate series (NotAfter, NotBefore, private key): they depend on the
// certificate lists alone, not on `now` or on how the run went, so their text can be
// kept while the lists stay the same (CertificateList::same_as).
std::vector<prometheus::MetricFamily> certificate_families(
    std::span<const CollectorResult> results);

// One family's text in two parts, so the parts of several sources can be joined
// under one header: header + samples of each is serialize() of that family.
struct FamilyText {
  std::string name;
  std::shared_ptr<const std::string> header;  // HELP and TYPE lines
  // The sample lines, a part per batch, sent as they are: joining them would hold the
  // text twice (6 MB at 10,000 certificates).
  std::vector<std::shared_ptr<const std::string>> samples;
};
// certificate_families({result}) as text, family by family, made in small batches
// so the families of a large result never exist all at once.
std::vector<FamilyText> certificate_family_texts(const CollectorResult& result);
// Everything else: valid counts (which depend on `now`), read errors, collector
// success and duration, and each result's own samples.
std::vector<prometheus::MetricFamily> status_families(std::span<const CollectorResult> results,
                                                      std::int64_t now);

prometheus::MetricFamily build_info_family(const BuildInfo& info);

// Serializes families in the Prometheus text format (0.0.4).
std::string serialize(const std::vector<prometheus::MetricFamily>& families);
// serialize() of one counter or gauge family in two parts: its HELP and TYPE lines,
// and its sample lines. Samples of one family from several sources can so be
// written under one header (the format allows a family only once).
std::string serialize_header(const prometheus::MetricFamily& family);
std::string serialize_samples(const prometheus::MetricFamily& family);

}  // namespace ndes
