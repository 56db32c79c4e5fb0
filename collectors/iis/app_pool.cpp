#include "iis/app_pool.h"

#include <algorithm>
#include <cctype>

#include "base/text.h"
#include "base/xml_lite.h"

namespace ndes::iis {
namespace {

constexpr const char* kStateHelp =
    "IIS application pool state: one series per state, 1 for the current one.";
constexpr const char* kIdentityHelp =
    "The account an IIS application pool runs as (from applicationHost.config); always 1.";

}  // namespace

std::optional<std::vector<AppPoolConfig>> parse_app_pools(std::string_view document,
                                                          std::string* error) {
  std::string why;
  const auto root = xml::parse(document, &why);
  if (!root) {
    if (error != nullptr) {
      *error = "not well-formed XML: " + why;
    }
    return std::nullopt;
  }
  if (root->local_name() != "configuration") {
    if (error != nullptr) {
      *error = "the root element is <" + root->name + ">, not <configuration>";
    }
    return std::nullopt;
  }
  std::vector<AppPoolConfig> out;
  const xml::Element* host = root->child("system.applicationHost");
  const xml::Element* pools = host != nullptr ? host->child("applicationPools") : nullptr;
  if (pools == nullptr) {
    return out;  // IIS without pools (or not the section we know): no pools
  }
  // IIS's own default when applicationPoolDefaults does not say.
  std::string default_type = "ApplicationPoolIdentity";
  if (const auto* defaults = pools->child("applicationPoolDefaults")) {
    if (const auto* pm = defaults->child("processModel")) {
      default_type = pm->attribute("identityType").value_or(default_type);
    }
  }
  for (const xml::Element* add : pools->children_named("add")) {
    AppPoolConfig pool;
    pool.name = add->attribute("name").value_or("");
    if (pool.name.empty()) {
      continue;
    }
    pool.identity_type = default_type;
    if (const auto* pm = add->child("processModel")) {
      pool.identity_type = pm->attribute("identityType").value_or(default_type);
      pool.user_name = pm->attribute("userName").value_or("");
    }
    out.push_back(std::move(pool));
  }
  return out;
}

std::string identity_account(const AppPoolConfig& pool) {
  const std::string type = lower(pool.identity_type);
  if (type == "applicationpoolidentity") {
    return "IIS APPPOOL\\" + pool.name;
  }
  if (type == "networkservice") {
    return "NT AUTHORITY\\NETWORK SERVICE";
  }
  if (type == "localservice") {
    return "NT AUTHORITY\\LOCAL SERVICE";
  }
  if (type == "localsystem") {
    return "NT AUTHORITY\\SYSTEM";
  }
  return pool.user_name;  // SpecificUser
}

bool is_gmsa(std::string_view account) { return !account.empty() && account.back() == '$'; }

std::string_view state_from_appcmd(std::string_view text) {
  const std::string s = lower(trim_view(text));
  for (const auto name : state_names()) {
    if (s == name) {
      return name;
    }
  }
  return "unknown";
}

const std::vector<std::string_view>& state_names() {
  static const std::vector<std::string_view> names = {"started", "stopped", "starting", "stopping",
                                                      "unknown"};
  return names;
}

std::vector<Sample> app_pool_samples(const std::string& pool,
                                     const std::optional<AppPoolConfig>& config,
                                     std::string_view state) {
  std::vector<Sample> out;
  for (const auto s : state_names()) {
    out.push_back(Sample{"ndes_iis_app_pool_state",
                         kStateHelp,
                         SampleType::gauge,
                         {{"pool", pool}, {"state", std::string(s)}},
                         s == state ? 1.0 : 0.0});
  }
  if (config) {
    const std::string account = identity_account(*config);
    out.push_back(Sample{"ndes_iis_app_pool_identity_info",
                         kIdentityHelp,
                         SampleType::gauge,
                         {{"pool", pool},
                          {"identity", account},
                          {"identity_type", config->identity_type},
                          {"gmsa", is_gmsa(account) ? "true" : "false"}},
                         1.0});
  }
  return out;
}

std::optional<AppPoolConfig> find_pool(const std::vector<AppPoolConfig>& pools,
                                       std::string_view name) {
  const std::string want = lower(name);
  for (const auto& p : pools) {
    if (lower(p.name) == want) {
      return p;
    }
  }
  return std::nullopt;
}

}  // namespace ndes::iis
