// The Windows command line quoting: checked against a parser that follows the MSVC
// CommandLineToArgvW rules, for fixed cases and for many random arguments.
#include <gtest/gtest.h>

#include <initializer_list>
#include <random>
#include <utility>

#include "base/win_cmdline.h"

namespace ndes {
namespace {

// What a program built with the MSVC runtime gets as argv from `line` (the rules of
// CommandLineToArgvW / the 2008+ CRT): argv[0] up to whitespace or between quotes, no
// escapes; then 2n backslashes + '"' -> n backslashes and a quote toggle; 2n+1
// backslashes + '"' -> n backslashes and a literal quote; other backslashes literal;
// "" inside quotes -> a literal quote.
std::vector<std::string> msvc_parse(const std::string& line) {
  std::vector<std::string> argv;
  std::size_t i = 0;
  std::string program;
  if (i < line.size() && line[i] == '"') {
    ++i;
    while (i < line.size() && line[i] != '"') {
      program += line[i++];
    }
    if (i < line.size()) {
      ++i;
    }
  } else {
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
      program += line[i++];
    }
  }
  argv.push_back(program);
  for (;;) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
      ++i;
    }
    if (i >= line.size()) {
      break;
    }
    std::string arg;
    bool quoted = false;
    while (i < line.size()) {
      const char c = line[i];
      if (!quoted && (c == ' ' || c == '\t')) {
        break;
      }
      if (c == '\\') {
        std::size_t n = 0;
        while (i < line.size() && line[i] == '\\') {
          ++n;
          ++i;
        }
        if (i < line.size() && line[i] == '"') {
          arg.append(n / 2, '\\');
          if (n % 2 == 1) {
            arg += '"';
            ++i;
          }
        } else {
          arg.append(n, '\\');
        }
        continue;
      }
      if (c == '"') {
        if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
          arg += '"';
          i += 2;
          continue;
        }
        quoted = !quoted;
        ++i;
        continue;
      }
      arg += c;
      ++i;
    }
    argv.push_back(arg);
  }
  return argv;
}

// Each case: an argument and how quote_windows_arg writes it (the argument names a failure).
void expect_quoted(std::initializer_list<std::pair<const char*, const char*>> cases) {
  for (const auto& [arg, quoted] : cases) {
    EXPECT_EQ(quote_windows_arg(arg), quoted) << arg;
  }
}

TEST(BaseWinCmdlineTest, LeavesPlainArgumentsBare) {
  expect_quoted(
      {{"-submit", "-submit"}, {"C:\\dir\\file.req", "C:\\dir\\file.req"}, {"a\\\\b", "a\\\\b"}});
}

TEST(BaseWinCmdlineTest, QuotesSpacesAndEmpty) {
  expect_quoted(
      {{"", "\"\""}, {"ca01\\Corp Issuing CA", "\"ca01\\Corp Issuing CA\""}, {"a\tb", "\"a\tb\""}});
}

TEST(BaseWinCmdlineTest, EscapesQuotesAndTheBackslashesBeforeThem) {
  EXPECT_EQ(quote_windows_arg("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(quote_windows_arg("a\\\"b"), "\"a\\\\\\\"b\"");
  // Trailing backslashes are doubled before the closing quote.
  EXPECT_EQ(quote_windows_arg("C:\\My Dir\\"), "\"C:\\My Dir\\\\\"");
  EXPECT_EQ(quote_windows_arg("\""), "\"\\\"\"");
}

TEST(BaseWinCmdlineTest, TheProgramNameFollowsItsOwnRule) {
  EXPECT_EQ(windows_command_line({"C:\\Windows\\System32\\certreq.exe", "-q"}),
            "C:\\Windows\\System32\\certreq.exe -q");
  EXPECT_EQ(windows_command_line({"C:\\Program Files\\x.exe"}), "\"C:\\Program Files\\x.exe\"");
  EXPECT_THROW(windows_command_line({}), std::invalid_argument);
  EXPECT_THROW(windows_command_line({""}), std::invalid_argument);
  EXPECT_THROW(windows_command_line({"a\"b.exe"}), std::invalid_argument);
  EXPECT_THROW(windows_command_line({"x.exe", std::string("a\0b", 3)}), std::invalid_argument);
}

TEST(BaseWinCmdlineTest, FixedCasesRoundTrip) {
  const std::vector<std::string> argv = {"C:\\Program Files\\tool.exe",
                                         "",
                                         " ",
                                         "a b",
                                         "\"",
                                         "\\",
                                         "\\\\",
                                         "a\\",
                                         "a\\\\",
                                         "\\\"",
                                         "a\"b c",
                                         "C:\\My Dir\\",
                                         "ca01\\Corp \"Issuing\" CA",
                                         "-config",
                                         "x\ty"};
  EXPECT_EQ(msvc_parse(windows_command_line(argv)), argv);
}

TEST(BaseWinCmdlineTest, RandomArgumentsRoundTrip) {
  std::mt19937 rng(20261125);
  const std::string alphabet = "ab \\\"\t-";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> length(0, 8);
  std::uniform_int_distribution<int> count(1, 5);
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::string> argv = {"C:\\bin\\prog.exe"};
    const int n = count(rng);
    for (int i = 0; i < n; ++i) {
      std::string arg;
      const int len = length(rng);
      for (int j = 0; j < len; ++j) {
        arg += alphabet[pick(rng)];
      }
      argv.push_back(arg);
    }
    ASSERT_EQ(msvc_parse(windows_command_line(argv)), argv) << windows_command_line(argv);
  }
}

TEST(BaseWinCmdlineTest, DisplaysPosixCommandLinesQuoted) {
  EXPECT_EQ(display_command_line({"/bin/x", "a b", "it's", "", "--k=v"}),
            "/bin/x 'a b' 'it'\\''s' '' --k=v");
}

}  // namespace
}  // namespace ndes
