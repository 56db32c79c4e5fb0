#include "web/basic_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>

#include "base/base64.h"
#include "base/text.h"

#ifndef _WIN32
#include <crypt.h>
#endif

namespace ndes::web {
namespace {

// A valid hash of a random password, for users that do not exist (cost 10, as
// htpasswd -B makes by default).
constexpr const char* kDummyHash = "$2b$10$ZeSfA0iyt.2avwupCbrgse8m6y7brA8OY2l0VAh01HW1gR2WLBDeW";

// The credentials of a basic auth header: one unbroken base64 token, padded, of a sane
// size.
std::optional<std::string> decode_credentials(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > 4096 ||
      in.find_first_of(" \t\r\n") != std::string_view::npos) {
    return std::nullopt;
  }
  const auto bytes = base64_decode(in);
  if (!bytes) {
    return std::nullopt;
  }
  return std::string(bytes->begin(), bytes->end());
}

std::string cache_key(std::string_view user, std::string_view hash, std::string_view password) {
  std::string data;
  for (const std::string_view part : {user, hash, password}) {
    data += std::to_string(part.size());  // length-prefixed: no two splits collide
    data += ':';
    data += part;
  }
  std::array<unsigned char, 32> digest{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr);
  OPENSSL_cleanse(data.data(), data.size());
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

std::optional<std::pair<std::string, std::string>> parse_basic_authorization(
    std::string_view header) {
  constexpr std::string_view kScheme = "basic ";
  if (header.size() <= kScheme.size() || !istarts_with(header, kScheme)) {
    return std::nullopt;
  }
  std::string_view encoded = header.substr(kScheme.size());
  while (!encoded.empty() && encoded.front() == ' ') {
    encoded.remove_prefix(1);
  }
  while (!encoded.empty() && encoded.back() == ' ') {
    encoded.remove_suffix(1);
  }
  const auto decoded = decode_credentials(encoded);
  if (!decoded) {
    return std::nullopt;
  }
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

bool bcrypt_matches(std::string_view password, const std::string& hash) {
#ifdef _WIN32
  (void)password;
  (void)hash;
  return false;  // no libxcrypt in the Windows build: basic auth is refused at start
#else
  if (password.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string pw(password);
  auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on the worker's stack
  const char* out = crypt_r(pw.c_str(), hash.c_str(), data.get());
  const bool same = out != nullptr && out[0] != '*' &&
                    std::string_view(out).size() == hash.size() &&
                    CRYPTO_memcmp(out, hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return same;
#endif
}

bool BasicAuthChecker::check(const std::map<std::string, std::string>& users,
                             std::string_view authorization) {
  const auto credentials = parse_basic_authorization(authorization);
  if (!credentials) {
    return false;
  }
  const auto& [user, password] = *credentials;
  const auto it = users.find(user);
  if (it == users.end()) {
    (void)bcrypt_matches(password, kDummyHash);
    return false;
  }
  const std::string key = cache_key(user, it->second, password);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (passed_.count(key) != 0) {
      return true;
    }
  }
  if (!bcrypt_matches(password, it->second)) {
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (passed_.size() >= kMaxCached) {
    passed_.clear();
  }
  passed_.insert(key);
  return true;
}

std::size_t BasicAuthChecker::cached() const {
  std::lock_guard<std::mutex> lock(mu_);
  return passed_.size();
}

}  // namespace ndes::web
