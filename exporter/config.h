// The command line and the YAML config file -> ndes::ExporterConfig.
//
// Every flag --a.b.c has a config-file twin at the key path a -> b -> c, e.g.
//   web: {listen-address: ":9999"}
//   collector: {files: {path: [/a, {path: /b, pkcs12_passphrase_file: /etc/p}]}}
//   templates: {"1.3.6.1.4.1.311.21.8.1.2": "NDES-SSL"}
// A flag given on the command line beats the file. Reading the file is the only I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ndes/config.h"

namespace ndes {

struct ParseOutcome {
  // Set when the exporter should run with this configuration.
  std::optional<ExporterConfig> config;
  // When config is unset: 0 for --help/--version (message goes to stdout), 2 for a
  // usage or config error (message is one line for stderr, "ndes_exporter: error: ...").
  int exit_code = 0;
  std::string message;

  bool should_run() const { return config.has_value(); }
};

ParseOutcome parse_command_line(int argc, const char* const* argv);

// The collectors enabled when --collectors.enabled is not given ("files" on Linux,
// "certstore" on Windows).
std::vector<std::string> default_collectors();

// "1048576", "512KiB", "1MiB", "10MB", "1G"... -> bytes. nullopt if malformed.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace ndes
