#include "renew/text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace ndes::renew {
namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm): no timegm, which
// Windows lacks, and no time zone involved.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

bool read_number(std::string_view text, std::size_t pos, std::size_t len, unsigned* out) {
  if (pos + len > text.size()) {
    return false;
  }
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
      return false;
    }
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  *out = value;
  return true;
}

}  // namespace

std::string printable(std::string_view value, std::size_t max) {
  std::string out;
  const std::size_t n = std::min(value.size(), max);
  out.reserve(n + 3);
  for (std::size_t i = 0; i < n; ++i) {
    const auto u = static_cast<unsigned char>(value[i]);
    out += (u < 0x20 || u == 0x7f) ? '?' : value[i];
  }
  if (value.size() > max) {
    out += "...";
  }
  return out;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string format_time(std::int64_t unix_seconds) {
  if (unix_seconds == 0) {
    return "";
  }
  std::int64_t days = unix_seconds / 86400;
  std::int64_t secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    days -= 1;
  }
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(days, &y, &m, &d);
  std::array<char, 40> buf{};
  std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf.data();
}

std::optional<std::int64_t> parse_time(std::string_view text) {
  // Exactly what format_time writes.
  unsigned y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  unsigned h = 0;
  unsigned mi = 0;
  unsigned s = 0;
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z' || !read_number(text, 0, 4, &y) ||
      !read_number(text, 5, 2, &mo) || !read_number(text, 8, 2, &d) ||
      !read_number(text, 11, 2, &h) || !read_number(text, 14, 2, &mi) ||
      !read_number(text, 17, 2, &s) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      s > 60) {
    return std::nullopt;
  }
  return days_from_civil(y, mo, d) * 86400 + static_cast<std::int64_t>(h) * 3600 +
         static_cast<std::int64_t>(mi) * 60 + s;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ndes::renew
