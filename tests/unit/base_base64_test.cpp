// base/base64.h: OpenSSL's decoder behind the padding and white space rules of PEM
// bodies, SCEP answers and basic auth.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "base/base64.h"

namespace ndes {
namespace {

std::optional<std::string> text_of(std::string_view b64) {
  const auto bytes = base64_decode(b64);
  if (!bytes) {
    return std::nullopt;
  }
  return std::string(bytes->begin(), bytes->end());
}

TEST(BaseBase64, DecodesWithWhitespaceAndPadding) {
  EXPECT_EQ(base64_decode("aGVsbG8="), std::vector<std::uint8_t>({'h', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(base64_decode("aGVs\r\nbG8"), std::vector<std::uint8_t>({'h', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(base64_decode(""), std::vector<std::uint8_t>());
  EXPECT_FALSE(base64_decode("aGVsbG8=x"));
  EXPECT_FALSE(base64_decode("not base64!"));
  EXPECT_FALSE(base64_decode("aGVsb"));  // one stray character
}

TEST(BaseBase64, EveryPaddingLength) {
  const std::pair<const char*, const char*> cases[] = {
      {"YQ==", "a"}, {"YWI=", "ab"},         {"YWJj", "abc"}, {"YQ", "a"},
      {"YWI", "ab"}, {" Y W\tJ j\n", "abc"}, {"YQ=\n=", "a"}};
  for (const auto& [encoded, text] : cases) {
    EXPECT_EQ(text_of(encoded), text) << encoded;
  }
}

TEST(BaseBase64, KeepsZeroBytesAndHighBytes) {
  EXPECT_EQ(base64_decode("AAD/"), std::vector<std::uint8_t>({0x00, 0x00, 0xff}));
  EXPECT_EQ(base64_decode("+/+/"), std::vector<std::uint8_t>({0xfb, 0xff, 0xbf}));
}

TEST(BaseBase64, RefusesBadPadding) {
  for (const char* bad : {"YQ=", "YQ===", "Y===", "YWJj=", "=", "==", "YQ==YQ==", "YW=j", "YWJjZ",
                          "YQ==\x01", "YWJj-_", "YWJj\v"}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
}

TEST(BaseBase64, LongInput) {
  std::string b64;
  for (int i = 0; i < 10'000; ++i) {
    b64 += "AAEC";
    if (i % 16 == 15) {
      b64 += "\n";
    }
  }
  const auto bytes = base64_decode(b64);
  ASSERT_TRUE(bytes);
  ASSERT_EQ(bytes->size(), 30'000U);
  EXPECT_EQ((*bytes)[29'999], 2);
}

}  // namespace
}  // namespace ndes
