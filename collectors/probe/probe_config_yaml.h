// The config-only YAML sections of the probes: `modules:`, `targets:`, `crl:` and
// `probes:` (see docs/probes.md). Each reader has the shape of the config file's
// section readers: it returns "" or an error message that starts with the key.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/settings.h"
#include "base/time.h"  // parse_duration, which the timeouts use
#include "probe/probe_config.h"

namespace YAML {
class Node;
}

namespace ndes {

std::string read_probe_modules(ProbeConfig& probes, const YAML::Node& node, const std::string& key);
std::string read_probe_targets(ProbeConfig& probes, const YAML::Node& node, const std::string& key);
std::string read_crl_section(ProbeConfig& probes, const YAML::Node& node, const std::string& key);
std::string read_probes_section(ProbeConfig& probes, const YAML::Node& node,
                                const std::string& key);

// After the whole file is read: every static target's module exists and is of the
// target list's prober. "" or the error.
std::string validate_probe_config(const ProbeConfig& probes);

// The four sections above as config-file-only rows of the settings table, filling
// `probes`.
settings::Table probe_settings(ProbeConfig& probes);

}  // namespace ndes
