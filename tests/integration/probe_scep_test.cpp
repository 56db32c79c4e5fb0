// The scep module against real peers on loopback: micromdm's scepserver, and an
// NDES-shaped endpoint (mscep.dll/pkiclient.exe answering a PKCS#7 with the CA and
// both RA certificates) served from the test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "probe_support.h"
#include "support/pki.h"
#include "support/pki_suite.h"
#include "support/run.h"
#include "support/test_http_server.h"

namespace fs = std::filesystem;

namespace ndes::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kNdesPath = "/certsrv/mscep/mscep.dll/pkiclient.exe";
constexpr const char* kNdesCaps = "POSTPKIOperation\r\nRenewal\r\nSHA-256\r\nSHA-1\r\nDES3\r\n";

// Answers GetCACaps and GetCACert the way NDES does.
TestHttpServer::Handler ndes_handler(std::string p7b, const std::optional<std::string>& cert_type) {
  return [p7b = std::move(p7b), cert_type](const std::string&, const std::string& query) {
    TestResponse r;
    if (query.find("operation=GetCACaps") != std::string::npos) {
      r.content_type = "text/plain";
      r.body = kNdesCaps;
    } else if (query.find("operation=GetCACert") != std::string::npos) {
      r.content_type = cert_type;
      r.body = p7b;
    } else {
      r.status = 403;
    }
    return r;
  };
}

class ScepProbeTest : public PkiSuite<ScepProbeTest> {
 protected:
  static void SetUpTestSuite() {
    const std::int64_t now = make_pki("ndes-probe-scep");
    cep_not_after_ = now + 40 * kDay;
    eea_not_after_ = now - 3 * kDay;  // expired: still reported
    cep_ = pki_->issue("cep", "cep", now - 300 * kDay, cep_not_after_, "/CN=NDES01-MSCEP-RA");
    eea_ = pki_->issue("eea", "eea", now - 400 * kDay, eea_not_after_, "/CN=NDES01-MSCEP-RA");
    write_p7b({pki_->ca_pem(), cep_, eea_}, tmp_->path() / "ra.p7b", false);
    p7b_ = read_file(tmp_->path() / "ra.p7b");
    exporter_ = new ProbeExporter(tmp_->path(),
                                  "modules:\n"
                                  "  ndes_scep:\n"
                                  "    prober: scep\n"
                                  "    timeout: 5s\n");
  }
  static void TearDownTestSuite() {
    delete exporter_;
    PkiSuite::TearDownTestSuite();
  }

  static inline ProbeExporter* exporter_ = nullptr;
  static inline fs::path cep_, eea_;
  static inline std::int64_t cep_not_after_ = 0, eea_not_after_ = 0;
  static inline std::string p7b_;
};

TEST_F(ScepProbeTest, MicromdmScepserverReportsTheCaWithItsNotAfter) {
  const fs::path depot = tmp_->path() / "depot";
  // 2048-bit keeps the CA quick to make; the size does not matter to the probe.
  const RunResult init =
      run_command({"scepserver", "ca", "-init", "-depot", depot.string(), "-keySize", "2048"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const int port = free_port();
  BackgroundProcess server({"scepserver", "-depot", depot.string(), "-port", std::to_string(port)},
                           tmp_->path() / "scepserver.log");
  ASSERT_TRUE(wait_for_port(port)) << server.log();

  const std::string target = "http://127.0.0.1:" + std::to_string(port) + "/scep";
  const ProbeCall call = exporter_->probe("scep", target);
  ASSERT_EQ(call.response.status, 200) << call.response.body << exporter_->log();
  const auto& s = call.samples;
  EXPECT_EQ(value_of(s, "probe_success"), 1) << call.response.body << exporter_->log();
  const auto certs = select(s, "ndes_certificate_not_after_timestamp_seconds",
                            {{"collector", "scep"}, {"source", target}, {"path", ""}});
  ASSERT_EQ(certs.size(), 1U) << call.response.body;
  EXPECT_EQ(certs[0].labels.at("role"), "ca");
  EXPECT_EQ(certs[0].value, static_cast<double>(openssl_not_after(depot / "ca.pem")));
  EXPECT_EQ(certs[0].labels.at("thumbprint"), openssl_thumbprint(depot / "ca.pem"));
  EXPECT_EQ(value_of(s, "ndes_scep_capability", {{"capability", "POSTPKIOperation"}}), 1);
  EXPECT_EQ(value_of(s, "ndes_scep_capability", {{"capability", "SHA-256"}}), 1);
  EXPECT_EQ(value_of(s, "ndes_scep_http_status_code", {{"operation", "GetCACaps"}}), 200);
  EXPECT_EQ(value_of(s, "ndes_scep_http_status_code", {{"operation", "GetCACert"}}), 200);
  EXPECT_EQ(value_of(s, "ndes_certificates_valid", {{"role", "ca"}}), 1);
  EXPECT_TRUE(select(s, "ndes_probe_failure_info").empty());
}

TEST_F(ScepProbeTest, NdesEndpointReportsCaAndBothRaCertsWithRoles) {
  TestHttpServer ndes;
  ndes.on(kNdesPath, ndes_handler(p7b_, "application/x-x509-ca-ra-cert"));
  const std::string target = ndes.url("/certsrv/mscep/mscep.dll");
  const ProbeCall call = exporter_->probe("ndes_scep", target);
  const auto& s = call.samples;
  ASSERT_EQ(value_of(s, "probe_success"), 1) << call.response.body << exporter_->log();

  // The request went to mscep.dll/pkiclient.exe, GetCACaps first.
  const auto seen = ndes.requests();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].path, kNdesPath);
  EXPECT_EQ(seen[0].query, "operation=GetCACaps&message=probe");
  EXPECT_EQ(seen[1].query, "operation=GetCACert&message=probe");

  const std::map<std::string, std::string> at = {{"collector", "scep"}, {"source", target}};
  auto with = [&](const std::string& role) {
    auto m = at;
    m["role"] = role;
    return m;
  };
  EXPECT_EQ(value_of(s, "ndes_certificate_not_after_timestamp_seconds", with("cep_encryption")),
            cep_not_after_);
  EXPECT_EQ(value_of(s, "ndes_certificate_not_after_timestamp_seconds", with("enrollment_agent")),
            eea_not_after_);
  EXPECT_EQ(value_of(s, "ndes_certificate_not_after_timestamp_seconds", with("ca")),
            openssl_not_after(pki_->ca_pem()));
  const auto cep =
      select(s, "ndes_certificate_not_after_timestamp_seconds", with("cep_encryption"));
  ASSERT_EQ(cep.size(), 1U);
  EXPECT_EQ(cep[0].labels.at("template"), "CEPEncryption");
  EXPECT_EQ(cep[0].labels.at("thumbprint"), openssl_thumbprint(cep_));
  EXPECT_EQ(cep[0].labels.at("subject"), "NDES01-MSCEP-RA");
  EXPECT_EQ(cep[0].labels.at("issuer"), "CORP-ISSUING-CA");
  // The expired agent cert is there, and counted as not valid.
  EXPECT_EQ(value_of(s, "ndes_certificates_valid", with("enrollment_agent")), 0);
  EXPECT_EQ(value_of(s, "ndes_certificates_valid", with("cep_encryption")), 1);
  EXPECT_EQ(value_of(s, "ndes_certificates_valid", with("ca")), 1);
  EXPECT_EQ(value_of(s, "ndes_scep_capability", {{"capability", "Renewal"}}), 1);
  EXPECT_EQ(select(s, "ndes_scep_capability").size(), 5U);
}

// libcurl (and the GnuTLS, Kerberos and LDAP libraries Debian's build brings) is
// loaded by the first HTTP probe, not at start: an exporter that never probes over
// HTTP does not carry it (bench/profiling.md, idle RSS).
TEST_F(ScepProbeTest, LibcurlIsLoadedByTheFirstHttpProbeNotAtStart) {
  const auto maps_libcurl = [](pid_t pid) {
    const std::string maps = read_file(fs::path("/proc") / std::to_string(pid) / "maps");
    return maps.find("/libcurl") != std::string::npos;
  };
  TempDir dir("ndes-probe-lazy");
  ProbeExporter fresh(dir.path(), "modules:\n  ndes_scep:\n    prober: scep\n");
  ASSERT_EQ(fresh.get("/metrics").status, 200);
  EXPECT_FALSE(maps_libcurl(fresh.pid()));

  TestHttpServer ndes;
  ndes.on(kNdesPath, ndes_handler(p7b_, "application/x-x509-ca-ra-cert"));
  const ProbeCall call = fresh.probe("ndes_scep", ndes.url("/certsrv/mscep/mscep.dll"));
  EXPECT_EQ(value_of(call.samples, "probe_success"), 1) << call.response.body << fresh.log();
  EXPECT_TRUE(maps_libcurl(fresh.pid()));
}

TEST_F(ScepProbeTest, NoContentTypeAndBase64BodyAreTolerated) {
  const RunResult b64 =
      run_command({"openssl", "base64", "-in", (tmp_->path() / "ra.p7b").string()});
  ASSERT_EQ(b64.exit_code, 0);
  TestHttpServer ndes;
  ndes.on(kNdesPath, ndes_handler(b64.out, std::nullopt));
  // A target that already names pkiclient.exe is used as it is.
  const ProbeCall call = exporter_->probe("scep", ndes.url(kNdesPath));
  EXPECT_EQ(value_of(call.samples, "probe_success"), 1) << call.response.body << exporter_->log();
  EXPECT_EQ(select(call.samples, "ndes_certificate_not_after_timestamp_seconds").size(), 3U);
  EXPECT_EQ(ndes.requests().at(0).path, kNdesPath);
}

TEST_F(ScepProbeTest, PromtoolAcceptsTheProbeAnswer) {
  TestHttpServer ndes;
  ndes.on(kNdesPath, ndes_handler(p7b_, "application/x-x509-ca-ra-cert"));
  for (const auto& target : {ndes.url("/certsrv/mscep/mscep.dll"), ndes.url("/nothing/here.dll")}) {
    const ProbeCall call = exporter_->probe("scep", target);
    ASSERT_EQ(call.response.status, 200);
    EXPECT_THAT(call.response.content_type, HasSubstr("text/plain"));
    const RunResult check =
        run_command({"promtool", "check", "metrics"}, std::chrono::seconds(30), call.response.body);
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err << "\n" << call.response.body;
  }
}

}  // namespace
}  // namespace ndes::test
