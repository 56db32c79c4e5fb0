// The HTML page at "/": a pure function of what it shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/renew_hook_view.h"
#include "ndes/collect/records.h"

namespace ndes {

struct PageLink {
  std::string href;
  std::string text;
  std::string description;
};

struct LandingPageData {
  std::string version;
  std::string revision;
  std::vector<std::string> collectors;  // enabled collectors
  std::string telemetry_path = "/metrics";
  // Links after the telemetry path and /healthz (later: /probe...).
  std::vector<PageLink> extra_links;
  // Collector status from the same run as the records.
  std::vector<CollectorResult> results;
  std::int64_t now = 0;  // Unix seconds: days left are counted from here
  // Set when --renew-hook.url is: the link to the hook's /renewals and the last renewal
  // per template (or why it could not be read).
  std::optional<RenewHookView> renew_hook;
};

// Whole days left until not_after, rounded down (negative once expired).
std::int64_t days_left(std::int64_t not_after, std::int64_t now);

// "2026-12-04T15:00:00Z".
std::string iso_time(std::int64_t unix_seconds);

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

// The CSS class of a certificate row: "expired" at or past NotAfter, "soon" under
// 30 days left, else "".
std::string_view row_class(std::int64_t not_after, std::int64_t now);

std::string render_landing_page(const LandingPageData& data);

}  // namespace ndes
