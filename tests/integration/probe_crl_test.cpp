// The crl module on CRLs made by `openssl ca -gencrl`, served over HTTP and read
// from a file: thisUpdate, nextUpdate and the entry count match `openssl crl -text`.
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

// What `openssl crl -text` says of a CRL.
struct OpensslCrl {
  std::int64_t last_update = 0;
  std::int64_t next_update = 0;
  int revoked = 0;
};

std::string field_after(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  if (at == std::string::npos) {
    throw std::runtime_error("no " + key + " in:\n" + text);
  }
  const auto start = at + key.size();
  return text.substr(start, text.find('\n', start) - start);
}

OpensslCrl openssl_crl(const fs::path& crl, bool der) {
  std::vector<std::string> argv = {"openssl", "crl", "-in", crl.string(), "-noout", "-text"};
  if (der) {
    argv.insert(argv.end(), {"-inform", "DER"});
  }
  const RunResult r = run_command(argv);
  if (r.exit_code != 0) {
    throw std::runtime_error(r.err);
  }
  OpensslCrl out;
  out.last_update = parse_openssl_date(field_after(r.out, "Last Update: "));
  out.next_update = parse_openssl_date(field_after(r.out, "Next Update: "));
  for (auto pos = r.out.find("Serial Number:"); pos != std::string::npos;
       pos = r.out.find("Serial Number:", pos + 1)) {
    ++out.revoked;
  }
  return out;
}

class CrlProbeTest : public PkiSuite<CrlProbeTest> {
 protected:
  static void SetUpTestSuite() {
    const std::int64_t now = make_pki("ndes-probe-crl");
    std::vector<fs::path> revoke;
    for (const char* name : {"lost-phone", "left-company", "rekeyed"}) {
      revoke.push_back(pki_->issue(name, "client", now - 10 * kDay, now + 300 * kDay));
    }
    pki_->issue("still-good", "client", now - 10 * kDay, now + 300 * kDay);
    pem_ = tmp_->path() / "corp-ca.crl.pem";
    der_ = tmp_->path() / "corp-ca.crl";
    make_crl(*pki_, revoke, 8, pem_, true);
    make_crl(*pki_, {}, 8, der_, false);
    exporter_ = new ProbeExporter(tmp_->path(),
                                  "modules:\n"
                                  "  crl_files:\n"
                                  "    prober: crl\n"
                                  "    allow_file_targets: true\n");
  }
  static void TearDownTestSuite() {
    delete exporter_;
    PkiSuite::TearDownTestSuite();
  }

  static void expect_matches(const ProbeCall& call, const std::string& target,
                             const OpensslCrl& want) {
    const auto& s = call.samples;
    ASSERT_EQ(value_of(s, "probe_success"), 1) << call.response.body << exporter_->log();
    const std::map<std::string, std::string> labels = {{"issuer", "CORP-ISSUING-CA"},
                                                       {"source", target}};
    EXPECT_EQ(value_of(s, "ndes_crl_this_update_timestamp_seconds", labels), want.last_update)
        << call.response.body;
    EXPECT_EQ(value_of(s, "ndes_crl_next_update_timestamp_seconds", labels), want.next_update);
    EXPECT_EQ(value_of(s, "ndes_crl_revoked_certificates", labels), want.revoked);
    // Exactly {issuer, source}.
    const auto series = select(s, "ndes_crl_revoked_certificates");
    ASSERT_EQ(series.size(), 1U);
    EXPECT_EQ(series[0].labels, labels);
  }

  static inline ProbeExporter* exporter_ = nullptr;
  static inline fs::path pem_, der_;
};

TEST_F(CrlProbeTest, OverHttpPemAndDer) {
  TestHttpServer pki_web;
  TestResponse pem;
  pem.content_type = "application/pkix-crl";
  pem.body = read_file(pem_);
  TestResponse der = pem;
  der.body = read_file(der_);
  pki_web.on("/crl/corp-ca.pem.crl", pem);
  pki_web.on("/crl/corp-ca.crl", der);
  const OpensslCrl want_pem = openssl_crl(pem_, false);
  const OpensslCrl want_der = openssl_crl(der_, true);
  EXPECT_EQ(want_pem.revoked, 3);

  std::string target = pki_web.url("/crl/corp-ca.pem.crl");
  expect_matches(exporter_->probe("crl", target), target, want_pem);
  target = pki_web.url("/crl/corp-ca.crl");
  expect_matches(exporter_->probe("crl", target), target, want_der);
}

TEST_F(CrlProbeTest, FromAFileWhenTheModuleAllowsIt) {
  expect_matches(exporter_->probe("crl_files", der_.string()), der_.string(),
                 openssl_crl(der_, true));
  const std::string url = "file://" + pem_.string();
  expect_matches(exporter_->probe("crl_files", url), url, openssl_crl(pem_, false));
  // The built-in module does not read local files for a network caller.
  const ProbeCall refused = exporter_->probe("crl", der_.string());
  EXPECT_EQ(value_of(refused.samples, "probe_success"), 0);
  EXPECT_EQ(value_of(refused.samples, "ndes_probe_failure_info", {{"reason", "connect_failed"}}),
            1);
}

TEST_F(CrlProbeTest, NotACrlIsBadContent) {
  TestHttpServer pki_web;
  TestResponse html;
  html.content_type = "text/html";
  html.body = "<html>moved</html>";
  pki_web.on("/crl/corp-ca.crl", html);
  const ProbeCall call = exporter_->probe("crl", pki_web.url("/crl/corp-ca.crl"));
  EXPECT_EQ(value_of(call.samples, "ndes_probe_failure_info", {{"reason", "bad_content"}}), 1);
  const ProbeCall missing = exporter_->probe("crl", pki_web.url("/crl/missing.crl"));
  EXPECT_EQ(value_of(missing.samples, "ndes_probe_failure_info", {{"reason", "http_status"}}), 1);
}

}  // namespace
}  // namespace ndes::test
