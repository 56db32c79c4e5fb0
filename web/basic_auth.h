// HTTP basic auth against bcrypt hashes (web config basic_auth_users), checked with
// libxcrypt's crypt_r. bcrypt is slow on purpose (~50 ms at cost 10), so a successful
// check is remembered: the cache key is SHA-256(user, hash, password), so only the
// exact password that passed can hit it, and a changed hash misses.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace ndes::web {

// "Basic base64(user:password)" -> (user, password); nullopt when malformed.
std::optional<std::pair<std::string, std::string>> parse_basic_authorization(
    std::string_view header);

// True when crypt_r(password, hash) gives back `hash` (compared in constant time).
bool bcrypt_matches(std::string_view password, const std::string& hash);

class BasicAuthChecker {
 public:
  // True when `authorization` carries a user of `users` with the right password. An
  // unknown user costs a bcrypt run as well, so timing does not tell users apart.
  bool check(const std::map<std::string, std::string>& users, std::string_view authorization);

  std::size_t cached() const;

 private:
  static constexpr std::size_t kMaxCached = 1024;  // then the cache starts over
  mutable std::mutex mu_;
  std::set<std::string> passed_;  // cache keys of successful checks
};

}  // namespace ndes::web
