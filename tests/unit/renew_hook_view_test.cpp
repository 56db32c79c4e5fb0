// exporter/renew_hook_view + the landing page's "Renewals" section: the hook URL, the last
// renewal per template from a GET /renewals answer, and the HTML. (The --renew-hook.* flags:
// config_test.cpp.)
#include "exporter/renew_hook_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "exporter/landing_page.h"

namespace ndes {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(HookUrlTest, ParsesHostPortAndPrefix) {
  struct Case {
    const char* text;
    const char* host;
    int port;
    const char* prefix;
    const char* base;
  };
  for (const Case& c :
       {Case{"http://127.0.0.1:10228", "127.0.0.1", 10228, "", "http://127.0.0.1:10228"},
        Case{"http://[::1]:8080/hook/", "::1", 8080, "/hook", "http://[::1]:8080/hook"}}) {
    SCOPED_TRACE(c.text);
    std::string error;
    const auto url = parse_hook_url(c.text, &error);
    ASSERT_TRUE(url) << error;
    EXPECT_EQ(url->host, c.host);
    EXPECT_EQ(url->port, c.port);
    EXPECT_EQ(url->prefix, c.prefix);
    EXPECT_EQ(url->base, c.base);
  }

  std::string error;
  const auto url = parse_hook_url("http://ndes01.corp.example", &error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->port, 80);
}

TEST(HookUrlTest, RejectsWhatItCannotFetch) {
  const auto reason = [](const char* text) {
    std::string error;
    EXPECT_FALSE(parse_hook_url(text, &error)) << text;
    return error;
  };
  EXPECT_THAT(reason("https://127.0.0.1:10228"), HasSubstr("http://"));
  EXPECT_THAT(reason("127.0.0.1:10228"), HasSubstr("http://"));
  EXPECT_THAT(reason("http://:10228"), HasSubstr("no host"));
  EXPECT_THAT(reason("http://h:0"), HasSubstr("port"));
  EXPECT_THAT(reason("http://h:99999"), HasSubstr("port"));
  EXPECT_THAT(reason("http://h:12x"), HasSubstr("port"));
  EXPECT_THAT(reason("http://h:10228/?a=b"), HasSubstr("query"));
  EXPECT_THAT(reason("http://user:pw@h:10228"), HasSubstr("credentials"));
  EXPECT_THAT(reason("http://[::1"), HasSubstr("unclosed"));
}

constexpr const char* kAnswer = R"({"mode": "execute", "renewals": [
  {"id": "r1", "template": "CEPEncryption", "status": "failed", "reason": "exited with status 3",
   "thumbprint": "AAAA", "created": "2026-11-25T10:00:00Z", "started": "2026-11-25T10:00:01Z",
   "finished": "2026-11-25T10:00:02Z"},
  {"id": "r2", "template": "", "status": "skipped", "reason": "role \"ssl\" is not ...",
   "thumbprint": "CCCC", "created": "2026-11-25T11:00:00Z"},
  {"id": "r3", "template": "EnrollmentAgentOffline", "status": "running", "reason": "",
   "thumbprint": "BBBB", "created": "2026-11-25T11:30:00Z", "started": "2026-11-25T11:30:01Z",
   "finished": ""},
  {"id": "r4", "template": "CEPEncryption", "status": "succeeded", "reason": "renewed <ok>",
   "thumbprint": "AAAA", "created": "2026-11-25T12:00:00Z", "started": "2026-11-25T12:00:01Z",
   "finished": "2026-11-25T12:00:09Z"},
  {"id": "r5", "template": "CEPEncryption", "status": "skipped", "reason": "already renewed",
   "thumbprint": "AAAA", "created": "2026-11-25T12:01:00Z"}
]})";

TEST(SummarizeRenewalsTest, KeepsTheLastRenewalOfEachTemplate) {
  std::string error = "unset";
  const RenewHookView view = summarize_renewals(kAnswer, &error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(view.mode, "execute");
  ASSERT_EQ(view.last.size(), 2U);
  EXPECT_EQ(view.last[0].template_name, "CEPEncryption");
  EXPECT_EQ(view.last[0].id, "r4");  // not r5: a skipped alert is not a renewal
  EXPECT_EQ(view.last[0].status, "succeeded");
  EXPECT_EQ(view.last[0].when, "2026-11-25T12:00:09Z");
  EXPECT_EQ(view.last[1].template_name, "EnrollmentAgentOffline");
  EXPECT_EQ(view.last[1].when, "2026-11-25T11:30:01Z");  // running: when it started
}

TEST(SummarizeRenewalsTest, SaysWhatIsWrongWithABadAnswer) {
  std::string error;
  summarize_renewals("<html>", &error);
  EXPECT_EQ(error, "the answer is not JSON");
  summarize_renewals(R"({"status": "error"})", &error);
  EXPECT_EQ(error, "the answer has no \"renewals\" list");
  const RenewHookView empty = summarize_renewals(R"({"mode": "dry-run", "renewals": []})", &error);
  EXPECT_EQ(error, "");
  EXPECT_TRUE(empty.last.empty());
}

LandingPageData page() {
  LandingPageData d;
  d.version = "1.2.3";
  d.revision = "abc";
  d.now = 1'795'000'000;
  return d;
}

TEST(LandingPageRenewalsTest, NoSectionWithoutAHook) {
  EXPECT_THAT(render_landing_page(page()), Not(HasSubstr("ndes_renew_hook")));
}

TEST(LandingPageRenewalsTest, LinksToTheHookAndListsTheLastRenewals) {
  std::string error;
  LandingPageData d = page();
  d.renew_hook = summarize_renewals(kAnswer, &error);
  d.renew_hook->renewals_url = "http://127.0.0.1:10228/renewals";
  const std::string html = render_landing_page(d);
  EXPECT_THAT(html, HasSubstr("<a id=\"renewals-link\" href=\"http://127.0.0.1:10228/renewals\">"));
  EXPECT_THAT(html, HasSubstr("mode execute"));
  EXPECT_THAT(html, HasSubstr("<tr><td>CEPEncryption</td><td>r4</td><td>succeeded</td>"
                              "<td>2026-11-25T12:00:09Z</td><td class=\"mono\">AAAA</td>"
                              "<td>renewed &lt;ok&gt;</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<td>EnrollmentAgentOffline</td><td>r3</td><td>running</td>"));
  EXPECT_THAT(html, Not(HasSubstr("r5")));
}

TEST(LandingPageRenewalsTest, AFailedRenewalIsMarked) {
  std::string error;
  LandingPageData d = page();
  d.renew_hook = summarize_renewals(
      R"({"renewals": [{"id": "r1", "template": "CEPEncryption", "status": "interrupted"}]})",
      &error);
  EXPECT_THAT(render_landing_page(d), HasSubstr("<tr class=\"failed\"><td>CEPEncryption</td>"));
}

TEST(LandingPageRenewalsTest, ADeadHookIsAMessageNotABrokenPage) {
  LandingPageData d = page();
  d.renew_hook = RenewHookView{};
  d.renew_hook->renewals_url = "http://127.0.0.1:1/renewals";
  d.renew_hook->error = "the hook at http://127.0.0.1:1 does not answer: <refused>";
  const std::string html = render_landing_page(d);
  EXPECT_THAT(html, HasSubstr("<p class=\"error\" id=\"renew-hook-error\">Cannot show the last "
                              "renewals: the hook at http://127.0.0.1:1 does not answer: "
                              "&lt;refused&gt;</p>"));
  EXPECT_THAT(html, HasSubstr("href=\"http://127.0.0.1:1/renewals\""));
  EXPECT_THAT(html, HasSubstr("</html>"));
}

TEST(LandingPageRenewalsTest, NoRenewalYet) {
  LandingPageData d = page();
  d.renew_hook = RenewHookView{};
  d.renew_hook->renewals_url = "http://h:1/renewals";
  EXPECT_THAT(render_landing_page(d), HasSubstr("No renewal yet."));
}

}  // namespace
}  // namespace ndes
