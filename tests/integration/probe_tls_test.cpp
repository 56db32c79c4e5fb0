// The tls module against `openssl s_server` with an expired chain, a self-signed
// certificate and a good chain; and blackbox_exporter's view of the same endpoint.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "probe_support.h"
#include "support/pki.h"
#include "support/run.h"

namespace fs = std::filesystem;

namespace ndes::test {
namespace {

// openssl s_server on 127.0.0.1:<free port> with `cert` (+ `chain`), until the end.
class TlsServer {
 public:
  TlsServer(const fs::path& dir, const std::string& name, const fs::path& cert, const fs::path& key,
            const std::optional<fs::path>& chain)
      : port_(free_port()) {
    std::vector<std::string> argv = {"openssl", "s_server",
                                     "-quiet",  "-www",
                                     "-accept", "127.0.0.1:" + std::to_string(port_),
                                     "-cert",   cert.string(),
                                     "-key",    key.string()};
    if (chain) {
      argv.insert(argv.end(), {"-cert_chain", chain->string()});
    }
    process_ = std::make_unique<BackgroundProcess>(argv, dir / (name + "-s_server.log"));
    if (!wait_for_port(port_)) {
      throw std::runtime_error("s_server did not start: " + process_->log());
    }
  }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  std::unique_ptr<BackgroundProcess> process_;
};

class TlsProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir("ndes-probe-tls");
    const fs::path dir = tmp_->path();
    pki_ = new TestPki(dir / "pki");
    const std::int64_t now = now_seconds();
    expired_ =
        pki_->issue("expired", "ssl", now - 400 * kDay, now - 5 * kDay, "/CN=ndes01.corp.example");
    good_ = pki_->issue("good", "ssl", now - kDay, now + 60 * kDay, "/CN=ndes01.corp.example");
    self_signed_ = dir / "self.pem";
    const RunResult r =
        run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                     "ec_paramgen_curve:P-256", "-nodes", "-days", "20", "-subj",
                     "/CN=ndes01.corp.example", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                     (dir / "self.key").string(), "-out", self_signed_.string()});
    if (r.exit_code != 0) {
      throw std::runtime_error(r.err);
    }
    expired_server_ =
        new TlsServer(dir, "expired", expired_, pki_->dir() / "expired.key", pki_->ca_pem());
    self_server_ = new TlsServer(dir, "self", self_signed_, dir / "self.key", std::nullopt);
    good_server_ = new TlsServer(dir, "good", good_, pki_->dir() / "good.key", pki_->ca_pem());
    exporter_ = new ProbeExporter(dir,
                                  "modules:\n"
                                  "  tls_insecure:\n"
                                  "    prober: tls\n"
                                  "    timeout: 5s\n"
                                  "    tls: {insecure_skip_verify: true}\n"
                                  "  tls_corp:\n"
                                  "    prober: tls\n"
                                  "    tls:\n"
                                  "      ca_file: " +
                                      pki_->ca_pem().string() + "\n");
  }
  static void TearDownTestSuite() {
    delete exporter_;
    delete good_server_;
    delete self_server_;
    delete expired_server_;
    delete pki_;
    delete tmp_;
  }

  static inline TempDir* tmp_ = nullptr;
  static inline TestPki* pki_ = nullptr;
  static inline fs::path expired_, good_, self_signed_;
  static inline TlsServer* expired_server_ = nullptr;
  static inline TlsServer* self_server_ = nullptr;
  static inline TlsServer* good_server_ = nullptr;
  static inline ProbeExporter* exporter_ = nullptr;
};

TEST_F(TlsProbeTest, ExpiredChainIsReportedUnverified) {
  const std::string target = expired_server_->target();
  for (const std::string module : {"tls", "tls_insecure"}) {
    const ProbeCall call = exporter_->probe(module, target);
    const auto& s = call.samples;
    EXPECT_EQ(value_of(s, "ndes_tls_verified"), 0) << call.response.body;
    const std::map<std::string, std::string> leaf = {
        {"collector", "tls"}, {"source", target}, {"role", "ssl"}};
    EXPECT_EQ(value_of(s, "ndes_certificate_not_after_timestamp_seconds", leaf),
              openssl_not_after(expired_))
        << call.response.body;
    EXPECT_EQ(value_of(s, "ndes_certificate_not_after_timestamp_seconds",
                       {{"collector", "tls"}, {"role", "ca"}}),
              openssl_not_after(pki_->ca_pem()));
    EXPECT_EQ(value_of(s, "ndes_certificates_valid", {{"role", "ssl"}}), 0);
    EXPECT_EQ(select(s, "ndes_tls_version_info").size(), 1U);
    if (module == "tls") {
      // Verification is on: the probe fails, and says why.
      EXPECT_EQ(value_of(s, "probe_success"), 0);
      EXPECT_EQ(value_of(s, "ndes_probe_failure_info", {{"reason", "tls_error"}}), 1);
    } else {
      EXPECT_EQ(value_of(s, "probe_success"), 1);
    }
  }
}

TEST_F(TlsProbeTest, SelfSignedIsReportedUnverified) {
  const ProbeCall call = exporter_->probe("tls", self_server_->target());
  const auto& s = call.samples;
  EXPECT_EQ(value_of(s, "ndes_tls_verified"), 0);
  EXPECT_EQ(value_of(s, "probe_success"), 0);
  EXPECT_EQ(value_of(s, "ndes_probe_failure_info", {{"reason", "tls_error"}}), 1);
  const auto certs = select(s, "ndes_certificate_not_after_timestamp_seconds");
  ASSERT_EQ(certs.size(), 1U) << call.response.body;
  EXPECT_EQ(certs[0].labels.at("role"), "ssl");
  EXPECT_EQ(certs[0].labels.at("thumbprint"), openssl_thumbprint(self_signed_));
  EXPECT_EQ(certs[0].value, openssl_not_after(self_signed_));
  EXPECT_THAT(exporter_->log(), ::testing::HasSubstr("self-signed certificate"));
}

TEST_F(TlsProbeTest, GoodChainVerifiesAgainstTheModulesCaFile) {
  const ProbeCall call = exporter_->probe("tls_corp", good_server_->target());
  const auto& s = call.samples;
  EXPECT_EQ(value_of(s, "probe_success"), 1) << call.response.body << exporter_->log();
  EXPECT_EQ(value_of(s, "ndes_tls_verified"), 1);
  EXPECT_EQ(value_of(s, "ndes_certificates_valid", {{"role", "ssl"}}), 1);
  EXPECT_EQ(value_of(s, "ndes_certificate_not_after_timestamp_seconds", {{"role", "ssl"}}),
            openssl_not_after(good_));
  // The same chain against the system store does not verify.
  EXPECT_EQ(value_of(exporter_->probe("tls", good_server_->target()).samples, "ndes_tls_verified"),
            0);
}

TEST_F(TlsProbeTest, BlackboxExporterAgreesOnTheLeafNotAfter) {
  const fs::path config = tmp_->path() / "blackbox.yml";
  write_file(config,
             "modules:\n"
             "  tls_connect:\n"
             "    prober: tcp\n"
             "    timeout: 5s\n"
             "    tcp:\n"
             "      tls: true\n"
             "      tls_config:\n"
             "        insecure_skip_verify: true\n");
  const int port = free_port();
  BackgroundProcess blackbox({"prometheus-blackbox-exporter", "--config.file=" + config.string(),
                              "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                             tmp_->path() / "blackbox.log");
  ASSERT_TRUE(wait_for_port(port)) << blackbox.log();
  for (const auto* server : {expired_server_, self_server_}) {
    const std::string target = server->target();
    const HttpResponse bb = http_get("http://127.0.0.1:" + std::to_string(port) +
                                     "/probe?module=tls_connect&target=" + url_encode(target));
    ASSERT_EQ(bb.status, 200) << bb.error << blackbox.log();
    const auto bb_samples = parse_exposition(bb.body);
    ASSERT_EQ(value_of(bb_samples, "probe_success"), 1) << bb.body;
    const auto earliest = value_of(bb_samples, "probe_ssl_earliest_cert_expiry");
    ASSERT_TRUE(earliest) << bb.body;

    const ProbeCall ours = exporter_->probe("tls_insecure", target);
    const auto leaf =
        value_of(ours.samples, "ndes_certificate_not_after_timestamp_seconds", {{"role", "ssl"}});
    ASSERT_TRUE(leaf) << ours.response.body;
    EXPECT_EQ(*leaf, *earliest) << target;
  }
}

}  // namespace
}  // namespace ndes::test
