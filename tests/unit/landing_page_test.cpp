// exporter/landing_page: the HTML at "/", and the HTTP server that serves it.
#include "exporter/landing_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "web/http_server.h"
#include "support/http.h"

namespace ndes {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kNow = 1'795'000'000;  // 2026-11-18T11:06:40Z
constexpr std::int64_t kDay = 86'400;

CertificateRecord cert(const std::string& cn, std::int64_t not_after, Role role,
                       const std::string& path) {
  CertificateRecord r;
  r.origin = Origin{"files", "/etc/ndes", path};
  r.cert.subject = "CN=" + cn + ",O=Corp";
  r.cert.subject_cn = cn;
  r.cert.issuer = "CN=CORP-ISSUING-CA";
  r.cert.issuer_cn = "CORP-ISSUING-CA";
  r.cert.not_before = not_after - 365 * kDay;
  r.cert.not_after = not_after;
  r.cert.thumbprint = "AB" + std::to_string(not_after);
  r.role = role;
  return r;
}

LandingPageData page_with(std::vector<CertificateRecord> certs,
                          std::vector<ReadErrorRecord> errors = {}) {
  LandingPageData d;
  d.version = "1.2.3";
  d.revision = "abcdef123456";
  d.collectors = {"files"};
  d.telemetry_path = "/metrics";
  d.now = kNow;
  CollectorResult r;
  r.collector = "files";
  r.duration_seconds = 0.25;
  r.certificates = CertificateList(std::move(certs));
  r.errors = std::move(errors);
  d.results.push_back(std::move(r));
  return d;
}

// The <tr ...> element containing `needle`.
std::string row_of(const std::string& html, const std::string& needle) {
  const auto at = html.find(needle);
  if (at == std::string::npos) {
    return "";
  }
  const auto start = html.rfind("<tr", at);
  const auto end = html.find("</tr>", at);
  return html.substr(start, end - start);
}

TEST(LandingPageTest, ShowsVersionCollectorsAndLinks) {
  LandingPageData d = page_with({});
  d.telemetry_path = "/custom-metrics";
  d.extra_links.push_back({"/probe?target=x", "/probe", "Probe a target"});
  const std::string html = render_landing_page(d);
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<title>NDES Exporter</title>"));
  EXPECT_THAT(html, HasSubstr("1.2.3"));
  EXPECT_THAT(html, HasSubstr("abcdef123456"));
  EXPECT_THAT(html, HasSubstr("<a href=\"/custom-metrics\">"));
  EXPECT_THAT(html, HasSubstr("<a href=\"/healthz\">"));
  EXPECT_THAT(html, HasSubstr("<a href=\"/probe?target=x\">/probe</a>"));
  EXPECT_THAT(row_of(html, "<td>files</td>"), HasSubstr("<td>ok</td>"));
  EXPECT_THAT(html, HasSubstr("No certificates found."));
  EXPECT_THAT(html, HasSubstr("No read errors."));
  // No external assets.
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
}

TEST(LandingPageTest, SortsByDaysLeftWithExpiredFirst) {
  const std::string html = render_landing_page(page_with({
      cert("LONG-LIVED", kNow + 400 * kDay, Role::ca, "/etc/ndes/ca.cer"),
      cert("SOON", kNow + 9 * kDay + 100, Role::cep_encryption, "/etc/ndes/cep.cer"),
      cert("EXPIRED", kNow - 2 * kDay, Role::enrollment_agent, "/etc/ndes/old.cer"),
      cert("MONTH", kNow + 45 * kDay, Role::ssl, "/etc/ndes/ssl.crt"),
  }));
  const auto expired = html.find("CN=EXPIRED");
  const auto soon = html.find("CN=SOON");
  const auto month = html.find("CN=MONTH");
  const auto long_lived = html.find("CN=LONG-LIVED");
  ASSERT_NE(expired, std::string::npos);
  ASSERT_NE(long_lived, std::string::npos);
  EXPECT_LT(expired, soon);
  EXPECT_LT(soon, month);
  EXPECT_LT(month, long_lived);

  EXPECT_THAT(row_of(html, "CN=EXPIRED"), HasSubstr("<td class=\"num\">-2</td>"));
  EXPECT_THAT(row_of(html, "CN=SOON"), HasSubstr("<td class=\"num\">9</td>"));
  EXPECT_THAT(row_of(html, "CN=LONG-LIVED"), HasSubstr("<td class=\"num\">400</td>"));
  // NotAfter as an ISO date, the role and where it came from.
  EXPECT_THAT(row_of(html, "CN=MONTH"), HasSubstr("<td>" + iso_time(kNow + 45 * kDay) + "</td>"));
  EXPECT_THAT(row_of(html, "CN=SOON"),
              HasSubstr("<td>" + std::string(to_string(Role::cep_encryption)) + "</td>"));
  EXPECT_THAT(row_of(html, "CN=SOON"), HasSubstr("<td>/etc/ndes/cep.cer</td>"));
  EXPECT_THAT(row_of(html, "CN=SOON"), HasSubstr("<td>/etc/ndes</td>"));
}

TEST(LandingPageTest, MarksSoonAndExpiredRows) {
  const std::string html = render_landing_page(page_with({
      cert("EXPIRED", kNow - 1, Role::other, "/a"),
      cert("JUST-NOW", kNow, Role::other, "/b"),
      cert("SOON", kNow + 29 * kDay, Role::other, "/c"),
      cert("FINE", kNow + 30 * kDay, Role::other, "/d"),
  }));
  EXPECT_THAT(row_of(html, "CN=EXPIRED"), HasSubstr("<tr class=\"expired\">"));
  EXPECT_THAT(row_of(html, "CN=JUST-NOW"), HasSubstr("<tr class=\"expired\">"));
  EXPECT_THAT(row_of(html, "CN=SOON"), HasSubstr("<tr class=\"soon\">"));
  EXPECT_THAT(row_of(html, "CN=FINE"), Not(HasSubstr("class=\"soon\"")));
  EXPECT_THAT(row_of(html, "CN=FINE"), Not(HasSubstr("class=\"expired\"")));
  EXPECT_THAT(row_of(html, "CN=EXPIRED"), HasSubstr("<td class=\"num\">-1</td>"));
  EXPECT_THAT(row_of(html, "CN=JUST-NOW"), HasSubstr("<td class=\"num\">0</td>"));
}

TEST(LandingPageTest, DaysLeftAndRowClassBoundaries) {
  EXPECT_EQ(days_left(kNow + kDay, kNow), 1);
  EXPECT_EQ(days_left(kNow + kDay - 1, kNow), 0);
  EXPECT_EQ(days_left(kNow, kNow), 0);
  EXPECT_EQ(days_left(kNow - 1, kNow), -1);
  EXPECT_EQ(days_left(kNow - kDay, kNow), -1);
  EXPECT_EQ(days_left(kNow - kDay - 1, kNow), -2);
  EXPECT_EQ(row_class(kNow, kNow), "expired");
  EXPECT_EQ(row_class(kNow + 1, kNow), "soon");
  EXPECT_EQ(row_class(kNow + 30 * kDay - 1, kNow), "soon");
  EXPECT_EQ(row_class(kNow + 30 * kDay, kNow), "");
  EXPECT_EQ(iso_time(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso_time(1'795'000'000), "2026-11-18T11:06:40Z");
}

TEST(LandingPageTest, EscapesEverything) {
  CertificateRecord evil = cert("x", kNow + 100 * kDay, Role::other, "/etc/<b>&'x'.pem");
  evil.cert.subject = "CN=<script>alert(\"pwned\")</script>,O=A&B";
  evil.cert.issuer = "CN=\"quoted\" <issuer>";
  evil.cert.template_name = "<i>Template</i>";
  evil.origin.source = "/etc/<src>";
  ReadErrorRecord err;
  err.origin = Origin{"files", "/etc/ndes", "/etc/ndes/<bad>.pem"};
  err.reason = ReadError::bad_pem;
  err.detail = "unexpected <tag> & \"quote\"";
  LandingPageData d = page_with({evil}, {err});
  d.version = "<v>";
  const std::string html = render_landing_page(d);

  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, Not(HasSubstr("<i>")));
  EXPECT_THAT(html, Not(HasSubstr("<tag>")));
  EXPECT_THAT(html, Not(HasSubstr("<v>")));
  EXPECT_THAT(html,
              HasSubstr("CN=&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;,O=A&amp;B"));
  EXPECT_THAT(html, HasSubstr("CN=&quot;quoted&quot; &lt;issuer&gt;"));
  EXPECT_THAT(html, HasSubstr("/etc/&lt;b&gt;&amp;&#39;x&#39;.pem"));
  EXPECT_THAT(html, HasSubstr("&lt;i&gt;Template&lt;/i&gt;"));
  EXPECT_THAT(html, HasSubstr("unexpected &lt;tag&gt; &amp; &quot;quote&quot;"));
  EXPECT_EQ(html_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

TEST(LandingPageTest, ReadErrorsTable) {
  ReadErrorRecord e1;
  e1.origin = Origin{"files", "/etc/ndes", "/etc/ndes/ra-backup.pem"};
  e1.reason = ReadError::bad_pem;
  e1.detail = "bad base64 in the PEM body";
  ReadErrorRecord e2;
  e2.origin = Origin{"files", "/etc/ndes", "/etc/ndes/a.pfx"};
  e2.reason = ReadError::bad_passphrase;
  e2.detail = "wrong passphrase";
  const std::string html = render_landing_page(page_with({}, {e1, e2}));
  EXPECT_THAT(html, HasSubstr("<table id=\"errors\">"));
  EXPECT_THAT(html, Not(HasSubstr("No read errors.")));
  const std::string row1 = row_of(html, "/etc/ndes/ra-backup.pem");
  EXPECT_THAT(row1, HasSubstr("<td>" + std::string(to_string(ReadError::bad_pem)) + "</td>"));
  EXPECT_THAT(row1, HasSubstr("<td>bad base64 in the PEM body</td>"));
  const std::string row2 = row_of(html, "/etc/ndes/a.pfx");
  EXPECT_THAT(row2,
              HasSubstr("<td>" + std::string(to_string(ReadError::bad_passphrase)) + "</td>"));
  // Sorted by path.
  EXPECT_LT(html.find("/etc/ndes/a.pfx"), html.find("/etc/ndes/ra-backup.pem"));
}

TEST(LandingPageTest, FailedCollectorIsShown) {
  LandingPageData d = page_with({});
  d.results[0].success = false;
  d.collectors.push_back("certstore");
  const std::string html = render_landing_page(d);
  EXPECT_THAT(row_of(html, "<td>files</td>"), HasSubstr("<tr class=\"failed\">"));
  EXPECT_THAT(row_of(html, "<td>files</td>"), HasSubstr("<td>failed</td>"));
  EXPECT_THAT(row_of(html, "<td>certstore</td>"), HasSubstr("not run yet"));
}

// ---------------------------------------------------------------------------
// The HTTP server that carries the page

TEST(HttpServerTest, RoutesExactPathsAndAnswers404Otherwise) {
  HttpServer server(HttpServer::Options{"127.0.0.1:0"});
  server.route("/", [](const Request&) {
    Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = render_landing_page(page_with({cert("SERVED", kNow + kDay, Role::ssl, "/x")}));
    return r;
  });
  server.route("/healthz", [](const Request&) { return Response::text(200, "ok\n"); });
  server.route("/echo", [](const Request& req) {
    Response r = Response::text(
        200, req.query_param("target").value_or("<none>") + "|" + req.header("X-Test"));
    r.headers.emplace_back("X-Extra", "yes");
    return r;
  });
  server.route("/boom", [](const Request&) -> Response { throw std::runtime_error("kaput"); });
  ASSERT_NO_THROW(server.start());
  ASSERT_GT(server.port(), 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  auto res = test::http_get(base + "/");
  EXPECT_EQ(res.status, 200) << res.error;
  EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(res.body, HasSubstr("CN=SERVED"));

  res = test::http_get(base + "/healthz");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "ok\n");

  res = test::http_request("GET", base + "/echo?target=a%20b%26c&x=1", "", {{"X-Test", "hdr"}});
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "a b&c|hdr");

  res = test::http_get(base + "/nosuch");
  EXPECT_EQ(res.status, 404);
  res = test::http_get(base + "/healthz/more");
  EXPECT_EQ(res.status, 404);

  res = test::http_request("POST", base + "/healthz", "x");
  EXPECT_EQ(res.status, 405);

  res = test::http_get(base + "/boom");
  EXPECT_EQ(res.status, 500);

  server.stop();
  EXPECT_EQ(server.port(), 0);
}

TEST(HttpServerTest, BindFailureIsAnError) {
  HttpServer first(HttpServer::Options{"127.0.0.1:0"});
  first.start();
  ASSERT_GT(first.port(), 0);
  HttpServer second(HttpServer::Options{"127.0.0.1:" + std::to_string(first.port())});
  try {
    second.start();
    FAIL() << "a second server bound the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
  }
  EXPECT_FALSE(second.running());
}

TEST(HttpServerTest, QueryParam) {
  EXPECT_EQ(query_param("target=ndes01&module=scep", "module"), "scep");
  EXPECT_EQ(query_param("target=a%2Fb+c", "target"), "a/b c");
  EXPECT_EQ(query_param("a=1&a=2", "a"), "1");
  EXPECT_EQ(query_param("a=", "a"), "");
  EXPECT_FALSE(query_param("a=1", "b").has_value());
  EXPECT_FALSE(query_param("", "a").has_value());
}

}  // namespace
}  // namespace ndes
