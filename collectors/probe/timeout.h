// How long a probe may take, blackbox_exporter style.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace ndes::probe {

inline constexpr std::chrono::milliseconds kDefaultProbeTimeout{10'000};
// Left for the exporter to answer after the probe, within Prometheus' scrape timeout.
inline constexpr std::chrono::milliseconds kScrapeTimeoutMargin{500};
inline constexpr std::chrono::milliseconds kMinProbeTimeout{100};

// The module's timeout, else the X-Prometheus-Scrape-Timeout-Seconds header
// (`scrape_timeout_header`, "" if absent) minus 0.5 s, else 10 s. When both are
// known the smaller wins: a probe outliving the scrape is wasted, as Prometheus
// has already given up on the answer. Never below 100 ms.
std::chrono::milliseconds probe_timeout(std::optional<std::chrono::milliseconds> module_timeout,
                                        std::string_view scrape_timeout_header);

}  // namespace ndes::probe
