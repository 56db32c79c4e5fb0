// gzip answers: what Accept-Encoding asks for, and that pieces compressed apart make
// one gzip member that gzip(1) reads back to the text.
#include "web/gzip.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/run.h"

namespace ndes {
namespace {

TEST(AcceptsGzipTest, ReadsTheCodingsAndTheirWeights) {
  // Prometheus sends "gzip".
  for (const char* header : {"gzip", "gzip, deflate, br", "br;q=1.0, GZIP;q=0.5", "x-gzip", "*"}) {
    EXPECT_TRUE(accepts_gzip(header)) << header;
  }
  // In "gzip; q=0.0, *", gzip named and refused beats "*".
  for (const char* header :
       {"", "identity", "deflate, br", "gzip;q=0", "gzip; q=0.0, *", "*;q=0", "gzipped"}) {
    EXPECT_FALSE(accepts_gzip(header)) << header;
  }
}

#ifdef NDES_HAVE_GZIP

SharedText text(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

std::string joined(const std::vector<SharedText>& parts) {
  std::string out;
  for (const auto& p : parts) {
    out += *p;
  }
  return out;
}

std::string gunzip(const std::string& gz) {
  const test::RunResult r = test::run_command({"gzip", "-dc"}, std::chrono::seconds(30), gz);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// Series-like text, large enough for several output chunks.
std::string series(int n, const std::string& prefix) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += prefix + "{path=\"/etc/pki/" + std::to_string(i * 7919 % 100003) + ".pem\"} " +
         std::to_string(1'800'000'000 + i) + "\n";
  }
  return s;
}

TEST(GzipTest, PiecesMadeApartAreOneMemberGzipReads) {
  const std::vector<SharedText> first = {text(series(20000, "a")), text(""), text("b 1\n")};
  const std::vector<SharedText> second = {text(series(300, "c"))};
  const DeflatedPiece pieces[] = {deflate_piece(first), deflate_piece(second),
                                  deflate_piece(std::span<const SharedText>())};
  const std::string gz = joined(gzip_member(pieces));
  EXPECT_EQ(gunzip(gz), joined(first) + joined(second));
  EXPECT_LT(gz.size() * 4, (joined(first) + joined(second)).size());
}

TEST(GzipTest, NothingAtAllIsAnEmptyMember) {
  const std::string gz = joined(gzip_member({}));
  EXPECT_EQ(gunzip(gz), "");
}

TEST(GzipAnswersTest, TheSameStableTextsAreCompressedOnce) {
  GzipAnswers answers;
  const std::vector<SharedText> stable = {text(series(1000, "x")), text(series(10, "y"))};
  const auto first = answers.compress(stable, "rest 1\n");
  const auto second = answers.compress(stable, "rest 2\n");
  EXPECT_EQ(gunzip(joined(first)), joined(stable) + "rest 1\n");
  EXPECT_EQ(gunzip(joined(second)), joined(stable) + "rest 2\n");
  ASSERT_EQ(first.size(), 4U);  // header, stable, rest, end
  EXPECT_EQ(first[1], second[1]) << "the stable piece was compressed again";

  // Equal text in a new string is another rendering: compressed anew.
  const std::vector<SharedText> renewed = {text(*stable[0]), stable[1]};
  const auto third = answers.compress(renewed, "");
  EXPECT_NE(third[1], first[1]);
  EXPECT_EQ(gunzip(joined(third)), joined(stable));
}

#endif

}  // namespace
}  // namespace ndes
