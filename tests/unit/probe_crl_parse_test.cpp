// CRL facts against what `openssl crl -text` says of CRLs made by `openssl ca`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <iomanip>
#include <sstream>

#include "crl/crl_parse.h"
#include "support/pki.h"
#include "support/pki_suite.h"
#include "support/run.h"

namespace fs = std::filesystem;

namespace ndes::crl {
namespace {

using test::kDay;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// openssl's lastUpdate/nextUpdate ("nextUpdate=Dec  5 15:00:00 2026 GMT"; the same
// dates `openssl crl -text` prints) as Unix seconds.
std::int64_t openssl_crl_date(const fs::path& crl, const std::string& which, bool der) {
  std::vector<std::string> argv = {"openssl", "crl", "-in", crl.string(), "-noout", which};
  if (der) {
    argv.insert(argv.begin() + 2, {"-inform", "DER"});
  }
  const auto r = test::run_command(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string v = r.out.substr(r.out.find('=') + 1);  // "Dec  5 15:00:00 2026 GMT"
  std::tm tm{};
  std::istringstream in(v);
  in >> std::get_time(&tm, "%b %d %H:%M:%S %Y");
  EXPECT_FALSE(in.fail()) << v;
  return static_cast<std::int64_t>(timegm(&tm));
}

class CrlParseTest : public test::PkiSuite<CrlParseTest> {
 protected:
  static void SetUpTestSuite() {
    const std::int64_t now = make_pki("ndes-crl-parse");
    const auto a = pki_->issue("revoked-a", "client", now - kDay, now + 100 * kDay);
    const auto b = pki_->issue("revoked-b", "client", now - kDay, now + 100 * kDay);
    pki_->issue("kept", "client", now - kDay, now + 100 * kDay);
    test::make_crl(*pki_, {a, b}, 7, tmp_->path() / "ca.crl.pem", true);
    test::make_crl(*pki_, {}, 7, tmp_->path() / "ca.crl", false);
  }
};

TEST_F(CrlParseTest, PemCrlMatchesOpenssl) {
  const fs::path p = tmp_->path() / "ca.crl.pem";
  const auto parsed = parse_crl(bytes_of(test::read_file(p)));
  ASSERT_TRUE(parsed.crl) << parsed.error;
  EXPECT_EQ(parsed.crl->issuer, "CORP-ISSUING-CA");
  EXPECT_EQ(parsed.crl->issuer_dn, "O=Corp,CN=CORP-ISSUING-CA");
  EXPECT_EQ(parsed.crl->revoked, 2U);
  EXPECT_EQ(parsed.crl->this_update, openssl_crl_date(p, "-lastupdate", false));
  ASSERT_TRUE(parsed.crl->next_update);
  EXPECT_EQ(*parsed.crl->next_update, openssl_crl_date(p, "-nextupdate", false));
  EXPECT_EQ(*parsed.crl->next_update - parsed.crl->this_update, 7 * kDay);
}

TEST_F(CrlParseTest, DerCrlMatchesOpenssl) {
  const fs::path p = tmp_->path() / "ca.crl";
  const auto parsed = parse_crl(bytes_of(test::read_file(p)));
  ASSERT_TRUE(parsed.crl) << parsed.error;
  EXPECT_EQ(parsed.crl->revoked, 2U);  // the CA's index still lists both
  EXPECT_EQ(parsed.crl->this_update, openssl_crl_date(p, "-lastupdate", true));
  EXPECT_EQ(*parsed.crl->next_update, openssl_crl_date(p, "-nextupdate", true));
}

TEST_F(CrlParseTest, GarbageIsAnError) {
  EXPECT_FALSE(parse_crl(bytes_of("")).crl);
  EXPECT_FALSE(parse_crl(bytes_of("<html>no</html>")).crl);
  const std::string der = test::read_file(tmp_->path() / "ca.crl");
  const auto truncated = parse_crl(bytes_of(der.substr(0, der.size() / 2)));
  EXPECT_FALSE(truncated.crl);
  EXPECT_NE(truncated.error, "");
  // A certificate is not a CRL.
  EXPECT_FALSE(parse_crl(bytes_of(test::read_file(pki_->ca_pem()))).crl);
}

TEST(CrlTarget, FilesAndUrls) {
  EXPECT_EQ(file_target_path("/var/crl/a.crl"), "/var/crl/a.crl");
  EXPECT_EQ(file_target_path("file:///var/crl/a.crl"), "/var/crl/a.crl");
  EXPECT_EQ(file_target_path("crl/a.crl"), "crl/a.crl");
  EXPECT_FALSE(file_target_path("http://pki.corp.example/crl/corp-ca.crl"));
  EXPECT_FALSE(file_target_path("https://pki.corp.example/crl/corp-ca.crl"));
}

}  // namespace
}  // namespace ndes::crl
