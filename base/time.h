// Time as the tree writes and reads it: civil dates <-> days since 1970-01-01 (no
// timegm, which Windows lacks, and no time zone), Unix seconds <-> RFC 3339 UTC text
// ("2026-11-25T15:00:00Z"), the durations of the config files, and the clock. Pure
// but for unix_now().
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace ndes {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm);
// 64-bit, so years before 1970 and after 2038 are exact.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

// Unix seconds of a broken-down UTC time (what ASN1_TIME_to_tm fills): timegm
// without its platform gaps (Windows lacks it, 32-bit time_t ends in 2038).
std::int64_t unix_from_utc_tm(const std::tm& utc);

struct CivilDate {
  std::int64_t year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
};
// The inverse of days_from_civil.
CivilDate civil_from_days(std::int64_t days);

// Unix seconds <-> "2026-11-25T15:00:00Z" (RFC 3339, UTC, whole seconds). 0 formats as
// "" (a time never set); parse_time takes exactly what format_time writes.
std::string format_time(std::int64_t unix_seconds);
std::optional<std::int64_t> parse_time(std::string_view text);

// Unix seconds now.
std::int64_t unix_now();

// A probe duration: "500ms", "1.5s", "2m" or a bare number of seconds ("10"), spaces
// around allowed; from 1 ms to 24 h. nullopt on anything else ("0s", "5h", "2d").
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// A whole number of seconds, minutes, hours or days: "90", "120s", "5m", "1h", "30d" (white space
// around allowed, at most 9 digits, more than 0). nullopt on anything else.
std::optional<std::int64_t> parse_duration_seconds(std::string_view text);

}  // namespace ndes
