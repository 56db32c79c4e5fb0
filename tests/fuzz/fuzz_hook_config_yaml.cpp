// The renew hook's YAML config file: yaml-cpp plus every setting reader in
// renew/hook_config.cpp and the checks across settings, through
// parse_hook_command_line(--config.file=...) as ndes_renew_hook calls it.
// Input: the config file's bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "fuzz_temp_file.h"
#include "renew/hook_config.h"
#include "renew/placeholders.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = ndes_fuzz::write_temp_file(data, size);

  const std::string flag = "--config.file=" + path;
  const char* const argv[] = {"ndes_renew_hook", flag.c_str(), nullptr};
  const ndes::renew::HookParseOutcome out = ndes::renew::parse_hook_command_line(2, argv, "ndes01");
  if (out.should_run()) {
    const ndes::renew::HookConfig& cfg = *out.config;
    NDES_FUZZ_CHECK(out.exit_code == 0);
    // What check_config() promises the service: a state directory, an identity, and
    // for the command executor a resolved program.
    NDES_FUZZ_CHECK(!cfg.state_dir.empty());
    NDES_FUZZ_CHECK(!cfg.instance.empty());
    NDES_FUZZ_CHECK(!cfg.auth_token_file.empty() || cfg.insecure_no_auth);
    NDES_FUZZ_CHECK(!cfg.audit_file.empty());
    NDES_FUZZ_CHECK(cfg.command.timeout_seconds > 0);
    if (cfg.executor == "command") {
      NDES_FUZZ_CHECK(!cfg.command.argv.empty());
      // Only known placeholders reach the service's substitution.
      NDES_FUZZ_CHECK(ndes::renew::check_argv_template(cfg.command.argv).empty());
    }
  } else {
    // A bad file is exit code 2 and one line for stderr, never a crash or a throw.
    NDES_FUZZ_CHECK(out.exit_code == 2);
    NDES_FUZZ_CHECK(!out.message.empty());
    NDES_FUZZ_CHECK(out.message.find_first_of("\r\n") == std::string::npos);
  }

  // The duration parser the readers use, on the raw text too.
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto seconds = ndes::renew::parse_duration_seconds(text)) {
    NDES_FUZZ_CHECK(*seconds > 0);
  }
  return 0;
}
