// scep_url_from_iis: %windir%\System32\inetsrv\config\applicationHost.config and
// this computer's DNS name, handed to the pure iis_scep_url.
//
// The path is the system directory's: this is a 64-bit program, so it is not
// redirected to SysWOW64 (which has no inetsrv\config). The host name is the fully
// qualified DNS name ("GetComputerNameExW function", ComputerNameDnsFullyQualified,
// learn.microsoft.com/en-us/windows/win32/api/sysinfoapi/nf-sysinfoapi-getcomputernameexw),
// the name an https binding's certificate is usually issued to.
// clang-format off
#include <windows.h>
// clang-format on

#include "renew/windows/scep_url.h"

#include <array>
#include <filesystem>
#include <fstream>

#include "base/win/error_text.h"
#include "base/win/utf16.h"
#include "renew/iis_scep_url.h"

namespace ndes::renew::windows {
namespace {

// applicationHost.config is tens of KiB; a bound keeps a broken file from costing more.
constexpr std::size_t kMaxConfigBytes = std::size_t{16} * 1024 * 1024;

std::wstring application_host_path() {
  std::array<wchar_t, MAX_PATH> dir{};
  const UINT n = GetSystemDirectoryW(dir.data(), static_cast<UINT>(dir.size()));
  const std::wstring system = (n > 0 && n < dir.size()) ? std::wstring(dir.data(), n)
                                                        : std::wstring(L"C:\\Windows\\System32");
  return system + L"\\inetsrv\\config\\applicationHost.config";
}

std::string dns_host_name() {
  DWORD size = 0;
  GetComputerNameExW(ComputerNameDnsFullyQualified, nullptr, &size);
  std::wstring name(size, L'\0');
  if (size == 0 || !GetComputerNameExW(ComputerNameDnsFullyQualified, name.data(), &size)) {
    return "";  // iis_scep_url then needs a host header, and says so
  }
  name.resize(size);
  return win::narrow(name);
}

}  // namespace

std::optional<std::string> scep_url_from_iis(std::string* error) {
  const std::filesystem::path path(application_host_path());
  const auto fail = [&](const std::string& why) -> std::optional<std::string> {
    if (error != nullptr) {
      *error = win::narrow(path.native()) + ": " + why;
    }
    return std::nullopt;
  };
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return fail("cannot be read (is IIS installed?): " + ec.message());
  }
  if (size > kMaxConfigBytes) {
    return fail("larger than " + std::to_string(kMaxConfigBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::string text(static_cast<std::size_t>(size), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
    return fail("cannot be read: " + win::last_error_text());
  }
  std::string why;
  auto url = iis_scep_url(text, dns_host_name(), &why);
  if (!url) {
    return fail(why);
  }
  return url;
}

}  // namespace ndes::renew::windows
