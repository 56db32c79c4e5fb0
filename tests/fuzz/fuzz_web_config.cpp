// The --web.config.file parser (web/web_config.h): exporter-toolkit's YAML, read by
// both binaries at start and on every change. Only the pure parser runs here; the
// files it names are not opened.
// Input: the file's text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "web/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto cfg = ndes::web::parse_web_config(text, "/etc/ndes", &error);
  if (!cfg) {
    // One line, for "<program>: error: --web.config.file <file>: <reason>".
    NDES_FUZZ_CHECK(!error.empty());
    NDES_FUZZ_CHECK(error.find('\n') == std::string::npos ||
                    error.rfind("line ", 0) == 0);  // yaml-cpp's own messages
    return 0;
  }
  for (const auto& [user, hash] : cfg->users) {
    NDES_FUZZ_CHECK(!user.empty() && user.find(':') == std::string::npos);
    NDES_FUZZ_CHECK(ndes::web::is_bcrypt_hash(hash));
  }
  for (const auto& [name, value] : cfg->headers) {
    // A value that could split the response is never accepted.
    NDES_FUZZ_CHECK(value.find('\r') == std::string::npos && value.find('\n') == std::string::npos);
    NDES_FUZZ_CHECK(!name.empty() && !value.empty());
  }
  if (cfg->tls) {
    NDES_FUZZ_CHECK(!cfg->tls->cert_file.empty() && !cfg->tls->key_file.empty());
    NDES_FUZZ_CHECK(cfg->tls->min_version == 0 || cfg->tls->max_version == 0 ||
                    cfg->tls->min_version <= cfg->tls->max_version);
    const bool verifies = cfg->tls->client_auth == ndes::web::ClientAuth::verify_if_given ||
                          cfg->tls->client_auth == ndes::web::ClientAuth::require_and_verify;
    NDES_FUZZ_CHECK(!verifies || !cfg->tls->client_ca_file.empty());
  }
  return 0;
}
