// --web.config.file on the real binaries: TLS handshakes by the curl and openssl
// CLIs against certificates made by openssl, basic auth, extra headers, start-up
// errors, and re-reading the file while running.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "renew_support.h"
#include "support/bcrypt.h"
#include "support/exposition.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/run.h"
#include "support/setup_error.h"

namespace fs = std::filesystem;

namespace ndes::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

void write_text(const fs::path& p, const std::string& text) {
  // Written aside and renamed, as config management does: a reader never sees half.
  const fs::path tmp = p.string() + ".tmp";
  std::ofstream(tmp, std::ios::binary) << text;
  fs::rename(tmp, p);
}

// The PKI is made once; each test writes its own web config.
class WebConfigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setup_error_ = setup_error_of([] {
      tmp_ = new TempDir("ndes-web");
      pki_ = new TestPki(tmp_->path() / "pki");
      const std::int64_t now = now_seconds();
      server_ = pki_->issue("server", "ssl", now - kDay, now + 30 * kDay, "/CN=localhost");
      client_ = pki_->issue("client", "client", now - kDay, now + 30 * kDay, "/CN=prometheus");
      fs::create_directories(tmp_->path() / "store");
    });
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete tmp_;
  }
  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  static fs::path key_of(const fs::path& pem) { return fs::path(pem).replace_extension(".key"); }

  std::string tls_block(const std::string& extra = "") const {
    return "tls_server_config:\n  cert_file: " + server_.string() +
           "\n  key_file: " + key_of(server_).string() + "\n" + extra;
  }

  // Starts the exporter with `web_yaml` as its web config; waits for the port.
  void start_exporter(const std::string& web_yaml) {
    write_text(config_, web_yaml);
    port_ = free_port();
    exporter_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{(bin_dir() / "ndes_exporter").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                 "--web.config.file=" + config_.string(),
                                 "--collector.files.path=" + (tmp_->path() / "store").string()},
        dir_ / "exporter.log");
    ASSERT_TRUE(wait_for_port(port_)) << exporter_->log();
  }

  // curl's answer: the status line and headers (-D -), then the body.
  RunResult curl(std::vector<std::string> args, const std::string& scheme = "https",
                 const std::string& path = "/metrics") const {
    std::vector<std::string> argv = {"curl", "-sS", "-D", "-", "--max-time", "10"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(scheme + "://localhost:" + std::to_string(port_) + path);
    return run_command(argv, 20s);
  }
  std::string ca() const { return pki_->ca_pem().string(); }

  // Runs the exporter to its exit with `web_yaml`; its stderr.
  RunResult start_error(const std::string& web_yaml) {
    write_text(config_, web_yaml);
    return run_command({(bin_dir() / "ndes_exporter").string(),
                        "--web.listen-address=127.0.0.1:" + std::to_string(free_port()),
                        "--web.config.file=" + config_.string(),
                        "--collector.files.path=" + (tmp_->path() / "store").string()},
                       20s);
  }

  static inline TempDir* tmp_ = nullptr;
  static inline TestPki* pki_ = nullptr;
  static inline fs::path server_;
  static inline fs::path client_;
  static inline std::string setup_error_;

  TempDir dir_{"ndes-web-case"};
  fs::path config_ = dir_ / "web.yml";
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> exporter_;
};

TEST_F(WebConfigTest, ServesMetricsOverTlsAndNotOverPlainHttp) {
  start_exporter(tls_block());
  const RunResult ok = curl({"--cacert", ca()});
  EXPECT_THAT(ok.out, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(ok.out, HasSubstr("ndes_exporter_build_info"));
  // The certificate curl saw is the configured one.
  const RunResult s_client =
      run_command({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port_),
                   "-CAfile", ca(), "-verify_return_error", "-brief"},
                  20s, "Q\n");
  EXPECT_THAT(s_client.err, HasSubstr("Verification: OK")) << s_client.err;
  EXPECT_THAT(s_client.err, HasSubstr("CN = localhost"));
  const RunResult plain = curl({}, "http");
  EXPECT_THAT(plain.out, Not(HasSubstr("200")));
}

TEST_F(WebConfigTest, HonoursMinAndMaxVersion) {
  start_exporter(tls_block("  min_version: TLS13\n"));
  EXPECT_THAT(curl({"--cacert", ca(), "--tlsv1.3"}).out, HasSubstr("HTTP/1.1 200"));
  const RunResult old = curl({"--cacert", ca(), "--tlsv1.2", "--tls-max", "1.2"});
  EXPECT_THAT(old.out, Not(HasSubstr("HTTP/1.1")));
  EXPECT_NE(old.exit_code, 0);

  exporter_.reset();
  start_exporter(tls_block("  max_version: TLS12\n"));
  const RunResult v12 =
      run_command({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port_),
                   "-CAfile", ca(), "-brief"},
                  20s, "Q\n");
  EXPECT_THAT(v12.err, HasSubstr("Protocol version: TLSv1.2")) << v12.err;
  EXPECT_THAT(curl({"--cacert", ca(), "--tlsv1.3"}).out, Not(HasSubstr("HTTP/1.1")));
}

TEST_F(WebConfigTest, RequiresAVerifiedClientCertificate) {
  start_exporter(tls_block(
      "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " + ca() + "\n"));
  const RunResult without = curl({"--cacert", ca()});
  EXPECT_THAT(without.out, Not(HasSubstr("HTTP/1.1")));
  EXPECT_NE(without.exit_code, 0);
  const RunResult with =
      curl({"--cacert", ca(), "--cert", client_.string(), "--key", key_of(client_).string()});
  EXPECT_THAT(with.out, HasSubstr("HTTP/1.1 200")) << with.err;
  // A client certificate from another CA is refused as well.
  TestPki other(dir_ / "other-pki");
  const std::int64_t now = now_seconds();
  const fs::path stranger = other.issue("stranger", "client", now - kDay, now + kDay);
  const RunResult foreign =
      curl({"--cacert", ca(), "--cert", stranger.string(), "--key", key_of(stranger).string()});
  EXPECT_THAT(foreign.out, Not(HasSubstr("HTTP/1.1")));
}

TEST_F(WebConfigTest, BasicAuthRefusesAWrongPasswordWith401) {
  start_exporter("basic_auth_users:\n  prometheus: " + bcrypt("s3cret") + "\n");
  EXPECT_THAT(curl({}, "http").out, HasSubstr("HTTP/1.1 401"));
  const RunResult wrong = curl({"-u", "prometheus:wrong"}, "http");
  EXPECT_THAT(wrong.out, HasSubstr("HTTP/1.1 401"));
  EXPECT_THAT(wrong.out, HasSubstr("WWW-Authenticate: Basic"));
  EXPECT_THAT(curl({"-u", "nobody:s3cret"}, "http").out, HasSubstr("HTTP/1.1 401"));
  const RunResult right = curl({"-u", "prometheus:s3cret"}, "http");
  EXPECT_THAT(right.out, HasSubstr("HTTP/1.1 200"));
  const auto samples = parse_exposition(right.out.substr(right.out.find("\r\n\r\n") + 4));
  EXPECT_EQ(value_of(samples, "ndes_web_requests_rejected_total", {{"reason", "unauthorized"}}), 3);
  // Every path is guarded, the landing page too.
  EXPECT_THAT(curl({}, "http", "/").out, HasSubstr("HTTP/1.1 401"));
}

TEST_F(WebConfigTest, AddsTheConfiguredHeaders) {
  start_exporter(tls_block() +
                 "http_server_config:\n  headers:\n"
                 "    Strict-Transport-Security: max-age=31536000\n"
                 "    X-Content-Type-Options: nosniff\n");
  const RunResult r = curl({"--cacert", ca()});
  EXPECT_THAT(r.out, HasSubstr("Strict-Transport-Security: max-age=31536000\r\n"));
  EXPECT_THAT(r.out, HasSubstr("X-Content-Type-Options: nosniff\r\n"));
  // Error answers carry them too.
  EXPECT_THAT(curl({"--cacert", ca()}, "https", "/nope").out,
              HasSubstr("Strict-Transport-Security: max-age=31536000\r\n"));
}

TEST_F(WebConfigTest, ReloadsAChangedFileAndKeepsTheOldOneWhenTheNewOneIsBad) {
  start_exporter("basic_auth_users:\n  prometheus: " + bcrypt("one") + "\n");
  EXPECT_THAT(curl({"-u", "prometheus:one"}, "http").out, HasSubstr("HTTP/1.1 200"));

  write_text(config_, "basic_auth_users:\n  prometheus: " + bcrypt("two") + "\n");
  EXPECT_THAT(curl({"-u", "prometheus:one"}, "http").out, HasSubstr("HTTP/1.1 401"));
  EXPECT_THAT(curl({"-u", "prometheus:two"}, "http").out, HasSubstr("HTTP/1.1 200"));

  write_text(config_, "basic_auth_users:\n  prometheus: not-a-hash\n");
  const RunResult kept = curl({"-u", "prometheus:two"}, "http");
  EXPECT_THAT(kept.out, HasSubstr("HTTP/1.1 200"));
  const auto samples = parse_exposition(kept.out.substr(kept.out.find("\r\n\r\n") + 4));
  EXPECT_EQ(value_of(samples, "ndes_web_config_last_reload_successful", {}), 0);
  EXPECT_THAT(exporter_->log(), HasSubstr("web config not reloaded, keeping the previous one"));
  EXPECT_THAT(exporter_->log(), HasSubstr("basic_auth_users.prometheus: is not a bcrypt hash"));
}

TEST_F(WebConfigTest, ServesARenewedCertificateWithoutARestart) {
  const fs::path cert = dir_ / "tls.crt";
  const fs::path key = dir_ / "tls.key";
  fs::copy_file(server_, cert);
  fs::copy_file(key_of(server_), key);
  start_exporter("tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n");
  const std::string serial_before = openssl_serial(server_);
  const auto served_serial = [&] {
    const RunResult r = run_command(
        {"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port_), "-CAfile", ca()},
        20s, "Q\n");
    return run_command({"openssl", "x509", "-noout", "-serial"}, 20s, r.out).out;
  };
  EXPECT_THAT(served_serial(), HasSubstr(serial_before));
  const std::int64_t now = now_seconds();
  const fs::path renewed =
      pki_->issue("renewed", "ssl", now - kDay, now + 90 * kDay, "/CN=localhost");
  fs::copy_file(key_of(renewed), key, fs::copy_options::overwrite_existing);
  fs::copy_file(renewed, cert, fs::copy_options::overwrite_existing);
  // The next request notices the change; the connection after it gets the new cert.
  EXPECT_THAT(curl({"--cacert", ca()}).out, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(served_serial(), HasSubstr(openssl_serial(renewed)));
}

TEST_F(WebConfigTest, RefusesToStartWithAMissingCertificate) {
  const RunResult r = start_error(
      "tls_server_config:\n  cert_file: /nonexistent/server.crt\n"
      "  key_file: /nonexistent/server.key\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("ndes_exporter: error: --web.config.file " + config_.string() +
                               ": tls_server_config.cert_file /nonexistent/server.crt: No such "
                               "file or directory\n"));
}

TEST_F(WebConfigTest, RefusesToStartWithABadHashOrAnUnknownKey) {
  RunResult r = start_error("basic_auth_users:\n  prometheus: plaintext\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(config_.string() + ": basic_auth_users.prometheus: is not a bcrypt "
                                                  "hash"));
  r = start_error("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth: x\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(": key tls_server_config.client_auth is not known"));
  r = start_error(tls_block().replace(tls_block().find(key_of(server_).string()),
                                      key_of(server_).string().size(), key_of(client_).string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("does not match cert_file"));
}

// The hook: the same file, with basic auth as an alternative to its bearer token.
TEST_F(WebConfigTest, TheHookServesTlsAndTakesBasicAuthInsteadOfTheToken) {
  write_text(config_,
             tls_block() + "basic_auth_users:\n  alertmanager: " + bcrypt("am-pass") + "\n");
  const fs::path token = dir_ / "hook.token";
  write_text(token, std::string(kRenewToken) + "\n");
  port_ = free_port();
  BackgroundProcess hook(
      {(bin_dir() / "ndes_renew_hook").string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(port_),
       "--state.dir=" + (dir_ / "state").string(), "--web.auth-token-file=" + token.string(),
       "--instance=ndes01", "--web.config.file=" + config_.string()},
      dir_ / "hook.log");
  ASSERT_TRUE(wait_for_port(port_)) << hook.log();
  const std::string body = webhook_body({ra_labels()});
  const auto post = [&](std::vector<std::string> auth) {
    std::vector<std::string> args = {"--cacert",      ca(), "-X",
                                     "POST",          "-H", "Content-Type: application/json",
                                     "--data-binary", body};
    args.insert(args.end(), auth.begin(), auth.end());
    return curl(args, "https", "/alertmanager").out;
  };
  EXPECT_THAT(post({"-u", "alertmanager:am-pass"}), HasSubstr("HTTP/1.1 202"));
  EXPECT_THAT(post({"-u", "alertmanager:wrong"}), HasSubstr("HTTP/1.1 401"));
  EXPECT_THAT(post({"-H", std::string("Authorization: Bearer ") + kRenewToken}),
              HasSubstr("HTTP/1.1 202"));
  EXPECT_THAT(post({}), HasSubstr("HTTP/1.1 401"));
}

}  // namespace
}  // namespace ndes::test
