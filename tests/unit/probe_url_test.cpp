// Target handling: URLs, host:port, the SCEP request URL, the server_name rewrite.
#include <gtest/gtest.h>

#include "probe/http_fetch.h"
#include "probe/url.h"
#include "scep/scep_parse.h"
#include "tls/tls_prober.h"

namespace ndes::probe {
namespace {

TEST(ProbeUrl, ParsesHttpUrls) {
  const auto u = parse_http_url("https://ndes01.corp.example/certsrv/mscep/mscep.dll");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "ndes01.corp.example");
  EXPECT_EQ(u->port, 443);
  EXPECT_FALSE(u->explicit_port);
  EXPECT_EQ(u->path, "/certsrv/mscep/mscep.dll");
  EXPECT_FALSE(u->has_query);

  const auto v = parse_http_url("HTTP://user:pw@[::1]:8080/scep?x=1#frag");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->scheme, "http");
  EXPECT_EQ(v->userinfo, "user:pw");
  EXPECT_EQ(v->host, "::1");
  EXPECT_TRUE(v->ipv6);
  EXPECT_EQ(v->port, 8080);
  EXPECT_EQ(v->path, "/scep");
  EXPECT_EQ(v->query, "x=1");
  EXPECT_EQ(v->origin(), "http://user:pw@[::1]:8080");
}

TEST(ProbeUrl, RejectsWhatIsNotHttp) {
  EXPECT_FALSE(parse_http_url("ftp://host/x"));
  EXPECT_FALSE(parse_http_url("file:///etc/passwd"));
  EXPECT_FALSE(parse_http_url("host/no/scheme"));
  EXPECT_FALSE(parse_http_url("http://host:99999/"));
  EXPECT_FALSE(parse_http_url("http://host:abc/"));
  EXPECT_FALSE(parse_http_url("http:///path"));
  EXPECT_FALSE(parse_http_url("http://[::1/"));
  EXPECT_FALSE(parse_http_url("http://a b/"));
}

TEST(ProbeUrl, HostPortTargets) {
  auto hp = parse_host_port("ndes01.corp.example:443", 443);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "ndes01.corp.example");
  EXPECT_EQ(hp->port, 443);
  hp = parse_host_port("127.0.0.1:8443", 443);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->port, 8443);
  hp = parse_host_port("[::1]:8443", 443);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "::1");
  hp = parse_host_port("::1", 443);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 443);
  hp = parse_host_port("ndes01", 443);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->port, 443);
  hp = parse_host_port("https://ndes01:4443/certsrv", 443);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "ndes01");
  EXPECT_EQ(hp->port, 4443);
  EXPECT_FALSE(parse_host_port("", 443));
  EXPECT_FALSE(parse_host_port("host:0", 443));
  EXPECT_FALSE(parse_host_port("host:", 443));
  EXPECT_FALSE(parse_host_port("ho st:443", 443));
}

TEST(ProbeUrl, IpLiterals) {
  EXPECT_TRUE(is_ip_literal("127.0.0.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_FALSE(is_ip_literal("localhost"));
  EXPECT_FALSE(is_ip_literal("ndes01.corp.example"));
}

TEST(ProbeUrl, ScepRequestUrlAppendsPkiclientToDllPaths) {
  std::string error;
  EXPECT_EQ(
      scep::request_url("https://ndes01.corp.example/certsrv/mscep/mscep.dll", "GetCACaps", &error),
      "https://ndes01.corp.example/certsrv/mscep/mscep.dll/pkiclient.exe"
      "?operation=GetCACaps&message=probe");
  EXPECT_EQ(
      scep::request_url("https://ndes01/certsrv/mscep/MSCEP.DLL", "GetCACert", &error),
      "https://ndes01/certsrv/mscep/MSCEP.DLL/pkiclient.exe?operation=GetCACert&message=probe");
}

TEST(ProbeUrl, ScepRequestUrlKeepsOtherPaths) {
  std::string error;
  EXPECT_EQ(
      scep::request_url("https://ndes01/certsrv/mscep/mscep.dll/pkiclient.exe", "GetCACaps",
                        &error),
      "https://ndes01/certsrv/mscep/mscep.dll/pkiclient.exe?operation=GetCACaps&message=probe");
  EXPECT_EQ(scep::request_url("http://127.0.0.1:8080/scep", "GetCACert", &error),
            "http://127.0.0.1:8080/scep?operation=GetCACert&message=probe");
  EXPECT_EQ(scep::request_url("http://127.0.0.1:8080", "GetCACert", &error),
            "http://127.0.0.1:8080/?operation=GetCACert&message=probe");
  EXPECT_EQ(scep::request_url("http://h/scep?tenant=a", "GetCACaps", &error),
            "http://h/scep?tenant=a&operation=GetCACaps&message=probe");
  // No scheme: https, as NDES is served.
  EXPECT_EQ(scep::request_url("ndes01/certsrv/mscep/mscep.dll", "GetCACaps", &error),
            "https://ndes01/certsrv/mscep/mscep.dll/pkiclient.exe"
            "?operation=GetCACaps&message=probe");
}

TEST(ProbeUrl, ScepRequestUrlRejectsOtherSchemes) {
  std::string error;
  EXPECT_FALSE(scep::request_url("ftp://ndes01/x", "GetCACaps", &error));
  EXPECT_NE(error, "");
}

TEST(ProbeUrl, ServerNameRewriteKeepsTheConnection) {
  const auto rw = rewrite_for_server_name("https://127.0.0.1:8443/certsrv/mscep/mscep.dll?a=b",
                                          "ndes01.corp.example");
  ASSERT_TRUE(rw);
  EXPECT_EQ(rw->url, "https://ndes01.corp.example:8443/certsrv/mscep/mscep.dll?a=b");
  EXPECT_EQ(rw->connect_to, "ndes01.corp.example:8443:127.0.0.1:8443");
  const auto v6 = rewrite_for_server_name("https://[::1]/x", "n");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->url, "https://n/x");
  EXPECT_EQ(v6->connect_to, "n:443:[::1]:443");
  EXPECT_FALSE(rewrite_for_server_name("not a url", "n"));
}

TEST(ProbeUrl, TlsVersionLabelsLikeBlackbox) {
  EXPECT_EQ(tls_version_label("TLSv1.3"), "TLS 1.3");
  EXPECT_EQ(tls_version_label("TLSv1.2"), "TLS 1.2");
  EXPECT_EQ(tls_version_label("TLSv1"), "TLS 1.0");
  EXPECT_EQ(tls_version_label("unknown"), "unknown");
}

}  // namespace
}  // namespace ndes::probe
