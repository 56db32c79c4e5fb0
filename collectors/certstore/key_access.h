// Who may read a private key, on Windows: configured identities resolved to SIDs,
// and the key's security descriptor evaluated for them
// (ndes_certificate_private_key_readable) by KeyReadChecker (key_read_check.h)
// with the real Authz calls, DACL walk and local group lookup.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "certstore/key_read_check.h"

namespace ndes::certstore {

std::string sid_to_string(const Sid& sid);                  // "S-1-5-18"; "" if malformed
std::optional<Sid> sid_from_string(std::string_view text);  // nullopt if not a SID string

// The SID of a virtual account, computed as Windows computes it:
//   "IIS APPPOOL\<pool>"  -> S-1-5-82-<SHA-1 of the lower-cased pool name, UTF-16LE>
//   "NT SERVICE\<service>" -> S-1-5-80-<SHA-1 of the upper-cased service name, UTF-16LE>
// (five little-endian 32-bit words). nullopt for any other name.
std::optional<std::string> virtual_account_sid(std::string_view account);

// Resolves "DOMAIN\user", "user@domain", "NT AUTHORITY\NETWORK SERVICE",
// "IIS APPPOOL\SCEP", "NT SERVICE\name" or a SID string ("S-1-5-20"). Virtual
// accounts are computed (virtual_account_sid), the rest looked up
// (LookupAccountName). nullopt and *error when the name is unknown.
std::optional<Identity> resolve_identity(const std::string& name, std::string* error);

// Evaluates the DACL of a self-relative security descriptor for FILE_READ_DATA (the
// right needed to read a key file, after mapping generic rights with the file
// mapping), by a token that holds `token_sids`, in AccessCheck's order: the first
// allow or deny ACE that matches a SID and covers the right decides; no DACL grants
// everything, an empty one nothing. Inherit-only and object ACEs are ignored.
// nullopt if the descriptor is malformed.
std::optional<bool> dacl_allows_read(std::span<const std::uint8_t> security_descriptor,
                                     std::span<const Sid> token_sids);
// The same with SID strings (a DaclCheck); a SID string that does not parse matches nothing.
std::optional<bool> dacl_allows_read_sids(std::span<const std::uint8_t> security_descriptor,
                                          std::span<const std::string> token_sids);

// The Authz calls of this process (advapi32/authz.dll), for KeyReadChecker.
std::shared_ptr<AuthzCalls> windows_authz();

// Can `identity` read a key with this security descriptor? Maps its generic rights,
// then asks the process's KeyReadChecker (Authz contexts and local groups cached).
ReadCheck can_read_key(std::span<const std::uint8_t> security_descriptor, const Identity& identity);

}  // namespace ndes::certstore
