// The server's local groups and their members, read with NetLocalGroupEnum and
// NetLocalGroupGetMembers: the local group memberships a token gets at logon, for
// the DACL evaluation of the service identities (token_sids in token_groups.h).
// Windows only (local_groups.cpp); KeyReadChecker takes it as a LocalGroupsLookup.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "certstore/token_groups.h"

namespace ndes::certstore {

// At most kMaxLocalGroups groups and kMaxGroupMembers members each are read.
inline constexpr std::size_t kMaxLocalGroups = 512;
inline constexpr std::size_t kMaxGroupMembers = 10000;

// nullopt and *error (the failed call and why) when the groups cannot be listed.
std::optional<std::vector<LocalGroup>> read_local_groups(std::string* error);

}  // namespace ndes::certstore
