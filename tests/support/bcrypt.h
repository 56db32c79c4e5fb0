// A real bcrypt hash made by libxcrypt, for the basic auth tests (link libcrypt).
#pragma once

#include <crypt.h>

#include <stdexcept>
#include <string>

namespace ndes::test {

// A bcrypt hash of `password` at cost 4: fast, still bcrypt.
inline std::string bcrypt(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) == nullptr) {
    throw std::runtime_error("crypt_gensalt_rn failed");
  }
  crypt_data data{};
  return crypt_r(password.c_str(), salt, &data);
}

}  // namespace ndes::test
