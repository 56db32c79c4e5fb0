#include "base/base64.h"

#include <openssl/evp.h>

#include <climits>
#include <string>

namespace ndes {
namespace {

bool in_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  // OpenSSL's block decoder wants whole groups of four without white space, and takes
  // '=' anywhere as a zero: so the white space goes, the padding is checked here and
  // what an unpadded text lacks is added.
  std::string groups;
  groups.reserve(text.size() + 3);
  std::size_t padding = 0;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      continue;
    }
    if (c == '=') {
      ++padding;
    } else if (padding > 0 || !in_alphabet(c)) {
      return std::nullopt;  // data after the padding, or not base64
    }
    groups += c;
  }
  const std::size_t data = groups.size() - padding;
  if (padding > 2 || data % 4 == 1 || (padding > 0 && groups.size() % 4 != 0) ||
      groups.size() > INT_MAX - 3) {
    return std::nullopt;
  }
  const std::size_t missing = (4 - groups.size() % 4) % 4;
  groups.append(missing, '=');
  padding += missing;
  std::vector<std::uint8_t> out(groups.size() / 4 * 3);
  if (groups.empty()) {
    return out;
  }
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(groups.data()),
                                static_cast<int>(groups.size()));
  if (n < 0 || static_cast<std::size_t>(n) < padding) {
    return std::nullopt;
  }
  // EVP_DecodeBlock counts the padding as zero bytes.
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

}  // namespace ndes
