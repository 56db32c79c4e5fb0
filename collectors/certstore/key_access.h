// Who may read a private key: configured identities resolved to SIDs, and the key's
// security descriptor evaluated for them (ndes_certificate_private_key_readable).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ndes::certstore {

using Sid = std::vector<std::uint8_t>;  // a binary SID

std::string sid_to_string(const Sid& sid);                  // "S-1-5-18"; "" if malformed
std::optional<Sid> sid_from_string(std::string_view text);  // nullopt if not a SID string

// The SID of a virtual account, computed as Windows computes it:
//   "IIS APPPOOL\<pool>"  -> S-1-5-82-<SHA-1 of the lower-cased pool name, UTF-16LE>
//   "NT SERVICE\<service>" -> S-1-5-80-<SHA-1 of the upper-cased service name, UTF-16LE>
// (five little-endian 32-bit words). nullopt for any other name.
std::optional<std::string> virtual_account_sid(std::string_view account);

// The well-known groups that every logon of `sid` carries, whatever the domain
// says: Everyone, Authenticated Users and Users for all; IIS_IUSRS for application
// pool identities (S-1-5-82-*); SERVICE for service accounts (LocalService,
// NetworkService, S-1-5-80-*); Administrators for LocalSystem.
std::vector<Sid> implicit_groups(const Sid& sid);

struct Identity {
  std::string name;  // as configured: the `identity` label
  Sid sid;
  std::vector<Sid> groups;  // implicit_groups(sid)
};

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

struct ReadCheck {
  std::optional<bool> readable;  // nullopt: unknown (error says why)
  std::string error;             // why unknown, or why Authz could not answer
  // True when Authz could not answer (not implemented under wine; no context for
  // the account) and the answer came from dacl_allows_read over the identity and
  // its implicit groups only.
  bool fallback = false;
};

// Can `identity` read a key with this security descriptor? Asks Authz
// (AuthzAccessCheck on a context made from the identity's SID plus its implicit
// groups), which knows the account's local and domain group memberships; where
// Authz cannot answer, falls back to dacl_allows_read.
ReadCheck can_read_key(std::span<const std::uint8_t> security_descriptor, const Identity& identity);

}  // namespace ndes::certstore
