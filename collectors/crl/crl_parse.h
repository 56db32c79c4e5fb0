// Reading a CRL (DER or PEM) into the few facts the crl probe reports. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ndes::crl {

struct CrlFacts {
  std::string issuer;            // CN, else the whole RFC 2253 DN (as certificate labels do)
  std::string issuer_dn;         // RFC 2253
  std::int64_t this_update = 0;  // Unix seconds
  std::optional<std::int64_t> next_update;  // absent in some CRLs
  std::size_t revoked = 0;                  // entries
};

struct CrlParse {
  std::optional<CrlFacts> crl;
  std::string error;  // when crl is unset
};

CrlParse parse_crl(std::span<const std::uint8_t> bytes);

// A crl target names a local file when it is not an http(s) URL: "/var/crl/a.crl",
// "file:///var/crl/a.crl". Returns the path, or nullopt for a URL.
std::optional<std::string> file_target_path(std::string_view target);

}  // namespace ndes::crl
