// The `command` executor end to end: an expiring certificate file is renewed with
// openssl against the test CA (tests/renew/renew-file-cert.sh, run by argv), and the
// real ndes_exporter, scanning that directory, reports the new NotAfter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ndes/cert/parse.h"
#include "renew_support.h"
#include "support/exposition.h"
#include "support/pki.h"
#include "support/run.h"

namespace ndes::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

Certificate read_cert(const std::filesystem::path& pem) {
  const auto bytes = read_file_bytes(pem);
  const ParseResult r = parse_certificates(bytes, pem.filename().string());
  if (r.certificates.size() != 1) {
    throw std::runtime_error("cannot read " + pem.string() + ": " + r.detail);
  }
  return r.certificates.front();
}

std::optional<double> not_after(const ExporterProcess& exporter,
                                const std::filesystem::path& file) {
  const auto samples = parse_exposition(http_get(exporter.url("/metrics")).body);
  return value_of(samples, "ndes_certificate_not_after_timestamp_seconds",
                  {{"path", file.string()}});
}

TEST(RenewCommandTest, RenewsAFileCertificateThatTheExporterThenReports) {
  TempDir tmp;
  TestPki pki(tmp / "pki");
  const std::int64_t now = now_seconds();
  const auto old_pem =
      pki.issue("cep", "cep", now - 700 * kDay, now + 9 * kDay, "/CN=NDES01-MSCEP-RA");
  const auto store = tmp / "store";
  std::filesystem::create_directories(store);
  const auto file = store / "cep.pem";
  std::filesystem::copy_file(old_pem, file);
  const Certificate old_cert = read_cert(file);

  ExporterProcess exporter(store, tmp / "exporter.log");
  ASSERT_EQ(not_after(exporter, file), static_cast<double>(old_cert.not_after));

  const auto script = source_dir() / "tests" / "renew" / "renew-file-cert.sh";
  HookProcess hook(tmp / "state",
                   {"--instance=ndes01", "--mode=execute", "--executor=command",
                    "--command.timeout=60s", "--command.argv=/bin/bash",
                    "--command.argv=" + script.string(), "--command.argv=" + pki.dir().string(),
                    "--command.argv=" + store.string(), "--command.argv={thumbprint}",
                    "--command.argv={template}", "--verify.files.path=" + store.string()});
  // The alert as the exporter's metrics make it: the old certificate expires in 9 days.
  ASSERT_EQ(hook.post_alerts(webhook_body({ra_labels(old_cert.thumbprint)})).status, 202);
  ASSERT_TRUE(hook.wait_for([](const json& r) {
    return r.size() == 1 && (r[0]["status"] == "succeeded" || r[0]["status"] == "failed");
  })) << hook.renewals().dump(2);
  const json record = hook.renewals()[0];
  ASSERT_EQ(record["status"], "succeeded") << record.dump(2);
  EXPECT_EQ(record["executor"], "command");
  EXPECT_EQ(record["steps"][0]["argv"][4], old_cert.thumbprint);
  EXPECT_EQ(record["steps"][0]["argv"][5], "CEPEncryption");
  EXPECT_THAT(record["steps"][0]["stdout"].get<std::string>(),
              HasSubstr("renewed " + file.string()));

  const Certificate new_cert = read_cert(file);
  EXPECT_NE(new_cert.thumbprint, old_cert.thumbprint);
  EXPECT_EQ(new_cert.template_name, "CEPEncryption");
  EXPECT_EQ(new_cert.subject_cn, "NDES01-MSCEP-RA");
  EXPECT_GT(new_cert.not_after, old_cert.not_after);
  EXPECT_NEAR(static_cast<double>(new_cert.not_after), static_cast<double>(now + 730 * kDay),
              600.0);
  EXPECT_EQ(not_after(exporter, file), static_cast<double>(new_cert.not_after));

  // The alert again (Alertmanager's repeat) starts nothing: the thumbprint is renewed.
  ASSERT_EQ(hook.post_alerts(webhook_body({ra_labels(old_cert.thumbprint)})).status, 202);
  EXPECT_EQ(hook.renewals().size(), 1U);
  const auto metrics = parse_exposition(http_get(hook.url("/metrics")).body);
  EXPECT_EQ(value_of(metrics, "ndes_renewals_total",
                     {{"template", "CEPEncryption"}, {"result", "succeeded"}}),
            1);
  EXPECT_GE(value_of(metrics, "ndes_renewal_last_success_timestamp_seconds",
                     {{"template", "CEPEncryption"}})
                .value_or(0),
            static_cast<double>(now));
}

}  // namespace
}  // namespace ndes::test
