#include "ndes/metrics/utf8.h"

#include <cstddef>

namespace ndes {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
std::size_t sequence_length(const std::string& s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 < 0x80) {
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    lo = b0 == 0xE0 ? 0xA0 : 0x80;
    hi = b0 == 0xED ? 0x9F : 0xBF;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    lo = b0 == 0xF0 ? 0x90 : 0x80;
    hi = b0 == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (i + len > s.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    const unsigned char min = k == 1 ? lo : 0x80;
    const unsigned char max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) {
      return 0;
    }
  }
  return len;
}

}  // namespace

std::string valid_utf8(std::string s) {
  std::size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) {
    ++i;  // ASCII, nearly every label value: a tight loop before the decoder
  }
  while (i < s.size()) {
    const std::size_t len = sequence_length(s, i);
    if (len == 0) {
      break;
    }
    i += len;
  }
  if (i == s.size()) {
    return s;  // the common case: no copy
  }
  std::string out = s.substr(0, i);
  while (i < s.size()) {
    const std::size_t len = sequence_length(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace ndes
