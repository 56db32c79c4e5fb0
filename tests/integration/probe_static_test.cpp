// Static targets from the YAML file, probed at /metrics time by the scep, tls and
// crl collectors: collector- and target-labelled probe series next to the usual
// certificate series, and the crl collector following CRL distribution points.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "probe_support.h"
#include "support/pki.h"
#include "support/run.h"
#include "support/test_http_server.h"

namespace fs = std::filesystem;

namespace ndes::test {
namespace {

using ::testing::HasSubstr;

TEST(StaticProbeTargets, ScrapeShowsEveryTargetLabelled) {
  TempDir tmp("ndes-probe-static");
  const fs::path& dir = tmp.path();
  TestPki pki(dir / "pki");
  const std::int64_t now = now_seconds();
  write_p7b({pki.ca_pem()}, dir / "ca.p7b", false);
  make_crl(pki, {pki.issue("gone", "client", now - kDay, now + 90 * kDay)}, 5, dir / "ca.crl",
           false);

  TestHttpServer web;
  TestResponse caps;
  caps.content_type = "text/plain";
  caps.body = "POSTPKIOperation\r\nSHA-256\r\n";
  TestResponse cacert;
  cacert.content_type = "application/x-x509-ca-ra-cert";
  cacert.body = read_file(dir / "ca.p7b");
  web.on("/certsrv/mscep/mscep.dll/pkiclient.exe", [=](const std::string&, const std::string& q) {
    return q.find("GetCACaps") != std::string::npos ? caps : cacert;
  });
  TestResponse crl;
  crl.content_type = "application/pkix-crl";
  crl.body = read_file(dir / "ca.crl");
  web.on("/crl/corp-ca.crl", crl);
  web.on("/crl/cdp.crl", crl);

  // A TLS endpoint whose self-signed cert names a CDP on loopback, for follow_cdp.
  const std::string cdp = web.url("/crl/cdp.crl");
  const RunResult made =
      run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:P-256", "-nodes", "-days", "20", "-subj",
                   "/CN=ndes01.corp.example", "-addext", "crlDistributionPoints=URI:" + cdp,
                   "-keyout", (dir / "tls.key").string(), "-out", (dir / "tls.pem").string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const int tls_port = free_port();
  BackgroundProcess s_server(
      {"openssl", "s_server", "-quiet", "-www", "-accept", "127.0.0.1:" + std::to_string(tls_port),
       "-cert", (dir / "tls.pem").string(), "-key", (dir / "tls.key").string()},
      dir / "s_server.log");
  ASSERT_TRUE(wait_for_port(tls_port)) << s_server.log();

  const std::string scep_target = web.url("/certsrv/mscep/mscep.dll");
  const std::string dead_scep = "http://127.0.0.1:" + std::to_string(free_port()) + "/scep";
  const std::string tls_target = "127.0.0.1:" + std::to_string(tls_port);
  const std::string crl_target = web.url("/crl/corp-ca.crl");
  ProbeExporter exporter(dir,
                         "modules:\n"
                         "  ndes_scep:\n"
                         "    prober: scep\n"
                         "    timeout: 3s\n"
                         "  tls_any:\n"
                         "    prober: tls\n"
                         "    tls: {insecure_skip_verify: true}\n"
                         "targets:\n"
                         "  scep:\n"
                         "    - {target: " +
                             scep_target +
                             ", module: ndes_scep}\n"
                             "    - " +
                             dead_scep +
                             "\n"
                             "  tls:\n"
                             "    - {target: '" +
                             tls_target +
                             "', module: tls_any}\n"
                             "  crl:\n"
                             "    - " +
                             crl_target +
                             "\n"
                             "crl:\n"
                             "  follow_cdp: true\n"
                             "probes:\n"
                             "  max_concurrency: 4\n");

  HttpResponse r = exporter.get("/metrics");
  ASSERT_EQ(r.status, 200) << exporter.log();
  auto s = parse_exposition(r.body);
  EXPECT_EQ(value_of(s, "probe_success", {{"collector", "scep"}, {"target", scep_target}}), 1)
      << r.body << exporter.log();
  EXPECT_EQ(value_of(s, "probe_success", {{"collector", "scep"}, {"target", dead_scep}}), 0);
  EXPECT_EQ(value_of(s, "ndes_probe_failure_info",
                     {{"collector", "scep"}, {"target", dead_scep}, {"reason", "connect_failed"}}),
            1);
  EXPECT_EQ(value_of(s, "probe_success", {{"collector", "tls"}, {"target", tls_target}}), 1);
  EXPECT_EQ(value_of(s, "probe_success", {{"collector", "crl"}, {"target", crl_target}}), 1);
  EXPECT_EQ(value_of(s, "ndes_scep_capability",
                     {{"collector", "scep"}, {"target", scep_target}, {"capability", "SHA-256"}}),
            1);
  EXPECT_EQ(value_of(s, "ndes_tls_verified", {{"collector", "tls"}, {"target", tls_target}}), 0);
  EXPECT_EQ(value_of(s, "ndes_crl_revoked_certificates",
                     {{"collector", "crl"}, {"target", crl_target}, {"source", crl_target}}),
            1);
  // The certificate series, as every source has them.
  EXPECT_EQ(value_of(s, "ndes_certificate_not_after_timestamp_seconds",
                     {{"collector", "scep"}, {"source", scep_target}, {"role", "ca"}}),
            openssl_not_after(pki.ca_pem()));
  EXPECT_EQ(value_of(s, "ndes_certificate_not_after_timestamp_seconds",
                     {{"collector", "tls"}, {"source", tls_target}, {"role", "ssl"}}),
            openssl_not_after(dir / "tls.pem"));
  EXPECT_EQ(value_of(s, "ndes_collector_success", {{"collector", "scep"}}), 1);
  EXPECT_EQ(value_of(s, "ndes_collector_success", {{"collector", "tls"}}), 1);
  EXPECT_EQ(value_of(s, "ndes_collector_success", {{"collector", "crl"}}), 1);

  // follow_cdp works from the last snapshot: the next scrape probes the TLS
  // certificate's CDP too.
  r = exporter.get("/metrics");
  s = parse_exposition(r.body);
  EXPECT_EQ(value_of(s, "probe_success", {{"collector", "crl"}, {"target", cdp}}), 1) << r.body;
  EXPECT_EQ(value_of(s, "ndes_crl_revoked_certificates", {{"collector", "crl"}, {"target", cdp}}),
            1);

  const RunResult check =
      run_command({"promtool", "check", "metrics"}, std::chrono::seconds(30), r.body);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // The landing page links /probe.
  EXPECT_THAT(exporter.get("/").body, HasSubstr("/probe"));
}

}  // namespace
}  // namespace ndes::test
