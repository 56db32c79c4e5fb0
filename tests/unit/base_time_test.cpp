// base/time.h: civil days, the RFC 3339 text of the journal and /renewals, durations.
#include <gtest/gtest.h>

#include <ctime>
#include <utility>

#include "base/time.h"

namespace ndes {
namespace {

using namespace std::chrono_literals;

TEST(BaseTime, DaysFromCivilAndBack) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11'017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(1600, 1, 1), -135'140);
  for (std::int64_t days = -800'000; days < 800'000; days += 997) {
    const CivilDate date = civil_from_days(days);
    EXPECT_EQ(days_from_civil(date.year, date.month, date.day), days) << days;
  }
  const CivilDate leap = civil_from_days(days_from_civil(2024, 2, 29));
  EXPECT_EQ(leap.year, 2024);
  EXPECT_EQ(leap.month, 2U);
  EXPECT_EQ(leap.day, 29U);
}

TEST(BaseTime, AgreesWithTheCLibrary) {
  for (std::time_t t = 0; t < 4'000'000'000; t += 86'400 * 37 + 1234) {
    std::tm tm{};
#ifdef _WIN32
    gmtime_s(&tm, &t);
#else
    gmtime_r(&t, &tm);
#endif
    EXPECT_EQ(days_from_civil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                              static_cast<unsigned>(tm.tm_mday)),
              static_cast<std::int64_t>(t / 86'400))
        << t;
    EXPECT_EQ(unix_from_utc_tm(tm), static_cast<std::int64_t>(t)) << t;
  }
}

TEST(BaseTime, FormatsAndParsesTimes) {
  EXPECT_EQ(format_time(0), "");
  EXPECT_EQ(format_time(1), "1970-01-01T00:00:01Z");
  EXPECT_EQ(format_time(1'800'000'000), "2027-01-15T08:00:00Z");
  EXPECT_EQ(format_time(951'782'400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_time(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(parse_time("2027-01-15T08:00:00Z"), 1'800'000'000);
  EXPECT_EQ(parse_time("2000-02-29T00:00:00Z"), 951'782'400);
  EXPECT_FALSE(parse_time("2027-01-15 08:00:00").has_value());
  EXPECT_FALSE(parse_time("2027-13-15T08:00:00Z").has_value());
  EXPECT_FALSE(parse_time("2027-01-15T08:00:00+01:00").has_value());
  EXPECT_FALSE(parse_time("").has_value());
  for (std::int64_t t = 1; t < 4'000'000'000; t += 97'654'321) {
    EXPECT_EQ(parse_time(format_time(t)), t);
  }
}

TEST(BaseTime, UnixNowIsNow) {
  const std::int64_t now = unix_now();
  EXPECT_GT(now, 1'700'000'000);
  EXPECT_LE(std::abs(now - static_cast<std::int64_t>(std::time(nullptr))), 2);
}

TEST(BaseTime, ProbeDurations) {
  const std::pair<const char*, std::chrono::milliseconds> good[] = {
      {"5s", 5s},  {" 1.5s ", 1500ms}, {"500ms", 500ms},  {"2m", 120s},
      {"10", 10s}, {"24m", 24min},     {"86400", 86'400s}};
  for (const auto& [text, want] : good) {
    EXPECT_EQ(parse_duration(text), want) << text;
  }
  for (const char* bad : {"", "0s", "-1s", "5h", "s", "2d", ".", "1.2.3s", "0.0001s", "86401s"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

TEST(BaseTime, WholeSecondDurations) {
  EXPECT_EQ(parse_duration_seconds("90"), 90);
  EXPECT_EQ(parse_duration_seconds(" 120s\n"), 120);
  EXPECT_EQ(parse_duration_seconds("5m"), 300);
  EXPECT_EQ(parse_duration_seconds("1h"), 3600);
  EXPECT_EQ(parse_duration_seconds("30d"), 30 * 86400);
  EXPECT_EQ(parse_duration_seconds("999999999h"), std::int64_t{999'999'999} * 3600);
  for (const char* bad : {"", "0s", "0", "-1s", "1.5m", "1w", "1 h", "1000000000", "h"}) {
    EXPECT_FALSE(parse_duration_seconds(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ndes
