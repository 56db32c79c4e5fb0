// UTF-8 <-> UTF-16 for the Windows APIs: our strings are UTF-8 everywhere else.
// Windows only (base/CMakeLists.txt builds utf16.cpp under WIN32).
#pragma once

#include <string>
#include <string_view>

namespace ndes::win {

// Invalid UTF-8 becomes U+FFFD, as MultiByteToWideChar does without flags.
std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view utf16);

}  // namespace ndes::win
