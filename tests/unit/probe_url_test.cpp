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
  for (const char* url :
       {"ftp://host/x", "file:///etc/passwd", "host/no/scheme", "http://host:99999/",
        "http://host:abc/", "http:///path", "http://[::1/", "http://a b/"}) {
    EXPECT_FALSE(parse_http_url(url)) << url;
  }
}

TEST(ProbeUrl, HostPortTargets) {
  struct Case {
    const char* target;
    const char* host;
    int port;
  };
  // The default port (443) where the target names none.
  for (const Case& c : {Case{"ndes01.corp.example:443", "ndes01.corp.example", 443},
                        Case{"127.0.0.1:8443", "127.0.0.1", 8443}, Case{"[::1]:8443", "::1", 8443},
                        Case{"::1", "::1", 443}, Case{"ndes01", "ndes01", 443},
                        Case{"https://ndes01:4443/certsrv", "ndes01", 4443}}) {
    const auto hp = parse_host_port(c.target, 443);
    ASSERT_TRUE(hp) << c.target;
    EXPECT_EQ(hp->host, c.host) << c.target;
    EXPECT_EQ(hp->port, c.port) << c.target;
  }
  for (const char* target : {"", "host:0", "host:", "ho st:443"}) {
    EXPECT_FALSE(parse_host_port(target, 443)) << target;
  }
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
