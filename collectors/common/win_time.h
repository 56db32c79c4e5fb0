// Times as Windows writes them, to Unix seconds: ISO 8601 UTC text (event XML's
// SystemTime, .NET's "o" format), FILETIME counts, and the US "M/D/YYYY h:mm:ss
// AM" text of DateTime.ToString() on an en-US server. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ndes::wintime {

// "2026-11-25T15:04:05.1234567Z" (also without the fraction, with a space for T,
// without Z: taken as UTC) -> Unix seconds.
std::optional<double> parse_iso8601_utc(std::string_view text);

// "11/25/2026 3:04:05 PM" or "11/25/2026 15:04:05" (taken as UTC).
std::optional<double> parse_us_datetime(std::string_view text);

// 100 ns intervals since 1601-01-01 -> Unix seconds (nullopt before 1970).
std::optional<double> filetime_to_unix(std::uint64_t filetime);

}  // namespace ndes::wintime
