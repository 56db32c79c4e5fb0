// date.exe for the Windows test run: the one use of GNU date the shared tests make,
//   date -u -d "Jan  1 00:00:00 2024 GMT" +%s
// (openssl's date format in, Unix seconds out). Anything else exits 2.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

#include "base/time.h"

namespace {

int usage() {
  std::fputs("date shim: only `date -u -d \"Mon DD HH:MM:SS YYYY [GMT]\" +%s` is supported\n",
             stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const char* text = nullptr;
  bool seconds = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-u") == 0) {
      continue;
    }
    if (std::strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
      text = argv[++i];
    } else if (std::strcmp(argv[i], "+%s") == 0) {
      seconds = true;
    } else {
      return usage();
    }
  }
  if (text == nullptr || !seconds) {
    return usage();
  }
  std::istringstream in(text);
  std::string month;
  unsigned day = 0;
  char c1 = 0;
  char c2 = 0;
  unsigned hh = 0;
  unsigned mm = 0;
  unsigned ss = 0;
  std::int64_t year = 0;
  std::string zone = "GMT";
  in >> month >> day >> hh >> c1 >> mm >> c2 >> ss >> year;
  if (!in || c1 != ':' || c2 != ':') {
    std::fprintf(stderr, "date shim: invalid date '%s'\n", text);
    return 1;
  }
  in >> zone;
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned m = 0;
  for (unsigned i = 0; i < 12; ++i) {
    if (month == kMonths[i]) {
      m = i + 1;
    }
  }
  if (m == 0 || day == 0 || day > 31 || hh > 23 || mm > 59 || ss > 60 ||
      (zone != "GMT" && zone != "UTC")) {
    std::fprintf(stderr, "date shim: invalid date '%s'\n", text);
    return 1;
  }
  const std::int64_t t = ndes::days_from_civil(year, m, day) * 86400 + hh * 3600 + mm * 60 + ss;
  std::printf("%lld\n", static_cast<long long>(t));
  return 0;
}
