// The exporter's YAML config file: yaml-cpp, the settings engine (base/settings.cpp)
// and every row and section reader (exporter/config.cpp, the collectors' own), through
// parse_command_line(--config.file=...) as the binary calls it. config.h exposes no
// reader of YAML text, so each input is written to one temporary file per process.
// Input: the config file's bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "exporter/config.h"
#include "fuzz_common.h"
#include "fuzz_temp_file.h"
#include "probe/probe_config_yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = ndes_fuzz::write_temp_file(data, size);

  const std::string flag = "--config.file=" + path;
  const char* const argv[] = {"ndes_exporter", flag.c_str(), nullptr};
  const ndes::ParseOutcome out = ndes::parse_command_line(2, argv);
  if (out.should_run()) {
    NDES_FUZZ_CHECK(out.exit_code == 0);
    NDES_FUZZ_CHECK(!out.config->collectors_enabled.empty());
  } else {
    // A bad file is exit code 2 and one line for stderr, never a crash or a throw.
    NDES_FUZZ_CHECK(out.exit_code == 2);
    NDES_FUZZ_CHECK(!out.message.empty());
    NDES_FUZZ_CHECK(out.message.find_first_of("\r\n") == std::string::npos);
  }

  // The scalar parsers the readers use, on the raw text too.
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ndes::settings::parse_byte_size(text);
  (void)ndes::parse_duration(text);
  return 0;
}
