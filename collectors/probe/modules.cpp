#include "probe/modules.h"

#include <array>

#include "base/enum_names.h"

namespace ndes::probe {

namespace {
constexpr std::array<std::string_view, 3> kProberNames = {"scep", "tls", "crl"};
}  // namespace

std::string_view to_string(ProberKind kind) { return enum_name(kind, kProberNames, "scep"); }

std::optional<ProberKind> parse_prober_kind(std::string_view text) {
  return enum_from_name<ProberKind>(text, kProberNames);
}

const ProbeModule& builtin_module(ProberKind kind) {
  const auto make = [](ProberKind k) {
    ProbeModule m;
    m.prober = k;
    return m;
  };
  static const ProbeModule kScep = make(ProberKind::scep);
  static const ProbeModule kTls = make(ProberKind::tls);
  static const ProbeModule kCrl = make(ProberKind::crl);
  switch (kind) {
    case ProberKind::tls:
      return kTls;
    case ProberKind::crl:
      return kCrl;
    case ProberKind::scep:
      break;
  }
  return kScep;
}

const ProbeModule* find_module(const ProbeConfig& config, std::string_view name) {
  if (const auto it = config.modules.find(name); it != config.modules.end()) {
    return &it->second;
  }
  if (const auto kind = parse_prober_kind(name)) {
    return &builtin_module(*kind);
  }
  return nullptr;
}

}  // namespace ndes::probe
