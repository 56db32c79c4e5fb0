// Names of Windows system certificate stores as the config gives them:
// "LocalMachine\My", "LocalMachine\CA", "CurrentUser\My", "Root" (a bare name is
// in LocalMachine), or PowerShell's "Cert:\LocalMachine\My".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ndes::certstore {

struct StoreName {
  std::string location;             // canonical spelling: "LocalMachine", "CurrentUser", ...
  std::string store;                // the store as given: "My", "CA", "Root", "Remote Desktop"
  std::uint32_t location_flag = 0;  // the CERT_SYSTEM_STORE_* value for CertOpenStore

  // "LocalMachine\My": the `source` label of the store's certificates.
  std::string canonical() const { return location + "\\" + store; }
};

// Parses a store name. On failure returns nullopt and sets *error to a reason that
// names no flag ("has an unknown location \"Machine\" (known: LocalMachine, ...)").
std::optional<StoreName> parse_store_name(std::string_view text, std::string* error);

}  // namespace ndes::certstore
