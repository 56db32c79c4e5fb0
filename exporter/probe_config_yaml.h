// The config-only YAML sections of the probes: `modules:`, `targets:`, `crl:` and
// `probes:` (see docs/probes.md). Each reader has the shape of the config file's
// section readers: it returns "" or an error message that starts with the key.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "ndes/config.h"

namespace YAML {
class Node;
}

namespace ndes {

std::string read_probe_modules(ExporterConfig& cfg, const YAML::Node& node, const std::string& key);
std::string read_probe_targets(ExporterConfig& cfg, const YAML::Node& node, const std::string& key);
std::string read_crl_section(ExporterConfig& cfg, const YAML::Node& node, const std::string& key);
std::string read_probes_section(ExporterConfig& cfg, const YAML::Node& node,
                                const std::string& key);

// After the whole file is read: every static target's module exists and is of the
// target list's prober. "" or the error.
std::string validate_probe_config(const ProbeConfig& probes);

// Turns on the static-target collectors that have something to probe (scep, tls,
// crl; crl also for follow_cdp), in addition to the enabled ones.
void enable_probe_collectors(ExporterConfig& cfg);

// "5s", "1.5s", "500ms", "2m", "10" (seconds) -> milliseconds; nullopt if
// malformed, zero, negative or over a day.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace ndes
