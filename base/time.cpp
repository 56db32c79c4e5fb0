#include "base/time.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/text.h"

namespace ndes {
namespace {

bool read_number(std::string_view text, std::size_t pos, std::size_t len, unsigned* out) {
  if (pos + len > text.size()) {
    return false;
  }
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  *out = value;
  return true;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t unix_from_utc_tm(const std::tm& utc) {
  const std::int64_t days =
      days_from_civil(static_cast<std::int64_t>(utc.tm_year) + 1900,
                      static_cast<unsigned>(utc.tm_mon + 1), static_cast<unsigned>(utc.tm_mday));
  return days * 86400 + static_cast<std::int64_t>(utc.tm_hour) * 3600 +
         static_cast<std::int64_t>(utc.tm_min) * 60 + utc.tm_sec;
}

CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  CivilDate date;
  date.day = doy - (153 * mp + 2) / 5 + 1;
  date.month = mp < 10 ? mp + 3 : mp - 9;
  date.year = static_cast<std::int64_t>(yoe) + era * 400 + (date.month <= 2 ? 1 : 0);
  return date;
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
  const CivilDate date = civil_from_days(days);
  std::array<char, 40> buf{};
  std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf.data();
}

std::optional<std::int64_t> parse_time(std::string_view text) {
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

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == ' ') {
    text.remove_suffix(1);
  }
  double scale = 1.0;  // to seconds
  if (text.ends_with("ms")) {
    scale = 0.001;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
  } else if (text.ends_with("m")) {
    scale = 60.0;
    text.remove_suffix(1);
  }
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos ||
      std::count(text.begin(), text.end(), '.') > 1 || text == ".") {
    return std::nullopt;
  }
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  const double ms = v * scale * 1000.0;
  if (!(ms >= 1.0) || ms > 86'400'000.0) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<long long>(std::llround(ms)));
}

std::optional<std::int64_t> parse_duration_seconds(std::string_view text) {
  const std::string_view t = trim_view(text);
  std::size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') {
    ++digits;
  }
  if (digits == 0 || digits > 9) {
    return std::nullopt;
  }
  std::int64_t n = 0;
  std::from_chars(t.data(), t.data() + digits, n);
  const std::string_view unit = t.substr(digits);
  std::int64_t factor = 0;
  if (unit.empty() || unit == "s") {
    factor = 1;
  } else if (unit == "m") {
    factor = 60;
  } else if (unit == "h") {
    factor = 3600;
  } else if (unit == "d") {
    factor = 86400;
  } else {
    return std::nullopt;
  }
  if (n <= 0) {
    return std::nullopt;
  }
  return n * factor;
}

}  // namespace ndes
