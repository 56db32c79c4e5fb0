// Probe modules by name: the user's from the config file, and the built-in
// `scep`, `tls` and `crl` that exist without any config.
#pragma once

#include <optional>
#include <string_view>

#include "probe/probe_config.h"

namespace ndes::probe {

std::string_view to_string(ProberKind kind);
std::optional<ProberKind> parse_prober_kind(std::string_view text);

// The built-in module of a prober: defaults everywhere.
const ProbeModule& builtin_module(ProberKind kind);

// A user module of that name, else a built-in one; nullptr if neither exists.
const ProbeModule* find_module(const ProbeConfig& config, std::string_view name);

}  // namespace ndes::probe
