#include "base/win/error_text.h"

// clang-format off
#include <windows.h>
// clang-format on

#include <cstdio>

#include "base/win/utf16.h"

namespace ndes::win {
namespace {

void drop_trailing(std::string& text, std::string_view chars) {
  while (!text.empty() && chars.find(text.back()) != std::string_view::npos) {
    text.pop_back();
  }
}

}  // namespace

std::optional<std::string> system_message(unsigned long code) {
  LPWSTR buf = nullptr;
  const DWORD n = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<LPWSTR>(&buf), 0, nullptr);
  if (buf == nullptr) {
    return std::nullopt;
  }
  std::string text = narrow(std::wstring_view(buf, n));
  LocalFree(buf);
  drop_trailing(text, "\r\n");
  return text;
}

std::string error_text(unsigned long code) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08lX", code);
  std::string out = hex;
  if (auto text = system_message(code)) {
    drop_trailing(*text, "\r\n .");
    if (!text->empty()) {
      out += " (" + *text + ")";
    }
  }
  return out;
}

std::string numbered_error_text(unsigned long code) {
  std::string out = "error " + std::to_string(code);
  if (auto text = system_message(code)) {
    out += ": " + *text;
  }
  return out;
}

std::string last_error_text() { return numbered_error_text(GetLastError()); }

}  // namespace ndes::win
