// scep_url_from_iis under wine: the applicationHost.config it reads is the one in the
// system directory (written here, removed afterwards), and the host name is the
// computer's DNS name. The decisions themselves are unit-tested on Linux
// (tests/unit/renew_iis_scep_url_test.cpp).
// clang-format off
#include <windows.h>
// clang-format on

#include "renew/windows/scep_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/text.h"
#include "base/win/utf16.h"
#include "support/iis_application_host.h"

namespace ndes::renew::windows {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path application_host_config() {
  std::array<wchar_t, MAX_PATH> dir{};
  const UINT n = GetSystemDirectoryW(dir.data(), static_cast<UINT>(dir.size()));
  return fs::path(std::wstring(dir.data(), n)) / L"inetsrv" / L"config" / L"applicationHost.config";
}

std::string config_with_binding(const std::string& binding_information) {
  return test::application_host(test::default_web_site(
      R"(<binding protocol="https" bindingInformation=")" + binding_information + R"(" />)"));
}

// Writes the system's applicationHost.config for one test; the prefix has none
// before, and has none after.
class ScepUrlFromIis : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(fs::exists(path_)) << path_ << " exists: not a test prefix?";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  void write(const std::string& text) {
    fs::create_directories(path_.parent_path());
    std::ofstream(path_, std::ios::binary) << text;
  }
  const fs::path path_ = application_host_config();
};

TEST_F(ScepUrlFromIis, HostHeaderBinding) {
  write(config_with_binding("*:443:ndes.contoso.test"));
  std::string error;
  const auto url = scep_url_from_iis(&error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(*url, "https://ndes.contoso.test/certsrv/mscep/mscep.dll");
}

TEST_F(ScepUrlFromIis, WithoutHostHeaderTheComputersDnsName) {
  write(config_with_binding("*:8443:"));
  std::array<wchar_t, 256> name{};
  DWORD size = static_cast<DWORD>(name.size());
  ASSERT_TRUE(GetComputerNameExW(ComputerNameDnsFullyQualified, name.data(), &size));
  ASSERT_GT(size, 0U);
  std::string error;
  const auto url = scep_url_from_iis(&error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(*url, "https://" + lower(win::narrow(std::wstring(name.data(), size))) +
                      ":8443/certsrv/mscep/mscep.dll");
}

TEST_F(ScepUrlFromIis, NoIisConfigSaysWhereItLooked) {
  std::string error;
  EXPECT_FALSE(scep_url_from_iis(&error));
  EXPECT_THAT(error, HasSubstr("inetsrv\\config\\applicationHost.config"));
  EXPECT_THAT(error, HasSubstr("is IIS installed?"));
}

TEST_F(ScepUrlFromIis, NoNdesSiteSaysSo) {
  write(R"(<configuration><system.applicationHost><sites>
             <site name="Default Web Site" id="1"><application path="/" /></site>
           </sites></system.applicationHost></configuration>)");
  std::string error;
  EXPECT_FALSE(scep_url_from_iis(&error));
  EXPECT_THAT(error, HasSubstr("no IIS site has the /CertSrv/mscep application"));
}

}  // namespace
}  // namespace ndes::renew::windows
