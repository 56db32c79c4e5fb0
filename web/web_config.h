// The --web.config.file of both binaries, in Prometheus exporter-toolkit's format:
//
//   tls_server_config:
//     cert_file: server.crt          # relative paths are relative to this file
//     key_file: server.key
//     client_auth_type: RequireAndVerifyClientCert
//     client_ca_file: clients-ca.crt
//     min_version: TLS12             # TLS10 TLS11 TLS12 TLS13
//     max_version: TLS13
//     prefer_server_cipher_suites: true
//   http_server_config:
//     http2: true                    # accepted; civetweb serves HTTP/1.1
//     headers: {Strict-Transport-Security: max-age=31536000}
//   basic_auth_users:
//     prometheus: $2y$10$...         # bcrypt hashes (htpasswd -nBC 10 "" | tr -d ':\n')
//
// Parsing is pure (text in, value or one-line error out); the files it names are
// checked by check_web_config_files() (web/tls_context.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ndes::web {

enum class ClientAuth {
  none,                // NoClientCert
  request,             // RequestClientCert: asked for, not verified, not required
  require_any,         // RequireAnyClientCert: required, not verified
  verify_if_given,     // VerifyClientCertIfGiven
  require_and_verify,  // RequireAndVerifyClientCert
};

// TLS protocol versions as OpenSSL numbers (TLS1_2_VERSION...).
struct TlsServerConfig {
  std::string cert_file;  // absolute or relative to the process's cwd (already joined)
  std::string key_file;
  ClientAuth client_auth = ClientAuth::none;
  std::string client_ca_file;
  int min_version = 0;  // 0 = TLS 1.2 (exporter-toolkit's default)
  int max_version = 0;  // 0 = the highest the library has
  bool prefer_server_cipher_suites = true;

  bool operator==(const TlsServerConfig&) const = default;
};

struct WebConfig {
  std::optional<TlsServerConfig> tls;                        // unset: plain HTTP
  std::vector<std::pair<std::string, std::string>> headers;  // added to every response
  std::map<std::string, std::string> users;                  // user -> bcrypt hash

  bool operator==(const WebConfig&) const = default;
};

// Parses the YAML text. `base_dir` is the directory of the file: relative cert, key
// and CA paths are joined to it. On error returns nullopt and sets *error to a
// one-line reason that names the key ("tls_server_config.min_version: \"TLS14\" is
// not one of TLS10, TLS11, TLS12, TLS13"), without the file name.
std::optional<WebConfig> parse_web_config(std::string_view text, const std::string& base_dir,
                                          std::string* error);

// True for a bcrypt hash libxcrypt checks: $2a$/$2b$/$2y$, cost 04-31, 53 characters
// of salt and digest in bcrypt's base64.
bool is_bcrypt_hash(std::string_view hash);

// "TLS12" -> TLS1_2_VERSION; nullopt for anything else.
std::optional<int> parse_tls_version(std::string_view name);
// TLS1_2_VERSION -> "TLS12".
std::string tls_version_name(int version);

}  // namespace ndes::web
