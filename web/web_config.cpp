#include "web/web_config.h"

#include <openssl/tls1.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <functional>

#include "base/yaml_kind.h"

namespace ndes::web {
namespace {

// "value" with control characters replaced, so a message stays on one line; long
// values are cut (a bcrypt hash or a path, never more).
std::string quote_text(std::string_view value) {
  std::string out = "\"";
  for (const char c : value.substr(0, 120)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (value.size() > 120) {
    out += "...";
  }
  return out + "\"";
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct Failure {
  std::string message;
};

[[noreturn]] void fail(std::string message) { throw Failure{std::move(message)}; }

std::string scalar(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) {
    fail(key + ": expected a string, got " + yaml_node_kind(node));
  }
  return node.Scalar();
}

bool boolean(const YAML::Node& node, const std::string& key) {
  const std::string v = lower(scalar(node, key));
  if (v == "true" || v == "yes" || v == "on") {
    return true;
  }
  if (v == "false" || v == "no" || v == "off") {
    return false;
  }
  fail(key + ": " + quote_text(v) + " is not true or false");
}

// Calls `each(name, value, key)` for every entry of a map; a key that is not a
// string is an error.
void for_each_entry(
    const YAML::Node& node, const std::string& where,
    const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& each) {
  if (node.IsNull()) {
    return;
  }
  if (!node.IsMap()) {
    fail(where + ": expected a map, got " + yaml_node_kind(node));
  }
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      fail(where + ": a key is not a string");
    }
    const std::string name = kv.first.Scalar();
    // Keys reach error messages: no control characters there (one line each).
    const std::string shown = quote_text(name).substr(1, quote_text(name).size() - 2);
    each(name, kv.second, where.empty() ? shown : where + "." + shown);
  }
}

[[noreturn]] void unsupported(const std::string& key, const std::string& instead) {
  fail(key + ": this exporter-toolkit setting is not supported here" +
       (instead.empty() ? std::string() : " (" + instead + ")"));
}

[[noreturn]] void unknown(const std::string& key) { fail("key " + key + " is not known"); }

std::string join_path(const std::string& base_dir, const std::string& path) {
  if (path.empty() || base_dir.empty() || std::filesystem::path(path).is_absolute()) {
    return path;
  }
  return (std::filesystem::path(base_dir) / path).string();
}

ClientAuth parse_client_auth(const std::string& value, const std::string& key) {
  static const std::array<std::pair<const char*, ClientAuth>, 5> kinds = {{
      {"NoClientCert", ClientAuth::none},
      {"RequestClientCert", ClientAuth::request},
      {"RequireAnyClientCert", ClientAuth::require_any},
      {"VerifyClientCertIfGiven", ClientAuth::verify_if_given},
      {"RequireAndVerifyClientCert", ClientAuth::require_and_verify},
  }};
  std::string names;
  for (const auto& [name, auth] : kinds) {
    if (value == name) {
      return auth;
    }
    names += names.empty() ? name : std::string(", ") + name;
  }
  fail(key + ": " + quote_text(value) + " is not one of " + names);
}

TlsServerConfig parse_tls(const YAML::Node& node, const std::string& base_dir, bool* any) {
  TlsServerConfig tls;
  bool client_ca_given = false;
  for_each_entry(
      node, "tls_server_config",
      [&](const std::string& name, const YAML::Node& value, const std::string& key) {
        *any = true;
        if (name == "cert_file") {
          tls.cert_file = join_path(base_dir, scalar(value, key));
        } else if (name == "key_file") {
          tls.key_file = join_path(base_dir, scalar(value, key));
        } else if (name == "client_ca_file") {
          tls.client_ca_file = join_path(base_dir, scalar(value, key));
          client_ca_given = !tls.client_ca_file.empty();
        } else if (name == "client_auth_type") {
          tls.client_auth = parse_client_auth(scalar(value, key), key);
        } else if (name == "min_version" || name == "max_version") {
          const std::string v = scalar(value, key);
          const auto version = parse_tls_version(v);
          if (!version) {
            fail(key + ": " + quote_text(v) + " is not one of TLS10, TLS11, TLS12, TLS13");
          }
          (name == "min_version" ? tls.min_version : tls.max_version) = *version;
        } else if (name == "prefer_server_cipher_suites") {
          tls.prefer_server_cipher_suites = boolean(value, key);
        } else if (name == "cert" || name == "key" || name == "client_ca") {
          unsupported(key, "give a file with " + name + "_file");
        } else if (name == "cipher_suites" || name == "curve_preferences" ||
                   name == "client_allowed_sans") {
          unsupported(key, "");
        } else {
          unknown(key);
        }
      });
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    fail(std::string("tls_server_config: ") + (tls.cert_file.empty()
                                                   ? "key_file is set but cert_file is missing"
                                                   : "cert_file is set but key_file is missing"));
  }
  if (tls.cert_file.empty() && *any) {
    fail("tls_server_config: cert_file and key_file are required");
  }
  const bool verifies = tls.client_auth == ClientAuth::verify_if_given ||
                        tls.client_auth == ClientAuth::require_and_verify;
  if (verifies && !client_ca_given) {
    fail("tls_server_config.client_ca_file: is required by client_auth_type " +
         std::string(tls.client_auth == ClientAuth::verify_if_given
                         ? "VerifyClientCertIfGiven"
                         : "RequireAndVerifyClientCert"));
  }
  if (client_ca_given && tls.client_auth == ClientAuth::none) {
    fail(
        "tls_server_config.client_ca_file: is set but client_auth_type is NoClientCert (set "
        "client_auth_type, e.g. RequireAndVerifyClientCert)");
  }
  if (tls.min_version != 0 && tls.max_version != 0 && tls.min_version > tls.max_version) {
    fail("tls_server_config: min_version " + tls_version_name(tls.min_version) +
         " is above max_version " + tls_version_name(tls.max_version));
  }
  return tls;
}

// exporter-toolkit's list: only these headers, and two of them with fixed values.
void check_header(const std::string& name, const std::string& value, const std::string& key) {
  static const std::array<const char*, 5> allowed = {"Strict-Transport-Security",
                                                     "X-Content-Type-Options", "X-Frame-Options",
                                                     "X-XSS-Protection", "Content-Security-Policy"};
  const auto it = std::find_if(allowed.begin(), allowed.end(),
                               [&](const char* a) { return lower(a) == lower(name); });
  if (it == allowed.end()) {
    fail(key + ": the header " + quote_text(name) +
         " cannot be set (allowed: Strict-Transport-Security, X-Content-Type-Options, "
         "X-Frame-Options, X-XSS-Protection, Content-Security-Policy)");
  }
  if (value.empty() || std::any_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
      })) {
    fail(key + ": the value is empty or holds control characters");
  }
  const std::string n = lower(name);
  if (n == "x-content-type-options" && lower(value) != "nosniff") {
    fail(key + ": " + quote_text(value) + " is not nosniff");
  }
  if (n == "x-frame-options" && lower(value) != "deny" && lower(value) != "sameorigin") {
    fail(key + ": " + quote_text(value) + " is not deny or sameorigin");
  }
}

void parse_http(const YAML::Node& node, WebConfig* cfg) {
  for_each_entry(node, "http_server_config",
                 [&](const std::string& name, const YAML::Node& value, const std::string& key) {
                   if (name == "http2") {
                     (void)boolean(value, key);  // civetweb speaks HTTP/1.1 either way
                   } else if (name == "headers") {
                     for_each_entry(value, key,
                                    [&](const std::string& header, const YAML::Node& v,
                                        const std::string& header_key) {
                                      const std::string text = scalar(v, header_key);
                                      check_header(header, text, header_key);
                                      cfg->headers.emplace_back(header, text);
                                    });
                   } else {
                     unknown(key);
                   }
                 });
}

void parse_users(const YAML::Node& node, WebConfig* cfg) {
  for_each_entry(node, "basic_auth_users",
                 [&](const std::string& user, const YAML::Node& value, const std::string& key) {
                   if (user.empty() || user.find(':') != std::string::npos ||
                       std::any_of(user.begin(), user.end(),
                                   [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
                     fail("basic_auth_users: the user name " + quote_text(user) +
                          " is empty or holds ':' or control characters");
                   }
                   const std::string hash = scalar(value, key);
                   if (!is_bcrypt_hash(hash)) {
                     // Never the hash itself in the message: it is a secret of sorts.
                     fail(key +
                          ": is not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, "
                          "60 characters; make one with htpasswd -nBC 10 \"\" | tr -d ':\\n')");
                   }
                   cfg->users[user] = hash;
                 });
}

}  // namespace

bool is_bcrypt_hash(std::string_view hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') {
    return false;
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') {
    return false;
  }
  if (std::isdigit(static_cast<unsigned char>(hash[4])) == 0 ||
      std::isdigit(static_cast<unsigned char>(hash[5])) == 0) {
    return false;
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) {
    return false;
  }
  return std::all_of(hash.begin() + 7, hash.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '/';
  });
}

std::optional<int> parse_tls_version(std::string_view name) {
  if (name == "TLS10") {
    return TLS1_VERSION;
  }
  if (name == "TLS11") {
    return TLS1_1_VERSION;
  }
  if (name == "TLS12") {
    return TLS1_2_VERSION;
  }
  if (name == "TLS13") {
    return TLS1_3_VERSION;
  }
  return std::nullopt;
}

std::string tls_version_name(int version) {
  switch (version) {
    case TLS1_VERSION:
      return "TLS10";
    case TLS1_1_VERSION:
      return "TLS11";
    case TLS1_2_VERSION:
      return "TLS12";
    case TLS1_3_VERSION:
      return "TLS13";
    default:
      return "TLS(" + std::to_string(version) + ")";
  }
}

std::optional<WebConfig> parse_web_config(std::string_view text, const std::string& base_dir,
                                          std::string* error) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    *error = "line " + std::to_string(e.mark.line + 1) + ", column " +
             std::to_string(e.mark.column + 1) + ": " + e.msg;
    return std::nullopt;
  }
  WebConfig cfg;
  try {
    if (!root.IsNull() && !root.IsMap()) {
      fail(std::string("expected a map at the top level, got ") + yaml_node_kind(root));
    }
    for_each_entry(root, "",
                   [&](const std::string& name, const YAML::Node& value, const std::string& key) {
                     if (name == "tls_server_config") {
                       bool any = false;
                       TlsServerConfig tls = parse_tls(value, base_dir, &any);
                       if (any) {
                         cfg.tls = std::move(tls);
                       }
                     } else if (name == "http_server_config") {
                       parse_http(value, &cfg);
                     } else if (name == "basic_auth_users") {
                       parse_users(value, &cfg);
                     } else if (name == "rate_limit") {
                       unsupported(key, "see --web.max-requests");
                     } else {
                       unknown(key);
                     }
                   });
  } catch (const Failure& f) {
    *error = f.message;
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    *error = e.what();
    return std::nullopt;
  }
  return cfg;
}

}  // namespace ndes::web
