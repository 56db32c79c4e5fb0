// Base64 (RFC 4648, the standard alphabet) decoded by OpenSSL's decoder, with the
// checks the callers need around it: PEM bodies and SCEP answers (white space
// between characters), HTTP basic auth (one token).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ndes {

// The bytes of `text`. Space, tab, CR and LF between characters are skipped. '='
// padding may only end the text, at most two of them, completing a group of four;
// unpadded text may end in a group of two or three characters. nullopt on a
// character outside the alphabet, data after padding, or a lone last character.
// "" decodes to no bytes.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace ndes
