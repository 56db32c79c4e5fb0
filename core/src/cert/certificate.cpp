#include "ndes/cert/certificate.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

namespace ndes {

bool Certificate::has_eku(const std::string& oid) const {
  return std::find(ekus.begin(), ekus.end(), oid) != ekus.end();
}

std::vector<std::string> key_usage_names(std::uint32_t key_usage) {
  static constexpr std::array<std::pair<KeyUsageBit, std::string_view>, 9> kNames{{
      {kDigitalSignature, "digitalSignature"},
      {kNonRepudiation, "nonRepudiation"},
      {kKeyEncipherment, "keyEncipherment"},
      {kDataEncipherment, "dataEncipherment"},
      {kKeyAgreement, "keyAgreement"},
      {kKeyCertSign, "keyCertSign"},
      {kCrlSign, "cRLSign"},
      {kEncipherOnly, "encipherOnly"},
      {kDecipherOnly, "decipherOnly"},
  }};
  std::vector<std::string> names;
  for (const auto& [bit, name] : kNames) {
    if ((key_usage & bit) != 0) {
      names.emplace_back(name);
    }
  }
  return names;
}

}  // namespace ndes
