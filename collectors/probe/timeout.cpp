#include "probe/timeout.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "base/text.h"

namespace ndes::probe {
namespace {

// A plain decimal number ("10", "9.5"); nullopt otherwise (no signs, no exponents).
std::optional<double> parse_number(std::string_view s) {
  if (s.empty() || s.find_first_not_of("0123456789.") != std::string_view::npos ||
      std::count(s.begin(), s.end(), '.') > 1 || s == ".") {
    return std::nullopt;
  }
  // std::from_chars for double is in libstdc++ 11+, which Debian 12 has.
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::chrono::milliseconds from_seconds(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000.0)));
}

}  // namespace

std::chrono::milliseconds probe_timeout(std::optional<std::chrono::milliseconds> module_timeout,
                                        std::string_view scrape_timeout_header) {
  std::optional<std::chrono::milliseconds> from_header;
  if (const auto v = parse_number(trim_view(scrape_timeout_header)); v && *v > 0 && *v < 86400.0) {
    from_header = from_seconds(*v) - kScrapeTimeoutMargin;
  }
  std::chrono::milliseconds t = kDefaultProbeTimeout;
  if (module_timeout && from_header) {
    t = std::min(*module_timeout, *from_header);
  } else if (module_timeout) {
    t = *module_timeout;
  } else if (from_header) {
    t = *from_header;
  }
  return std::max(t, kMinProbeTimeout);
}

}  // namespace ndes::probe
