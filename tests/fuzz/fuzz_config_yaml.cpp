// The exporter's YAML config file: yaml-cpp plus every section reader in
// exporter/config.cpp and exporter/probe_config_yaml.cpp, through
// parse_command_line(--config.file=...) as the binary calls it. config.h exposes no
// reader of YAML text, so each input is written to one temporary file per process.
// Input: the config file's bytes.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "exporter/config.h"
#include "exporter/probe_config_yaml.h"
#include "fuzz_common.h"

namespace {

std::string g_path;

void remove_config_file() {
  if (!g_path.empty()) {
    ::unlink(g_path.c_str());
  }
}

const std::string& config_path() {
  if (g_path.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                        "/ndes-fuzz-config-XXXXXX";
    const int fd = ::mkstemp(templ.data());
    if (fd < 0) {
      std::perror("mkstemp");
      std::abort();
    }
    ::close(fd);
    g_path = templ;
    std::atexit(remove_config_file);
  }
  return g_path;
}

void write_all(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror("fopen");
    std::abort();
  }
  if (size > 0 && std::fwrite(data, 1, size, f) != size) {
    std::perror("fwrite");
    std::abort();
  }
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = config_path();
  write_all(path, data, size);

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
  (void)ndes::parse_byte_size(text);
  (void)ndes::parse_duration(text);
  return 0;
}
