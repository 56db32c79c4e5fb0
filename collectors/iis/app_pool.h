// The `iis` collector's pure part: application pools as IIS's
// applicationHost.config declares them (name, identity), the live state as
// `appcmd list apppool NAME /text:state` prints it, and the samples
//   ndes_iis_app_pool_state{pool,state}                          one per state, 1 for the current
//   ndes_iis_app_pool_identity_info{pool,identity,identity_type,gmsa}  always 1
// Pure, so it is unit-tested on Linux and Windows alike.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ndes/collect/records.h"

namespace ndes::iis {

inline constexpr const char* kCollector = "iis";

struct AppPoolConfig {
  std::string name;
  std::string identity_type;  // as IIS writes it: ApplicationPoolIdentity, NetworkService...
  std::string user_name;      // SpecificUser only
};

// The <applicationPools> of an applicationHost.config, with
// <applicationPoolDefaults>' identity for pools that do not set one. On a
// malformed document: nullopt and *error says why.
std::optional<std::vector<AppPoolConfig>> parse_app_pools(std::string_view document,
                                                          std::string* error);

// The account the pool runs as: IIS APPPOOL\<pool>, NT AUTHORITY\NETWORK SERVICE,
// NT AUTHORITY\LOCAL SERVICE, NT AUTHORITY\SYSTEM, or the configured user.
std::string identity_account(const AppPoolConfig& pool);
// A group managed service account: the account name ends in '$'.
bool is_gmsa(std::string_view account);

// appcmd's "Started"/"Stopped"/... (any case, surrounding space ignored) ->
// started, stopped, starting, stopping, unknown.
std::string_view state_from_appcmd(std::string_view text);

const std::vector<std::string_view>& state_names();

// The samples of one configured pool. `config` is nullopt for a pool that
// applicationHost.config does not declare (then only its state: unknown).
std::vector<Sample> app_pool_samples(const std::string& pool,
                                     const std::optional<AppPoolConfig>& config,
                                     std::string_view state);

// The configured pool's entry, matched case-insensitively as IIS does.
std::optional<AppPoolConfig> find_pool(const std::vector<AppPoolConfig>& pools,
                                       std::string_view name);

}  // namespace ndes::iis
