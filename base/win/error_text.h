// Readable Windows error codes. Two spellings, because both reach users today and
// outputs stay as they are: the exporter's collectors say "0x80090016 (Keyset does
// not exist)", the renew hook's audit log says "error 5: Access is denied.".
// Windows only (error_text.cpp).
#pragma once

#include <optional>
#include <string>

namespace ndes::win {

// The system's text for a Win32/HRESULT code (FormatMessage), without the line
// break it ends with; nullopt when the system has none.
std::optional<std::string> system_message(unsigned long code);

// "0x80090016 (Keyset does not exist)": the code, and the system's text (without
// its final full stop) when it has one. The collectors' spelling.
std::string error_text(unsigned long code);

// "error 5: Access is denied.": the renew hook's spelling.
std::string numbered_error_text(unsigned long code);

// numbered_error_text(GetLastError()).
std::string last_error_text();

}  // namespace ndes::win
