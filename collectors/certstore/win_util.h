// Small Windows helpers shared by the certstore files: UTF-8 <-> UTF-16 and
// readable error messages.
#pragma once

// clang-format off
#include <windows.h>
// clang-format on

#include <string>
#include <string_view>

namespace ndes::certstore {

inline std::wstring widen(std::string_view s) {
  if (s.empty()) {
    return {};
  }
  const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n);
  return out;
}

inline std::string narrow(std::wstring_view s) {
  if (s.empty()) {
    return {};
  }
  const int n = WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0,
                                    nullptr, nullptr);
  std::string out(static_cast<std::size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n, nullptr,
                      nullptr);
  return out;
}

// "0x80090016 (Keyset does not exist)": the code, and the system's text when it has one.
inline std::string error_text(unsigned long code) {
  char hex[16];
  wsprintfA(hex, "0x%08lX", code);
  std::string out = hex;
  LPWSTR buf = nullptr;
  const DWORD n = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<LPWSTR>(&buf), 0, nullptr);
  if (n > 0 && buf != nullptr) {
    std::string text = narrow(std::wstring_view(buf, n));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                             text.back() == '.')) {
      text.pop_back();
    }
    if (!text.empty()) {
      out += " (" + text + ")";
    }
  }
  if (buf != nullptr) {
    LocalFree(buf);
  }
  return out;
}

}  // namespace ndes::certstore
