// The SCEP URL NDES serves, read from applicationHost.config as IIS writes it on an
// NDES server (Default Web Site with the CertSrv/mscep and CertSrv/mscep_admin
// applications in the SCEP pool), and the cases around it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "renew/iis_scep_url.h"
#include "support/iis_application_host.h"

namespace ndes::renew {
namespace {

using test::application_host;
using test::default_web_site;
using ::testing::HasSubstr;

constexpr const char* kHost = "ndes01.contoso.com";

std::string url_of(const std::string& config, std::string_view host = kHost) {
  std::string error;
  const auto url = iis_scep_url(config, host, &error);
  EXPECT_TRUE(url) << error;
  EXPECT_TRUE(!url || error.empty()) << error;
  return url.value_or("");
}

std::string error_of(const std::string& config, std::string_view host = kHost) {
  std::string error;
  const auto url = iis_scep_url(config, host, &error);
  EXPECT_FALSE(url) << *url;
  return error;
}

TEST(IisScepUrl, NdesServerWithHttpAndHttpsPrefersHttps) {
  const std::string config = application_host(default_web_site(
      R"(<binding protocol="http" bindingInformation="*:80:" />
         <binding protocol="https" bindingInformation="*:443:" sslFlags="0" />)"));
  EXPECT_EQ(url_of(config), "https://ndes01.contoso.com/certsrv/mscep/mscep.dll");
}

TEST(IisScepUrl, HttpsOnlyOnAnotherPortKeepsThePort) {
  const std::string config = application_host(
      default_web_site(R"(<binding protocol="https" bindingInformation="*:8443:" />)"));
  EXPECT_EQ(url_of(config), "https://ndes01.contoso.com:8443/certsrv/mscep/mscep.dll");
}

TEST(IisScepUrl, HttpOnly) {
  const std::string config = application_host(
      default_web_site(R"(<binding protocol="http" bindingInformation="*:80:" />)"));
  EXPECT_EQ(url_of(config), "http://ndes01.contoso.com/certsrv/mscep/mscep.dll");
}

TEST(IisScepUrl, HostHeaderIsTheHost) {
  const std::string config = application_host(default_web_site(
      R"(<binding protocol="http" bindingInformation="*:80:" />
         <binding protocol="https" bindingInformation="10.0.0.5:443:NDES.contoso.com" sslFlags="1" />)"));
  EXPECT_EQ(url_of(config), "https://ndes.contoso.com/certsrv/mscep/mscep.dll");
}

TEST(IisScepUrl, TheSiteThatHoldsMscepNotTheFirstSite) {
  const std::string config = application_host(R"(
            <site name="Default Web Site" id="1">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="%SystemDrive%\inetpub\wwwroot" />
                </application>
                <bindings><binding protocol="https" bindingInformation="*:443:" /></bindings>
            </site>
            <site name="NDES" id="2">
                <application path="/" applicationPool="SCEP">
                    <virtualDirectory path="/" physicalPath="C:\inetpub\ndes" />
                    <virtualDirectory path="/CertSrv/mscep/" physicalPath="C:\Windows\system32\CertSrv\mscep" />
                </application>
                <bindings><binding protocol="https" bindingInformation="*:4443:scep.contoso.com" /></bindings>
            </site>)");
  EXPECT_EQ(url_of(config), "https://scep.contoso.com:4443/certsrv/mscep/mscep.dll");
}

TEST(IisScepUrl, VirtualDirectoryUnderACertSrvApplication) {
  const std::string config = application_host(R"(
            <site name="Default Web Site" id="1">
                <application path="/CertSrv">
                    <virtualDirectory path="/" physicalPath="C:\Windows\system32\CertSrv\en-US" />
                    <virtualDirectory path="/mscep" physicalPath="C:\Windows\system32\CertSrv\mscep" />
                </application>
                <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
            </site>)");
  EXPECT_EQ(url_of(config), "http://ndes01.contoso.com/certsrv/mscep/mscep.dll");
}

TEST(IisScepUrl, NoMscepApplicationSaysSo) {
  // Web enrollment (/CertSrv) and the admin page alone do not serve SCEP.
  const std::string config = application_host(R"(
            <site name="Default Web Site" id="1">
                <application path="/CertSrv">
                    <virtualDirectory path="/" physicalPath="C:\Windows\system32\CertSrv\en-US" />
                </application>
                <application path="/CertSrv/mscep_admin" applicationPool="SCEP">
                    <virtualDirectory path="/" physicalPath="C:\Windows\system32\CertSrv\mscep" />
                </application>
                <bindings><binding protocol="https" bindingInformation="*:443:" /></bindings>
            </site>)");
  EXPECT_THAT(error_of(config), HasSubstr("no IIS site has the /CertSrv/mscep application"));
}

TEST(IisScepUrl, MscepSiteWithoutHttpBindingSaysWhichSite) {
  const std::string config = application_host(default_web_site(
      R"(<binding protocol="net.tcp" bindingInformation="808:*" />
         <binding protocol="https" bindingInformation="*:https:" />)"));
  const std::string error = error_of(config);
  EXPECT_THAT(error, HasSubstr("\"Default Web Site\""));
  EXPECT_THAT(error, HasSubstr("no http or https binding"));
  EXPECT_THAT(error, HasSubstr("\"*:https:\" is not ip:port:hostheader"));
}

TEST(IisScepUrl, NoHostNameAndNoHostHeader) {
  const std::string config = application_host(
      default_web_site(R"(<binding protocol="https" bindingInformation="*:443:" />)"));
  EXPECT_THAT(error_of(config, ""), HasSubstr("this host's name is unknown"));
  // A host header needs no host name.
  const std::string with_header = application_host(default_web_site(
      R"(<binding protocol="https" bindingInformation="*:443:ndes.contoso.com" />)"));
  EXPECT_EQ(url_of(with_header, ""), "https://ndes.contoso.com/certsrv/mscep/mscep.dll");
}

TEST(IisScepUrl, MalformedConfigIsAnError) {
  std::string config = application_host(
      default_web_site(R"(<binding protocol="https" bindingInformation="*:443:" />)"));
  config.resize(config.size() / 2);  // cut in the middle, as a half-written file would be
  EXPECT_THAT(error_of(config), HasSubstr("applicationHost.config is not well-formed XML"));
  EXPECT_THAT(error_of(""), HasSubstr("not well-formed"));
  EXPECT_THAT(error_of("<configuration><system.webServer/></configuration>"),
              HasSubstr("has no <configuration><system.applicationHost><sites>"));
  EXPECT_THAT(error_of("<html><body>not IIS</body></html>"), HasSubstr("has no <configuration>"));
}

TEST(IisScepUrl, BindingInformation) {
  const auto any = parse_binding_information("*:443:");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->ip, "*");
  EXPECT_EQ(any->port, 443);
  EXPECT_EQ(any->host_header, "");

  const auto named = parse_binding_information("10.0.0.5:80:ndes.contoso.com");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->ip, "10.0.0.5");
  EXPECT_EQ(named->port, 80);
  EXPECT_EQ(named->host_header, "ndes.contoso.com");

  const auto v6 = parse_binding_information("[fe80::1]:443:");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->ip, "[fe80::1]");
  EXPECT_EQ(v6->port, 443);

  for (const char* bad : {"", "443", "*:443", ":443:", "*::", "*:https:", "*:0:", "*:65536:",
                          "*:123456:", "*:443:bad host", "*:443:evil.com/path"}) {
    EXPECT_FALSE(parse_binding_information(bad)) << bad;
  }
}

}  // namespace
}  // namespace ndes::renew
