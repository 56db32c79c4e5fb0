// GetCACaps parsing and GetCACert decoding, on answers made by openssl.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ndes/cert/classify.h"
#include "scep/scep_parse.h"
#include "support/pki.h"
#include "support/pki_suite.h"
#include "support/run.h"

namespace fs = std::filesystem;

namespace ndes::scep {
namespace {

using test::kDay;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string base64(const std::string& data) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                       (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63],
            kAlphabet[v & 63]};
    if (out.size() % 65 == 64) {
      out += "\r\n";  // line breaks as some servers send them
    }
  }
  if (data.size() - i == 1) {
    const unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (data.size() - i == 2) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                       (static_cast<unsigned char>(data[i + 1]) << 8);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

TEST(ScepCaCaps, NdesAnswerWithCrlf) {
  const auto caps = parse_ca_caps("POSTPKIOperation\r\nRenewal\r\nSHA-256\r\nSHA-1\r\nDES3\r\n");
  EXPECT_FALSE(caps.error);
  EXPECT_THAT(caps.capabilities,
              ElementsAre("POSTPKIOperation", "Renewal", "SHA-256", "SHA-1", "DES3"));
}

TEST(ScepCaCaps, MicromdmAnswerWithoutFinalNewline) {
  const auto caps =
      parse_ca_caps("Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation");
  EXPECT_FALSE(caps.error);
  EXPECT_EQ(caps.capabilities.size(), 7U);
  EXPECT_EQ(caps.capabilities.back(), "POSTPKIOperation");
}

TEST(ScepCaCaps, BlankLinesAndDuplicatesAreSkipped) {
  const auto caps = parse_ca_caps("\n  AES  \n\nAES\nSHA-512\n");
  EXPECT_FALSE(caps.error);
  EXPECT_THAT(caps.capabilities, ElementsAre("AES", "SHA-512"));
  EXPECT_TRUE(parse_ca_caps("").capabilities.empty());
  EXPECT_FALSE(parse_ca_caps("").error);
}

TEST(ScepCaCaps, HtmlAndGarbageAreErrors) {
  auto caps = parse_ca_caps("<html><body>Service Unavailable</body></html>");
  ASSERT_TRUE(caps.error);
  EXPECT_THAT(*caps.error, HasSubstr("HTML"));
  caps = parse_ca_caps("Renewal\nThe service is down for maintenance\n");
  ASSERT_TRUE(caps.error);
  EXPECT_TRUE(caps.capabilities.empty());
  caps = parse_ca_caps(std::string("\x30\x82\x01\x00", 4));
  EXPECT_TRUE(caps.error);
}

TEST(ScepHtml, SniffsPages) {
  EXPECT_TRUE(looks_like_html(bytes_of("  \r\n<!DOCTYPE html>")));
  EXPECT_TRUE(looks_like_html(bytes_of("\xEF\xBB\xBF<html>")));
  EXPECT_FALSE(looks_like_html(bytes_of("MIIB")));
  EXPECT_FALSE(looks_like_html(bytes_of("")));
}

class ScepCaCertTest : public test::PkiSuite<ScepCaCertTest> {
 protected:
  static void SetUpTestSuite() {
    const std::int64_t now = make_pki("ndes-scep-parse");
    cep_not_after_ = now + 30 * kDay;
    eea_not_after_ = now - 2 * kDay;  // an expired RA cert is still reported
    cep_ = pki_->issue("cep", "cep", now - 300 * kDay, cep_not_after_, "/CN=NDES01-MSCEP-RA");
    eea_ = pki_->issue("eea", "eea", now - 400 * kDay, eea_not_after_, "/CN=NDES01-MSCEP-RA");
    test::write_p7b({pki_->ca_pem(), cep_, eea_}, tmp_->path() / "ra.p7b", false);
    test::write_p7b({pki_->ca_pem(), cep_, eea_}, tmp_->path() / "ra.p7b.pem", true);
    test::write_der(pki_->ca_pem(), tmp_->path() / "ca.der");
    p7b_ = test::read_file(tmp_->path() / "ra.p7b");
    p7b_pem_ = test::read_file(tmp_->path() / "ra.p7b.pem");
    ca_der_ = test::read_file(tmp_->path() / "ca.der");
  }

  static void expect_ndes_roles(const CaCertAnswer& a) {
    ASSERT_FALSE(a.error) << *a.error;
    ASSERT_EQ(a.certificates.size(), 3U);
    std::map<Role, const Certificate*> by_role;
    for (const auto& c : a.certificates) {
      by_role[classify(c)] = &c;
    }
    ASSERT_EQ(by_role.count(Role::ca), 1U);
    ASSERT_EQ(by_role.count(Role::cep_encryption), 1U);
    ASSERT_EQ(by_role.count(Role::enrollment_agent), 1U);
    EXPECT_EQ(by_role[Role::cep_encryption]->not_after, cep_not_after_);
    EXPECT_EQ(by_role[Role::enrollment_agent]->not_after, eea_not_after_);
    EXPECT_EQ(by_role[Role::cep_encryption]->thumbprint, test::openssl_thumbprint(cep_));
  }

  static inline fs::path cep_, eea_;
  static inline std::int64_t cep_not_after_ = 0, eea_not_after_ = 0;
  static inline std::string p7b_, p7b_pem_, ca_der_;
};

TEST_F(ScepCaCertTest, DegeneratePkcs7WithItsContentType) {
  const auto a = decode_ca_cert("application/x-x509-ca-ra-cert", bytes_of(p7b_));
  EXPECT_EQ(a.format, "DER");
  expect_ndes_roles(a);
}

TEST_F(ScepCaCertTest, Base64Pkcs7IsTolerated) {
  const auto a = decode_ca_cert("application/x-x509-ca-ra-cert", bytes_of(base64(p7b_)));
  EXPECT_EQ(a.format, "base64 DER");
  expect_ndes_roles(a);
}

TEST_F(ScepCaCertTest, PemPkcs7IsTolerated) {
  expect_ndes_roles(decode_ca_cert("text/plain", bytes_of(p7b_pem_)));
}

TEST_F(ScepCaCertTest, MissingOrWrongContentTypeIsSniffed) {
  expect_ndes_roles(decode_ca_cert("", bytes_of(p7b_)));
  expect_ndes_roles(decode_ca_cert("text/html; charset=utf-8", bytes_of(p7b_)));
  expect_ndes_roles(decode_ca_cert("application/x-x509-ca-cert", bytes_of(p7b_)));
  const auto one = decode_ca_cert("application/x-x509-ca-ra-cert", bytes_of(ca_der_));
  ASSERT_FALSE(one.error);
  EXPECT_EQ(one.certificates.size(), 1U);
}

TEST_F(ScepCaCertTest, OneDerCaCertificate) {
  const auto a = decode_ca_cert("application/x-x509-ca-cert", bytes_of(ca_der_));
  ASSERT_FALSE(a.error);
  ASSERT_EQ(a.certificates.size(), 1U);
  EXPECT_EQ(classify(a.certificates[0]), Role::ca);
  EXPECT_EQ(a.certificates[0].thumbprint, test::openssl_thumbprint(pki_->ca_pem()));
}

TEST_F(ScepCaCertTest, TruncatedPkcs7IsAnError) {
  const auto a =
      decode_ca_cert("application/x-x509-ca-ra-cert", bytes_of(p7b_.substr(0, p7b_.size() / 2)));
  ASSERT_TRUE(a.error);
  EXPECT_THAT(*a.error, HasSubstr("cannot be read"));
}

TEST_F(ScepCaCertTest, HtmlEmptyAndGarbageAreErrors) {
  auto a = decode_ca_cert("text/html", bytes_of("<html><body>Error</body></html>"));
  ASSERT_TRUE(a.error);
  EXPECT_THAT(*a.error, HasSubstr("HTML"));
  a = decode_ca_cert("application/x-x509-ca-ra-cert", bytes_of(""));
  ASSERT_TRUE(a.error);
  EXPECT_THAT(*a.error, HasSubstr("empty"));
  a = decode_ca_cert("", bytes_of("Service Unavailable"));
  ASSERT_TRUE(a.error);
  a = decode_ca_cert("", bytes_of(std::string("\x30\x03\x02\x01\x01", 5)));
  ASSERT_TRUE(a.error);
}

}  // namespace
}  // namespace ndes::scep
