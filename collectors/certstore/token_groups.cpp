#include "certstore/token_groups.h"

#include <algorithm>

#include "base/text.h"

namespace ndes::certstore {
namespace {

bool has_prefix(std::string_view sid, std::string_view prefix) {
  return sid.size() > prefix.size() && istarts_with(sid, prefix);
}

void add_unique(std::vector<std::string>& sids, std::string_view sid) {
  const bool seen =
      std::any_of(sids.begin(), sids.end(), [&](const std::string& s) { return iequals(s, sid); });
  if (!sid.empty() && !seen) {
    sids.emplace_back(sid);
  }
}

}  // namespace

std::string_view to_string(IdentityKind kind) {
  switch (kind) {
    case IdentityKind::local_system:
      return "local_system";
    case IdentityKind::local_service:
      return "local_service";
    case IdentityKind::network_service:
      return "network_service";
    case IdentityKind::app_pool:
      return "app_pool";
    case IdentityKind::service:
      return "service";
    case IdentityKind::account:
      return "account";
  }
  return "account";
}

IdentityKind identity_kind(std::string_view sid) {
  if (iequals(sid, "S-1-5-18")) {
    return IdentityKind::local_system;
  }
  if (iequals(sid, "S-1-5-19")) {
    return IdentityKind::local_service;
  }
  if (iequals(sid, "S-1-5-20")) {
    return IdentityKind::network_service;
  }
  if (has_prefix(sid, "S-1-5-82-")) {
    return IdentityKind::app_pool;
  }
  if (has_prefix(sid, "S-1-5-80-")) {
    return IdentityKind::service;
  }
  return IdentityKind::account;
}

// Sources (checked against the documentation, not run on Windows):
// - "Security identifiers" (learn.microsoft.com/windows-server/identity/ad-ds/manage/
//   understand-security-identifiers): Everyone and Authenticated Users are in every
//   authenticated logon; SERVICE (S-1-5-6) "includes all security principals that
//   have signed in as a service"; BUILTIN\Users holds Authenticated Users by default.
// - "LocalSystem Account" (learn.microsoft.com/windows/win32/services/localsystem-account):
//   "Its token includes the NT AUTHORITY\SYSTEM and BUILTIN\Administrators SIDs".
// - "LocalService Account" / "NetworkService Account" (same folder): service
//   logons with "any privileges assigned to users and authenticated users".
// - "Service Accounts" (learn.microsoft.com/windows-server/identity/ad-ds/manage/
//   understand-service-accounts): an NT SERVICE\<name> virtual account is a service
//   logon of the service SID S-1-5-80-<hash>.
// - "Application Pool Identities" (learn.microsoft.com/iis/manage/configuring-security/
//   application-pool-identities) and "Understanding Built-In User and Group Accounts
//   in IIS" (learn.microsoft.com/iis/get-started/planning-for-security/
//   understanding-built-in-user-and-group-accounts-in-iis): the worker process runs as
//   the virtual account IIS APPPOOL\<pool> (S-1-5-82-<hash>), and IIS puts IIS_IUSRS
//   into its token at run time, without any membership to configure. WAS starts the
//   worker process as a service logon, hence SERVICE.
std::vector<std::string> token_groups(IdentityKind kind, std::string_view /*sid*/) {
  std::vector<std::string> groups = {std::string(kEveryone), std::string(kAuthenticatedUsers)};
  switch (kind) {
    case IdentityKind::local_system:
      groups.emplace_back(kAdministrators);
      break;
    case IdentityKind::app_pool:
      groups.emplace_back(kUsers);
      groups.emplace_back(kService);
      groups.emplace_back(kIisIusrs);
      break;
    case IdentityKind::local_service:
    case IdentityKind::network_service:
    case IdentityKind::service:
      groups.emplace_back(kUsers);
      groups.emplace_back(kService);
      break;
    case IdentityKind::account:
      groups.emplace_back(kUsers);
      break;
  }
  return groups;
}

bool expands_local_groups(IdentityKind kind) { return kind != IdentityKind::local_system; }

std::vector<std::string> token_sids(IdentityKind kind, std::string_view sid,
                                    std::span<const LocalGroup> local_groups) {
  std::vector<std::string> sids;
  add_unique(sids, sid);
  for (const auto& g : token_groups(kind, sid)) {
    add_unique(sids, g);
  }
  if (!expands_local_groups(kind)) {
    return sids;
  }
  // A local group holds users, domain groups and well-known groups, never another
  // local group, so the groups of the token so far decide (one pass).
  const std::vector<std::string> direct = sids;
  for (const LocalGroup& group : local_groups) {
    const bool member = std::any_of(group.members.begin(), group.members.end(), [&](const auto& m) {
      return std::any_of(direct.begin(), direct.end(),
                         [&](const std::string& s) { return iequals(s, m); });
    });
    if (member) {
      add_unique(sids, group.sid);
    }
  }
  return sids;
}

}  // namespace ndes::certstore
