// The groups a Windows logon token of an identity carries, from the kind of
// identity and its SID alone, plus the local groups that hold any of them: what
// the certstore collector evaluates a key's DACL against when it does not ask
// Authz (ndes_certificate_private_key_readable{method="dacl"}). Pure, SIDs as
// strings ("S-1-5-20"); built and tested on every platform.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ndes::certstore {

enum class IdentityKind {
  local_system,     // S-1-5-18, NT AUTHORITY\SYSTEM (LocalSystem)
  local_service,    // S-1-5-19, NT AUTHORITY\LOCAL SERVICE
  network_service,  // S-1-5-20, NT AUTHORITY\NETWORK SERVICE
  app_pool,         // S-1-5-82-*, IIS APPPOOL\<pool> (ApplicationPoolIdentity)
  service,          // S-1-5-80-*, NT SERVICE\<service> (a service's virtual account)
  account,          // any other SID: a local or domain user, a gMSA
};
std::string_view to_string(IdentityKind kind);

// The kind of the identity with this SID string.
IdentityKind identity_kind(std::string_view sid);

// Well-known SIDs ("Well-known SIDs", learn.microsoft.com/windows/win32/secauthz/well-known-sids).
inline constexpr std::string_view kEveryone = "S-1-1-0";
inline constexpr std::string_view kService = "S-1-5-6";
inline constexpr std::string_view kAuthenticatedUsers = "S-1-5-11";
inline constexpr std::string_view kAdministrators = "S-1-5-32-544";
inline constexpr std::string_view kUsers = "S-1-5-32-545";
inline constexpr std::string_view kIisIusrs = "S-1-5-32-568";

// The group SIDs (not the identity's own SID) that a logon of an identity of this
// kind carries whatever the directory says. For `account` only the groups every
// authenticated logon has: its domain and logon-type groups are Authz's to know.
std::vector<std::string> token_groups(IdentityKind kind, std::string_view sid);

// A local group (BUILTIN\Users, IIS_IUSRS, a group made on the server) and the
// SIDs of its members as NetLocalGroupGetMembers lists them.
struct LocalGroup {
  std::string sid;
  std::string name;  // for log lines
  std::vector<std::string> members;
};

// Whether Windows adds the local groups holding the identity to its token. The
// SYSTEM token is made by the system with a fixed set of groups.
bool expands_local_groups(IdentityKind kind);

// Every SID the token holds: the identity's own, token_groups(), and each local
// group with one of those as a member (local groups do not nest, so one pass).
// Without duplicates, in that order; SIDs compared case-insensitively.
std::vector<std::string> token_sids(IdentityKind kind, std::string_view sid,
                                    std::span<const LocalGroup> local_groups);

}  // namespace ndes::certstore
