#include "certstore/store_name.h"

// clang-format off
#include <windows.h>
#include <wincrypt.h>
// clang-format on

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace ndes::certstore {
namespace {

struct Location {
  const char* name;
  std::uint32_t flag;
};

constexpr std::array<Location, 6> kLocations = {{
    {"LocalMachine", CERT_SYSTEM_STORE_LOCAL_MACHINE},
    {"CurrentUser", CERT_SYSTEM_STORE_CURRENT_USER},
    {"CurrentService", CERT_SYSTEM_STORE_CURRENT_SERVICE},
    {"LocalMachineGroupPolicy", CERT_SYSTEM_STORE_LOCAL_MACHINE_GROUP_POLICY},
    {"LocalMachineEnterprise", CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE},
    {"CurrentUserGroupPolicy", CERT_SYSTEM_STORE_CURRENT_USER_GROUP_POLICY},
}};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::optional<StoreName> parse_store_name(std::string_view text, std::string* error) {
  const auto fail = [&](std::string reason) {
    if (error != nullptr) {
      *error = std::move(reason);
    }
    return std::nullopt;
  };
  std::string_view rest = text;
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
    rest.remove_prefix(1);
  }
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) {
    rest.remove_suffix(1);
  }
  if (rest.empty()) {
    return fail("an empty store name is not allowed");
  }
  // PowerShell's certificate drive: Cert:\LocalMachine\My.
  if (rest.size() >= 6 && iequals(rest.substr(0, 5), "cert:") &&
      (rest[5] == '\\' || rest[5] == '/')) {
    rest.remove_prefix(6);
  }
  const auto sep = rest.find_first_of("\\/");
  StoreName out;
  std::string_view location = "LocalMachine";
  std::string_view store = rest;
  if (sep != std::string_view::npos) {
    location = rest.substr(0, sep);
    store = rest.substr(sep + 1);
  }
  if (store.empty()) {
    return fail(quoted(text) + " names no store (e.g. LocalMachine\\My)");
  }
  if (store.find_first_of("\\/") != std::string_view::npos) {
    return fail(quoted(text) + " has more than one \\ (e.g. LocalMachine\\My)");
  }
  const auto it = std::find_if(kLocations.begin(), kLocations.end(),
                               [&](const Location& l) { return iequals(l.name, location); });
  if (it == kLocations.end()) {
    std::string known;
    for (const auto& l : kLocations) {
      known += (known.empty() ? "" : ", ") + std::string(l.name);
    }
    return fail(quoted(text) + " has an unknown location " + quoted(location) +
                " (known: " + known + ")");
  }
  out.location = it->name;
  out.store = std::string(store);
  out.location_flag = it->flag;
  return out;
}

}  // namespace ndes::certstore
