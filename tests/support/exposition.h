// Reads the Prometheus text format back into samples, so tests assert on values
// and labels the way a scraper sees them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ndes::test {

struct ScrapedSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
  bool has_timestamp = false;
  bool operator==(const ScrapedSample&) const = default;
};

std::vector<ScrapedSample> parse_exposition(const std::string& text);

// Samples named `name` whose labels include every pair in `match`.
std::vector<ScrapedSample> select(const std::vector<ScrapedSample>& samples,
                                  const std::string& name,
                                  const std::map<std::string, std::string>& match = {});

// The single value of such a sample; nullopt if there is none or more than one.
std::optional<double> value_of(const std::vector<ScrapedSample>& samples, const std::string& name,
                               const std::map<std::string, std::string>& match = {});

}  // namespace ndes::test
