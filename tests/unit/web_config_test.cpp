// The --web.config.file parser (exporter-toolkit's format) and the basic auth check
// against real bcrypt hashes made by libxcrypt.
#include "web/web_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/tls1.h>

#include "support/bcrypt.h"
#include "web/basic_auth.h"

namespace ndes::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using test::bcrypt;

std::string basic(const std::string& user, const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(plain.data()),
                                static_cast<int>(plain.size()));
  out.resize(static_cast<std::size_t>(n));
  return "Basic " + out;
}

std::string error_of(const std::string& yaml, const std::string& dir = "/etc/ndes") {
  std::string error;
  const auto cfg = parse_web_config(yaml, dir, &error);
  EXPECT_FALSE(cfg.has_value()) << yaml;
  return error;
}

TEST(WebConfigTest, ReadsTheExporterToolkitExample) {
  const std::string hash = bcrypt("s3cret");
  const std::string yaml =
      "tls_server_config:\n"
      "  cert_file: server.crt\n"
      "  key_file: /abs/server.key\n"
      "  client_auth_type: RequireAndVerifyClientCert\n"
      "  client_ca_file: ca.crt\n"
      "  min_version: TLS12\n"
      "  max_version: TLS13\n"
      "http_server_config:\n"
      "  http2: false\n"
      "  headers:\n"
      "    Strict-Transport-Security: max-age=31536000\n"
      "    X-Frame-Options: deny\n"
      "basic_auth_users:\n"
      "  prometheus: " +
      hash + "\n";
  std::string error;
  const auto cfg = parse_web_config(yaml, "/etc/ndes", &error);
  ASSERT_TRUE(cfg.has_value()) << error;
  ASSERT_TRUE(cfg->tls.has_value());
  EXPECT_EQ(cfg->tls->cert_file, "/etc/ndes/server.crt");  // relative to the file
  EXPECT_EQ(cfg->tls->key_file, "/abs/server.key");
  EXPECT_EQ(cfg->tls->client_ca_file, "/etc/ndes/ca.crt");
  EXPECT_EQ(cfg->tls->client_auth, ClientAuth::require_and_verify);
  EXPECT_EQ(cfg->tls->min_version, TLS1_2_VERSION);
  EXPECT_EQ(cfg->tls->max_version, TLS1_3_VERSION);
  ASSERT_EQ(cfg->headers.size(), 2U);
  EXPECT_EQ(cfg->headers[0].first, "Strict-Transport-Security");
  EXPECT_EQ(cfg->users.at("prometheus"), hash);
}

TEST(WebConfigTest, AnEmptyFileMeansPlainHttpWithoutAuth) {
  std::string error;
  const auto cfg = parse_web_config("", "/x", &error);
  ASSERT_TRUE(cfg.has_value()) << error;
  EXPECT_FALSE(cfg->tls.has_value());
  EXPECT_TRUE(cfg->users.empty());
}

TEST(WebConfigTest, RefusesUnknownKeysNamingThem) {
  EXPECT_EQ(error_of("tls_server_config: {cert_file: a, key_file: b, certfile: c}"),
            "key tls_server_config.certfile is not known");
  EXPECT_EQ(error_of("basic_auth: {}"), "key basic_auth is not known");
  EXPECT_EQ(error_of("http_server_config: {header: {}}"),
            "key http_server_config.header is not known");
  EXPECT_THAT(error_of("tls_server_config: {cert_file: a, key_file: b, cipher_suites: [x]}"),
              HasSubstr("tls_server_config.cipher_suites: this exporter-toolkit setting is not "
                        "supported"));
}

TEST(WebConfigTest, RefusesABadHashWithoutPrintingIt) {
  const std::string error = error_of("basic_auth_users: {alice: \"$1$plainmd5$xxxxxxxx\"}");
  EXPECT_THAT(error, HasSubstr("basic_auth_users.alice: is not a bcrypt hash"));
  EXPECT_THAT(error, Not(HasSubstr("plainmd5")));
  EXPECT_THAT(error_of("basic_auth_users: {alice: password}"), HasSubstr("not a bcrypt hash"));
  EXPECT_THAT(error_of("basic_auth_users: {\"a:b\": " + bcrypt("x") + "}"), HasSubstr("holds ':'"));
}

TEST(WebConfigTest, ChecksTlsSettingsTogether) {
  EXPECT_EQ(error_of("tls_server_config: {cert_file: a}"),
            "tls_server_config: cert_file is set but key_file is missing");
  EXPECT_EQ(error_of("tls_server_config: {min_version: TLS12}"),
            "tls_server_config: cert_file and key_file are required");
  EXPECT_EQ(error_of("tls_server_config: {cert_file: a, key_file: b, min_version: TLS14}"),
            "tls_server_config.min_version: \"TLS14\" is not one of TLS10, TLS11, TLS12, TLS13");
  EXPECT_EQ(error_of("tls_server_config: {cert_file: a, key_file: b, min_version: TLS13, "
                     "max_version: TLS12}"),
            "tls_server_config: min_version TLS13 is above max_version TLS12");
  EXPECT_THAT(error_of("tls_server_config: {cert_file: a, key_file: b, client_auth_type: "
                       "RequireAndVerifyClientCert}"),
              HasSubstr("client_ca_file: is required by client_auth_type"));
  EXPECT_THAT(error_of("tls_server_config: {cert_file: a, key_file: b, client_ca_file: c}"),
              HasSubstr("client_auth_type is NoClientCert"));
  EXPECT_THAT(error_of("tls_server_config: {cert_file: a, key_file: b, client_auth_type: Always}"),
              HasSubstr("\"Always\" is not one of NoClientCert, RequestClientCert"));
}

TEST(WebConfigTest, AllowsOnlyExporterToolkitHeaders) {
  EXPECT_THAT(error_of("http_server_config: {headers: {Server: evil}}"),
              HasSubstr("the header \"Server\" cannot be set"));
  EXPECT_THAT(error_of("http_server_config: {headers: {X-Content-Type-Options: sniff}}"),
              HasSubstr("is not nosniff"));
  EXPECT_THAT(error_of("http_server_config: {headers: {X-Frame-Options: allow}}"),
              HasSubstr("is not deny or sameorigin"));
  EXPECT_THAT(
      error_of("http_server_config: {headers: {X-XSS-Protection: \"a\\r\\nSet-Cookie: x\"}}"),
      HasSubstr("control characters"));
}

// Found by fuzz_web_config (tests/fuzz/regressions/fuzz_web_config/newline-in-key-error):
// a key with a line break made a two-line error.
TEST(WebConfigTest, AKeyWithControlCharactersStaysOnOneLineInTheError) {
  const std::string error = error_of("\"tls\\nserver\": 1\ntls_server_config: {\"a\\rb\": 1}\n");
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_EQ(error, "key tls?server is not known");
  EXPECT_EQ(error_of("tls_server_config: {\"a\\rb\": 1}"),
            "key tls_server_config.a?b is not known");
}

TEST(WebConfigTest, ReportsYamlSyntaxErrorsWithTheLine) {
  EXPECT_THAT(error_of("tls_server_config:\n  cert_file: [a\n"), HasSubstr("line "));
  EXPECT_EQ(error_of("- a\n- b\n"), "expected a map at the top level, got a list");
}

TEST(BcryptHashTest, KnowsTheForm) {
  EXPECT_TRUE(is_bcrypt_hash(bcrypt("x")));
  EXPECT_TRUE(is_bcrypt_hash("$2y$10$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2u"));
  // Cost 3, the 2x prefix, one character short, a character outside bcrypt's base64.
  for (const char* hash : {"$2y$03$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2u",
                           "$2x$10$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2u",
                           "$2y$10$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2",
                           "$2y$10$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2!"}) {
    EXPECT_FALSE(is_bcrypt_hash(hash)) << hash;
  }
}

TEST(BasicAuthTest, AcceptsTheRightPasswordOnly) {
  const std::map<std::string, std::string> users = {{"prometheus", bcrypt("s3cret")}};
  BasicAuthChecker checker;
  EXPECT_TRUE(checker.check(users, basic("prometheus", "s3cret")));
  EXPECT_FALSE(checker.check(users, basic("prometheus", "s3cre")));
  EXPECT_FALSE(checker.check(users, basic("prometheus", "s3cretx")));
  EXPECT_FALSE(checker.check(users, basic("nobody", "s3cret")));
  EXPECT_FALSE(checker.check(users, "Bearer s3cret"));
  EXPECT_FALSE(checker.check(users, "Basic !!!!"));
  EXPECT_FALSE(checker.check(users, ""));
}

TEST(BasicAuthTest, ACachedSuccessIsBoundToPasswordAndHash) {
  std::map<std::string, std::string> users = {{"prometheus", bcrypt("one")}};
  BasicAuthChecker checker;
  EXPECT_TRUE(checker.check(users, basic("prometheus", "one")));
  EXPECT_EQ(checker.cached(), 1U);
  EXPECT_TRUE(checker.check(users, basic("prometheus", "one")));  // from the cache
  EXPECT_FALSE(checker.check(users, basic("prometheus", "two")));
  // The hash changes (a reloaded file): the old password's cache entry no longer fits.
  users["prometheus"] = bcrypt("two");
  EXPECT_FALSE(checker.check(users, basic("prometheus", "one")));
  EXPECT_TRUE(checker.check(users, basic("prometheus", "two")));
}

TEST(BasicAuthTest, ParsesTheHeader) {
  const auto c = parse_basic_authorization(basic("a", "b:c"));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->first, "a");
  EXPECT_EQ(c->second, "b:c");  // only the first colon splits
  EXPECT_FALSE(parse_basic_authorization("Basic bm9jb2xvbg==").has_value());  // "nocolon"
  EXPECT_TRUE(parse_basic_authorization("basic YTpi").has_value());
}

}  // namespace
}  // namespace ndes::web
