// The small hook through which the crl collector learns the CRL distribution points
// of the certificates the other collectors saw: the exporter gives every collector
// that implements CdpUrlConsumer a function returning the CDP URLs of the last
// snapshot. Header-only, so the exporter shell needs nothing else from collectors/.
#pragma once

#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ndes/collect/records.h"

namespace ndes::probe {

class CdpUrlConsumer {
 public:
  using Source = std::function<std::vector<std::string>()>;
  virtual ~CdpUrlConsumer() = default;
  virtual void set_cdp_url_source(Source source) = 0;
};

// Distinct http(s) CDP URLs of the certificates in `results`, sorted, leaving out
// the results of collector `skip` (the crl collector's own). ldap:// and file
// URLs are not probed.
inline std::vector<std::string> cdp_urls(std::span<const CollectorResult> results,
                                         std::string_view skip = "crl") {
  std::set<std::string> urls;
  for (const auto& result : results) {
    if (result.collector == skip) {
      continue;
    }
    for (const auto& record : result.certificates) {
      for (const auto& url : record.cert.crl_distribution_points) {
        if (url.starts_with("http://") || url.starts_with("https://")) {
          urls.insert(url);
        }
      }
    }
  }
  return {urls.begin(), urls.end()};
}

}  // namespace ndes::probe
