// base/text.h: the one copy of the text helpers.
#include <gtest/gtest.h>

#include "base/text.h"

namespace ndes {
namespace {

TEST(BaseText, TrimDropsWhiteSpaceOnBothSidesOnly) {
  EXPECT_EQ(trim("  a b\t\r\n"), "a b");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim_view("x"), "x");
}

TEST(BaseText, CaseHelpersAreAsciiOnly) {
  EXPECT_EQ(lower("CEPEncryption"), "cepencryption");
  EXPECT_EQ(upper("ab12f"), "AB12F");
  EXPECT_EQ(lower("\xC3\x84"), "\xC3\x84");  // UTF-8 bytes kept as they are
  EXPECT_TRUE(iequals("LocalMachine", "localmachine"));
  EXPECT_FALSE(iequals("LocalMachine", "localmachin"));
  EXPECT_TRUE(istarts_with("Bearer abc", "bearer "));
  EXPECT_FALSE(istarts_with("Bear", "bearer "));
}

TEST(BaseText, JoinAndSplitAreInverse) {
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({}, ","), "");
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
}

TEST(BaseText, QuoteKeepsMessagesOnOneLine) {
  EXPECT_EQ(quote("loud"), "\"loud\"");
  EXPECT_EQ(quote("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te?\"");
  EXPECT_EQ(quote("abcdef", 3), "\"abc...\"");
  EXPECT_EQ(printable("a\x1b[31mb", 64), "a?[31mb");
  EXPECT_EQ(printable("abcdef", 4), "abcd...");
  EXPECT_EQ(one_line("first\nsecond\r\n"), "first second");
}

TEST(BaseText, PrintableEchoes) {
  EXPECT_EQ(printable("a\nb\x7f"), "a?b?");
  EXPECT_EQ(printable("abcdef", 3), "abc...");
  EXPECT_TRUE(is_hex("09afAF"));
  EXPECT_FALSE(is_hex("0g"));
}

TEST(BaseText, ParseBoolTakesTheUsualSpellings) {
  for (const char* yes : {"true", "TRUE", " yes ", "on", "1"}) {
    EXPECT_EQ(parse_bool(yes), true) << yes;
  }
  for (const char* no : {"false", "No", "off", "0"}) {
    EXPECT_EQ(parse_bool(no), false) << no;
  }
  EXPECT_EQ(parse_bool("maybe"), std::nullopt);
  EXPECT_EQ(parse_bool(""), std::nullopt);
}

TEST(BaseText, HexAndDigits) {
  EXPECT_TRUE(is_hex("0aF9"));
  EXPECT_FALSE(is_hex(""));
  EXPECT_FALSE(is_hex("0x1"));
  EXPECT_TRUE(is_digits("0123"));
  EXPECT_FALSE(is_digits("12a"));
}

}  // namespace
}  // namespace ndes
