// The exporter's landing page with --renew-hook.url: it links to the real hook's
// /renewals and shows the last renewal per template, read from the hook with its token;
// a hook that is gone, or a wrong token, is a message on a page that still works.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "renew_support.h"
#include "support/pki.h"
#include "support/run.h"

namespace ndes::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

HttpResponse landing_page(const ExporterProcess& exporter) { return http_get(exporter.url("/")); }

TEST(RenewLandingTest, ShowsTheHooksLastRenewalPerTemplate) {
  TempDir tmp;
  TestPki pki(tmp / "pki");
  const std::int64_t now = now_seconds();
  const auto cep = pki.issue("cep", "cep", now - 700 * kDay, now + 9 * kDay, "/CN=NDES01-MSCEP-RA");
  std::filesystem::create_directories(tmp / "store");
  std::filesystem::copy_file(cep, tmp / "store" / "cep.pem");

  auto hook = std::make_unique<HookProcess>(
      tmp / "state", std::vector<std::string>{"--instance=ndes01", "--mode=execute",
                                              "--executor=command", "--command.argv=/bin/true"});
  const std::string token_file = (tmp / "hook.token").string();  // HookProcess wrote it
  ExporterProcess exporter(
      tmp / "store", tmp / "exporter.log",
      {"--renew-hook.url=" + hook->url(""), "--renew-hook.auth-token-file=" + token_file});

  HttpResponse r = landing_page(exporter);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("href=\"" + hook->url("/renewals") + "\""));
  EXPECT_THAT(r.body, HasSubstr("No renewal yet."));
  EXPECT_THAT(r.body, HasSubstr("mode execute"));

  ASSERT_EQ(hook->post_alerts(webhook_body({ra_labels()})).status, 202);
  ASSERT_TRUE(hook->wait_for([](const json& rs) {
    return rs.size() == 1 && rs[0]["status"] == "succeeded";
  })) << hook->renewals().dump(2);
  const json record = hook->renewals()[0];
  r = landing_page(exporter);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("<tr><td>CEPEncryption</td><td>r1</td><td>succeeded</td><td>" +
                                record["finished"].get<std::string>() + "</td>"));
  EXPECT_THAT(r.body, HasSubstr(renew_thumbprint()));
  EXPECT_THAT(r.body, HasSubstr("NDES01-MSCEP-RA"));  // the certificates are still there

  // The hook is gone: the page says so, quickly, and shows everything else.
  hook->kill9();
  const auto start = std::chrono::steady_clock::now();
  r = landing_page(exporter);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body,
              HasSubstr("id=\"renew-hook-error\">Cannot show the last renewals: the hook at " +
                        hook->url("") + " does not answer"));
  EXPECT_THAT(r.body, HasSubstr("NDES01-MSCEP-RA"));
  EXPECT_THAT(r.body, Not(HasSubstr("<table id=\"renewals\">")));
}

TEST(RenewLandingTest, AWrongTokenIsNamed) {
  TempDir tmp;
  HookProcess hook(tmp / "state", {"--instance=ndes01"});
  write_file(tmp / "wrong.token", "not-the-token\n");
  std::filesystem::create_directories(tmp / "store");
  ExporterProcess exporter(tmp / "store", tmp / "exporter.log",
                           {"--renew-hook.url=" + hook.url("/"),
                            "--renew-hook.auth-token-file=" + (tmp / "wrong.token").string()});
  const HttpResponse r = landing_page(exporter);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("answered HTTP 401 (set --renew-hook.auth-token-file to the "
                                "hook&#39;s token)"));
}

}  // namespace
}  // namespace ndes::test
