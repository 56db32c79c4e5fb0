#include "renew/hook_config.h"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <utility>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "renew/decide.h"
#include "renew/placeholders.h"
#include "base/process.h"
#include "base/text.h"
#include "base/time.h"
#include "renew/verify.h"
#include "web/http_server.h"
#include "base/yaml_kind.h"

#ifndef NDES_VERSION
#define NDES_VERSION "unknown"
#endif
#ifndef NDES_REVISION
#define NDES_REVISION "unknown"
#endif

namespace ndes::renew {
namespace {

constexpr const char* kProgram = "ndes_renew_hook";

// "value" with control characters escaped, so every message stays on one line.
std::string quote_value(std::string_view value) { return "\"" + printable(value, 200) + "\""; }

std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i > 0 ? std::string(sep) : std::string()) + items[i];
  }
  return out;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return "";
  }
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

std::optional<bool> parse_bool(std::string_view text) {
  const std::string v = lower(trim(text));
  if (v == "true" || v == "yes" || v == "on" || v == "1") {
    return true;
  }
  if (v == "false" || v == "no" || v == "off" || v == "0") {
    return false;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Value setters, shared by flags and the config file: "" or the body of an error.

using Values = std::vector<std::string>;
using Setter = std::function<std::string(HookConfig&, const Values&)>;

std::string one_of(const std::string& value, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
    return "";
  }
  return quote_value(value) + " is not one of " + join(allowed, ", ");
}

Setter set_path(std::string HookConfig::*field) {
  return [field](HookConfig& cfg, const Values& v) -> std::string {
    if (v.back().empty()) {
      return "an empty path is not allowed";
    }
    cfg.*field = v.back();
    return "";
  };
}

Setter set_flag(bool HookConfig::*field) {
  return [field](HookConfig& cfg, const Values& v) -> std::string {
    const auto b = parse_bool(v.back());
    if (!b) {
      return quote_value(v.back()) + " is not true or false";
    }
    cfg.*field = *b;
    return "";
  };
}

// Comma-separated names (repeatable): no empty names, no control characters.
Setter set_names(std::vector<std::string> HookConfig::*field) {
  return [field](HookConfig& cfg, const Values& v) -> std::string {
    std::vector<std::string> names;
    for (const auto& value : v) {
      std::stringstream ss(value);
      std::string item;
      while (std::getline(ss, item, ',')) {
        item = trim(item);
        if (item.empty()) {
          continue;
        }
        if (printable(item, item.size()) != item) {
          return quote_value(item) + " has control characters";
        }
        if (std::find(names.begin(), names.end(), item) == names.end()) {
          names.push_back(item);
        }
      }
    }
    if (names.empty()) {
      return "names nothing";
    }
    cfg.*field = std::move(names);
    return "";
  };
}

std::string set_listen_address(HookConfig& cfg, const Values& v) {
  std::string reason;
  if (!parse_listen_address(v.back(), &reason)) {
    return quote_value(v.back()) + " " + reason;
  }
  cfg.listen_address = v.back();
  return "";
}

std::string set_max_requests(HookConfig& cfg, const Values& v) {
  const auto n = parse_web_max_requests(v.back());
  if (!n) {
    return quote_value(v.back()) + " is not a number from 1 to 99999";
  }
  cfg.web_max_requests = *n;
  return "";
}

std::string set_mode(HookConfig& cfg, const Values& v) {
  const auto mode = mode_from_string(v.back());
  if (!mode) {
    return one_of(v.back(), {"dry-run", "execute"});
  }
  cfg.mode = *mode;
  return "";
}

std::string set_executor(HookConfig& cfg, const Values& v) {
  auto err = one_of(v.back(), {"windows", "command"});
  if (err.empty()) {
    cfg.executor = v.back();
  }
  return err;
}

std::string set_ca_config(HookConfig& cfg, const Values& v) {
  if (!is_ca_config(v.back())) {
    return quote_value(v.back()) + " is not <ca-host>\\<ca-name>";
  }
  cfg.ca_config = v.back();
  return "";
}

std::string set_service_account(HookConfig& cfg, const Values& v) {
  if (!is_service_account(v.back())) {
    return quote_value(v.back()) + " is not DOMAIN\\name";
  }
  cfg.service_account = v.back();
  return "";
}

std::string set_instance(HookConfig& cfg, const Values& v) {
  const std::string host = normalize_instance(v.back());
  if (!is_instance_name(host)) {
    return quote_value(v.back()) + " is not a host name";
  }
  cfg.instance = host;
  return "";
}

std::string set_command_argv(HookConfig& cfg, const Values& v) {
  if (v.empty() || v.front().empty()) {
    return "the program (the first element) is empty";
  }
  if (auto err = check_argv_template(v); !err.empty()) {
    return err;
  }
  for (const auto& name : placeholder_names()) {
    if (v.front().find("{" + name + "}") != std::string::npos) {
      return "the program (the first element) may not hold a placeholder";
    }
  }
  cfg.command.argv = v;
  return "";
}

std::string set_command_timeout(HookConfig& cfg, const Values& v) {
  const auto secs = parse_duration_seconds(v.back());
  if (!secs) {
    return quote_value(v.back()) + " is not a duration (e.g. 120s, 5m, 1h)";
  }
  cfg.command.timeout_seconds = *secs;
  return "";
}

std::string set_log_level(HookConfig& cfg, const Values& v) {
  auto err = one_of(v.back(), {"debug", "info", "warn", "error"});
  if (err.empty()) {
    cfg.log_level = v.back();
  }
  return err;
}

std::string set_log_format(HookConfig& cfg, const Values& v) {
  auto err = one_of(v.back(), {"logfmt", "json"});
  if (err.empty()) {
    cfg.log_format = v.back();
  }
  return err;
}

// ---------------------------------------------------------------------------
// The settings that are both a flag and a config-file key.

enum class Kind {
  text,   // one value; the last one wins
  names,  // comma-separated, repeatable; the command line replaces the file's list
  argv,   // repeatable, one element per flag (no comma splitting)
  flag,   // boolean switch
};

struct Setting {
  std::string key;  // "web.listen-address"; the flag is "--" + key
  Kind kind;
  std::string type_name;
  std::string help;
  std::string default_text;
  Setter set;
};

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"web.listen-address", Kind::text, "ADDRESS", "Address to listen on (Alertmanager only)",
       "127.0.0.1:10228", set_listen_address},
      {"web.auth-token-file", Kind::text, "FILE",
       "File holding the bearer token Alertmanager and admins send", "",
       set_path(&HookConfig::auth_token_file)},
      {"web.insecure-no-auth", Kind::flag, "", "Accept requests without a token (tests only)", "",
       set_flag(&HookConfig::insecure_no_auth)},
      {"web.config.file", Kind::text, "FILE",
       "exporter-toolkit web config: TLS, basic auth (an alternative to the token), headers", "",
       set_path(&HookConfig::web_config_file)},
      {"web.max-requests", Kind::text, "N",
       "Requests handled at once; more wait up to 5s, then get 503", "16", set_max_requests},
      {"state.dir", Kind::text, "DIR", "Directory for the journal, the audit log and work files",
       "", set_path(&HookConfig::state_dir)},
      {"mode", Kind::text, "MODE", "dry-run (record the plan only) or execute", "dry-run",
       set_mode},
      {"executor", Kind::text, "NAME", "windows (certreq) or command (the configured argv)",
       "windows", set_executor},
      {"ca.config", Kind::text, "HOST\\CA",
       "certreq -config; when absent, discovered from AD (Windows)", "", set_ca_config},
      {"service-account", Kind::text, "DOMAIN\\NAME", "Account granted Read on the new private key",
       "", set_service_account},
      {"remove-old-certs", Kind::flag, "", "Remove superseded certificates of the template", "",
       set_flag(&HookConfig::remove_old_certs)},
      {"restart-stack", Kind::flag, "", "Run iisreset and restart the connector services", "",
       set_flag(&HookConfig::restart_stack)},
      {"instance", Kind::text, "NAME",
       "Act only on alerts whose instance label is this host (port ignored)", "the host name",
       set_instance},
      {"alerts.names", Kind::names, "NAMES", "Alert names acted on (comma-separated)",
       "NdesCertificateExpiringSoon,NdesCertificateExpired", set_names(&HookConfig::alertnames)},
      {"templates.allowed", Kind::names, "NAMES", "Templates that may be renewed",
       "CEPEncryption,EnrollmentAgentOffline", set_names(&HookConfig::templates)},
      {"restart.services", Kind::names, "NAMES",
       "Services restarted with --restart-stack (comma-separated)", "PFXCertificateConnectorSvc",
       set_names(&HookConfig::restart_services)},
      {"command.argv", Kind::argv, "ARG",
       "executor=command: one argv element per flag; {thumbprint} {template} {role} "
       "{instance} {id} are replaced",
       "", set_command_argv},
      {"command.timeout", Kind::text, "DURATION", "executor=command: kill the command after this",
       "120s", set_command_timeout},
      {"audit.file", Kind::text, "FILE", "Audit log file", "<state.dir>/audit.log",
       set_path(&HookConfig::audit_file)},
      {"log.level", Kind::text, "LEVEL", "debug, info, warn, error", "info", set_log_level},
      {"log.format", Kind::text, "FORMAT", "logfmt or json (stderr and the audit log)", "logfmt",
       set_log_format},
  };
  return table;
}

const Setting* find_setting(std::string_view key) {
  for (const auto& s : settings()) {
    if (s.key == key) {
      return &s;
    }
  }
  return nullptr;
}

bool has_children(std::string_view key) {
  const std::string prefix = std::string(key) + ".";
  return std::any_of(settings().begin(), settings().end(),
                     [&](const Setting& s) { return s.key.rfind(prefix, 0) == 0; });
}

// ---------------------------------------------------------------------------
// Config file

std::string expect_scalar(const YAML::Node& node, const std::string& key, const char* want) {
  if (node.IsScalar()) {
    return "";
  }
  if (node.IsNull()) {
    return key + ": has no value";
  }
  return key + ": expected " + want + ", got " + yaml_node_kind(node);
}

std::string read_setting(const Setting& setting, HookConfig& cfg, const YAML::Node& node,
                         const std::string& key) {
  Values values;
  const bool many = setting.kind == Kind::names || setting.kind == Kind::argv;
  if (many && node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (auto err = expect_scalar(node[i], key + "[" + std::to_string(i) + "]", "a string");
          !err.empty()) {
        return err;
      }
      values.push_back(node[i].Scalar());
    }
    if (values.empty()) {
      return key + ": the list is empty";
    }
  } else {
    const char* want = setting.kind == Kind::flag ? "true or false"
                       : many                     ? "a string or a list of strings"
                                                  : "a string";
    if (auto err = expect_scalar(node, key, want); !err.empty()) {
      return err;
    }
    values.push_back(node.Scalar());
  }
  if (auto err = setting.set(cfg, values); !err.empty()) {
    return key + ": " + err;
  }
  return "";
}

std::string read_map(HookConfig& cfg, const YAML::Node& node, const std::string& prefix) {
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      return (prefix.empty() ? std::string("top level") : prefix) + ": a key is not a string";
    }
    const std::string key = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
    const YAML::Node& value = kv.second;
    std::string err;
    if (const Setting* setting = find_setting(key);
        setting != nullptr && !(value.IsMap() && has_children(key))) {
      err = read_setting(*setting, cfg, value, key);
    } else if (has_children(key)) {
      if (value.IsNull()) {
        continue;
      }
      if (!value.IsMap()) {
        return key + ": expected a map, got " + yaml_node_kind(value);
      }
      err = read_map(cfg, value, key);
    } else {
      return "key " + key + " is not known";
    }
    if (!err.empty()) {
      return err;
    }
  }
  return "";
}

std::string read_config_file(const std::string& path, HookConfig& cfg) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "--config.file: cannot read " + quote_value(path) + ": " + std::strerror(errno);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(buffer.str());
  } catch (const YAML::ParserException& e) {
    return path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
           ": " + e.msg;
  }
  try {
    if (root.IsNull()) {
      return "";
    }
    if (!root.IsMap()) {
      return path + ": expected a map at the top level, got " + yaml_node_kind(root);
    }
    if (auto err = read_map(cfg, root, ""); !err.empty()) {
      return path + ": " + err;
    }
  } catch (const YAML::Exception& e) {
    return path + ": " + e.what();
  }
  return "";
}

// The checks across settings, after the file and the flags.
std::string check_config(HookConfig& cfg) {
  if (cfg.state_dir.empty()) {
    return "--state.dir is required (the journal lives there)";
  }
  if (cfg.auth_token_file.empty() && !cfg.insecure_no_auth) {
    return "--web.auth-token-file is required (or --web.insecure-no-auth, for tests only)";
  }
  if (cfg.instance.empty()) {
    return "--instance is required: the host name is unknown";
  }
  if (cfg.executor == "command") {
    if (cfg.command.argv.empty()) {
      return "--executor=command needs --command.argv (or command: {argv: [...]} in the file)";
    }
    const std::string program = find_program(cfg.command.argv.front());
    if (program.empty()) {
      return "--command.argv: program " + quote_value(cfg.command.argv.front()) +
             " is not found in the clean PATH (give an absolute path)";
    }
    cfg.command.argv.front() = program;
  }
#ifndef _WIN32
  if (cfg.executor == "windows" && cfg.mode == Mode::execute) {
    return "--executor=windows runs on Windows only: use --mode=dry-run here, or "
           "--executor=command";
  }
#endif
  if (cfg.audit_file.empty()) {
    cfg.audit_file = (std::filesystem::path(cfg.state_dir) / "audit.log").string();
  }
  return "";
}

struct RawFlag {
  const Setting* setting = nullptr;
  CLI::Option* option = nullptr;
  std::string text;
  std::vector<std::string> list;
  bool flag = false;
};

}  // namespace

std::string local_host_name() {
#ifdef _WIN32
  std::array<char, 256> buf{};
  DWORD size = static_cast<DWORD>(buf.size());
  if (GetComputerNameExA(ComputerNameDnsHostname, buf.data(), &size) == 0) {
    return "";
  }
  return lower(std::string(buf.data(), size));
#else
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0) {
    return "";
  }
  return lower(buf.data());
#endif
}

HookParseOutcome parse_hook_command_line(int argc, const char* const* argv,
                                         const std::string& default_instance) {
  HookParseOutcome out;
  const auto fail = [&](std::string_view body) {
    out.config.reset();
    out.exit_code = 2;
    out.message = std::string(kProgram) + ": error: " + one_line(std::string(body));
    return out;
  };

  CLI::App app{
      "Renews the NDES RA certificates (CEP Encryption, Exchange Enrollment Agent) when "
      "Alertmanager reports them expiring. Needs admin rights; the exporter does not.",
      kProgram};
  app.allow_extras(true);
  app.get_formatter()->column_width(48);

  std::string config_file;
  bool version = false;
  CLI::Option* config_opt =
      app.add_option("--config.file", config_file, "YAML configuration file; flags beat it")
          ->type_name("FILE");
  app.add_flag("--version", version, "Show the version and exit");

  std::vector<RawFlag> raw(settings().size());
  for (std::size_t i = 0; i < settings().size(); ++i) {
    const Setting& s = settings()[i];
    RawFlag& r = raw[i];
    r.setting = &s;
    const std::string name = "--" + s.key;
    switch (s.kind) {
      case Kind::text:
        r.option = app.add_option(name, r.text, s.help)
                       ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
        break;
      case Kind::names:
        r.option = app.add_option(name, r.list, s.help)->allow_extra_args(false)->delimiter(',');
        break;
      case Kind::argv:
        r.option = app.add_option(name, r.list, s.help)->allow_extra_args(false);
        break;
      case Kind::flag:
        r.option = app.add_flag(name, r.flag, s.help);
        break;
    }
    if (!s.type_name.empty()) {
      r.option->type_name(s.type_name);
    }
    if (!s.default_text.empty()) {
      r.option->default_str(s.default_text);
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out.exit_code = 0;
    out.message = app.help();
    return out;
  } catch (const CLI::ParseError& e) {
    return fail(e.what());
  }
  if (const std::vector<std::string> remaining = app.remaining(); !remaining.empty()) {
    const std::string& arg = remaining.front();  // remaining() returns a copy: keep it
    if (arg.size() > 1 && arg.front() == '-') {
      return fail("unknown flag " + arg.substr(0, arg.find('=')) + " (see --help)");
    }
    return fail("unexpected argument " + quote_value(arg) + " (flags take the form --name=value)");
  }
  if (version) {
    out.exit_code = 0;
    out.message = std::string(kProgram) + ", version " + NDES_VERSION +
                  " (revision: " + NDES_REVISION + ")\n";
    return out;
  }

  HookConfig cfg;
  cfg.instance = normalize_instance(default_instance);
  if (config_opt->count() > 0) {
    if (config_file.empty()) {
      return fail("--config.file: an empty path is not allowed");
    }
    if (auto err = read_config_file(config_file, cfg); !err.empty()) {
      return fail(err);
    }
  }
  for (const RawFlag& r : raw) {
    if (r.option->count() == 0) {
      continue;
    }
    Values values;
    switch (r.setting->kind) {
      case Kind::text:
        values.push_back(r.text);
        break;
      case Kind::names:
      case Kind::argv:
        values = r.list;
        if (values.empty()) {
          values.emplace_back();
        }
        break;
      case Kind::flag:
        values.emplace_back(r.flag ? "true" : "false");
        break;
    }
    if (auto err = r.setting->set(cfg, values); !err.empty()) {
      return fail("--" + r.setting->key + ": " + err);
    }
  }
  if (auto err = check_config(cfg); !err.empty()) {
    return fail(err);
  }
  out.exit_code = 0;
  out.config = std::move(cfg);
  return out;
}

}  // namespace ndes::renew
