#include "common/win_time.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include "base/text.h"
#include "base/time.h"

namespace ndes::wintime {
namespace {

std::optional<unsigned> digits(std::string_view text) {
  unsigned v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

std::optional<double> from_parts(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                                 unsigned s) {
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  return static_cast<double>(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
}

}  // namespace

std::optional<double> parse_iso8601_utc(std::string_view text) {
  text = trim_view(text);
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) {
    text.remove_suffix(1);
  }
  // YYYY-MM-DDTHH:MM:SS[.fraction]
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const auto y = digits(text.substr(0, 4));
  const auto mo = digits(text.substr(5, 2));
  const auto d = digits(text.substr(8, 2));
  const auto h = digits(text.substr(11, 2));
  const auto mi = digits(text.substr(14, 2));
  const auto s = digits(text.substr(17, 2));
  if (!y || !mo || !d || !h || !mi || !s) {
    return std::nullopt;
  }
  double fraction = 0;
  const std::string_view rest = text.substr(19);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || !std::all_of(rest.begin() + 1, rest.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
      return std::nullopt;
    }
    double scale = 0.1;
    for (std::size_t i = 1; i < rest.size(); ++i, scale /= 10) {
      fraction += (rest[i] - '0') * scale;
    }
  }
  const auto base = from_parts(*y, *mo, *d, *h, *mi, *s);
  return base ? std::optional<double>(*base + fraction) : std::nullopt;
}

std::optional<double> parse_us_datetime(std::string_view text) {
  text = trim_view(text);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view date = text.substr(0, space);
  std::string_view time = trim_view(text.substr(space + 1));
  int ampm = 0;  // 0 none, 1 AM, 2 PM
  if (time.size() > 3) {
    const std::string tail = upper(time.substr(time.size() - 2));
    if (tail == "AM" || tail == "PM") {
      ampm = tail == "AM" ? 1 : 2;
      time = trim_view(time.substr(0, time.size() - 2));
    }
  }
  const auto s1 = date.find('/');
  const auto s2 = date.find('/', s1 == std::string_view::npos ? s1 : s1 + 1);
  const auto c1 = time.find(':');
  const auto c2 = time.find(':', c1 == std::string_view::npos ? c1 : c1 + 1);
  if (s1 == std::string_view::npos || s2 == std::string_view::npos ||
      c1 == std::string_view::npos || c2 == std::string_view::npos) {
    return std::nullopt;
  }
  const auto mo = digits(date.substr(0, s1));
  const auto d = digits(date.substr(s1 + 1, s2 - s1 - 1));
  const auto y = digits(date.substr(s2 + 1));
  auto h = digits(time.substr(0, c1));
  const auto mi = digits(time.substr(c1 + 1, c2 - c1 - 1));
  const auto s = digits(time.substr(c2 + 1));
  if (!mo || !d || !y || !h || !mi || !s) {
    return std::nullopt;
  }
  if (ampm != 0) {
    if (*h < 1 || *h > 12) {
      return std::nullopt;
    }
    *h = (*h % 12) + (ampm == 2 ? 12 : 0);
  }
  return from_parts(*y, *mo, *d, *h, *mi, *s);
}

std::optional<double> filetime_to_unix(std::uint64_t filetime) {
  constexpr std::uint64_t kUnixEpoch = 116444736000000000ULL;  // 1970-01-01 as FILETIME
  if (filetime < kUnixEpoch) {
    return std::nullopt;
  }
  return static_cast<double>(filetime - kUnixEpoch) / 1e7;
}

}  // namespace ndes::wintime
