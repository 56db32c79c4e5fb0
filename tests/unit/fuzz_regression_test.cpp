// Regression tests for what the fuzz targets (tests/fuzz) found. Each test names the
// target and the input it stands for (tests/fuzz/regressions/<target>/).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "ndes/cert/parse.h"
#include "support/run.h"

namespace ndes {
namespace {

namespace fs = std::filesystem;
using test::read_file_bytes;
using test::run_command;
using test::TempDir;
using ::testing::HasSubstr;

// Iteration counts in PKCS#12 files come from the file, and OpenSSL derives keys with
// whatever count it finds: 2^31 took many minutes per file (fuzz_parse_certificates,
// timeout; regressions/fuzz_parse_certificates/pkcs12-mac-iterations-2147483647).
// The parser refuses counts over a million before any key derivation.
class Pkcs12IterationLimitTest : public ::testing::Test {
 protected:
  // A PKCS#12 with one certificate, made by the openssl CLI with 65536 iterations
  // (DER INTEGER 02 03 01 00 00), then every such count raised to 8388607
  // (02 03 7F FF FF, the same length). `extra` selects MAC and PBE.
  std::vector<std::uint8_t> make(const std::string& name, std::vector<std::string> extra) {
    const fs::path key = dir_ / (name + ".key");
    const fs::path pem = dir_ / (name + ".pem");
    const fs::path p12 = dir_ / (name + ".p12");
    run_ok({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "30", "-subj", "/CN=" + name, "-keyout", key.string(), "-out",
            pem.string()});
    std::vector<std::string> argv = {"openssl", "pkcs12", "-export", "-in", pem.string(),
                                     "-nokeys", "-passout", "pass:fuzz", "-iter", "65536",
                                     "-out", p12.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    run_ok(argv);
    std::vector<std::uint8_t> der = read_file_bytes(p12);
    const std::vector<std::uint8_t> from = {0x02, 0x03, 0x01, 0x00, 0x00};
    const std::vector<std::uint8_t> to = {0x02, 0x03, 0x7F, 0xFF, 0xFF};
    int replaced = 0;
    for (auto it = std::search(der.begin(), der.end(), from.begin(), from.end());
         it != der.end(); it = std::search(it + 5, der.end(), from.begin(), from.end())) {
      std::copy(to.begin(), to.end(), it);
      ++replaced;
    }
    if (replaced == 0) {
      throw std::runtime_error("no iteration count 65536 found in " + p12.string());
    }
    return der;
  }

  static void run_ok(const std::vector<std::string>& argv) {
    const auto r = run_command(argv);
    if (r.exit_code != 0) {
      throw std::runtime_error(argv[0] + " " + argv[1] + " failed: " + r.err);
    }
  }

  // Parses with the right passphrase and checks the answer comes at once.
  static ParseResult parse_quickly(const std::vector<std::uint8_t>& der) {
    ParseOptions options;
    options.pkcs12_passphrase = "fuzz";
    const auto start = std::chrono::steady_clock::now();
    ParseResult r = parse_certificates(der, "a.pfx", options);
    const auto took = std::chrono::steady_clock::now() - start;
    // 8388607 iterations cost about a second per candidate passphrase on this kind of
    // machine (more under sanitizers); refusing them costs nothing.
    EXPECT_LT(took, std::chrono::milliseconds(500));
    return r;
  }

  // Refused before any key derivation: no certificate, bad_pkcs12, and the detail says why.
  static void expect_refused(const ParseResult& r, const std::string& why) {
    EXPECT_TRUE(r.certificates.empty());
    ASSERT_TRUE(r.error.has_value());
    EXPECT_EQ(*r.error, ReadError::bad_pkcs12);
    EXPECT_THAT(r.detail, HasSubstr(why));
  }

  TempDir dir_{"ndes-fuzz-regression"};
};

TEST_F(Pkcs12IterationLimitTest, MacIterationCountOverTheLimitIsRefused) {
  expect_refused(parse_quickly(make("mac", {"-certpbe", "AES-256-CBC"})),
                 "MAC iteration count is over the limit");
}

TEST_F(Pkcs12IterationLimitTest, Pbkdf2IterationCountOverTheLimitIsRefused) {
  expect_refused(parse_quickly(make("pbes2", {"-nomac", "-certpbe", "AES-256-CBC"})),
                 "key derivation work");
}

TEST_F(Pkcs12IterationLimitTest, LegacyPbeIterationCountOverTheLimitIsRefused) {
  expect_refused(parse_quickly(make("pbe", {"-nomac", "-certpbe", "PBE-SHA1-3DES"})),
                 "key derivation work");
}

TEST_F(Pkcs12IterationLimitTest, CountsUpToTheLimitStillParse) {
  // What real exports use (2000-10000) and more, within a million.
  const fs::path key = dir_ / "ok.key";
  const fs::path pem = dir_ / "ok.pem";
  const fs::path p12 = dir_ / "ok.p12";
  run_ok({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-nodes", "-days", "30", "-subj", "/CN=ok", "-keyout", key.string(), "-out",
          pem.string()});
  run_ok({"openssl", "pkcs12", "-export", "-in", pem.string(), "-inkey", key.string(),
          "-passout", "pass:fuzz", "-iter", "100000", "-out", p12.string()});
  ParseOptions options;
  options.pkcs12_passphrase = "fuzz";
  const auto r = parse_certificates(read_file_bytes(p12), "ok.pfx", options);
  EXPECT_FALSE(r.error.has_value()) << r.detail;
  ASSERT_EQ(r.certificates.size(), 1U);
  EXPECT_EQ(r.certificates[0].subject_cn, "ok");
}

// The fuzzer's own input (control byte, then a PKCS#12 whose MAC asks for 2^31 - 1
// iterations), as kept in tests/fuzz/regressions.
TEST(FuzzRegressionInputs, Pkcs12MacIterations2147483647) {
  const fs::path input = fs::path(__FILE__).parent_path() /
                         "../fuzz/regressions/fuzz_parse_certificates/"
                         "pkcs12-mac-iterations-2147483647";
  if (!fs::exists(input)) {
    GTEST_SKIP() << "NDES-SKIP: " << input << " is missing";
  }
  const std::vector<std::uint8_t> bytes = read_file_bytes(input);
  ASSERT_GT(bytes.size(), 1U);
  ParseOptions options;
  options.pkcs12_passphrase = "fuzz";
  const auto start = std::chrono::steady_clock::now();
  const auto r = parse_certificates(std::span<const std::uint8_t>(bytes).subspan(1), "a.pfx",
                                    options);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(*r.error, ReadError::bad_pkcs12);
}

}  // namespace
}  // namespace ndes
