#include "exporter/config.h"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <utility>

#ifdef _WIN32
#include "collectors/certstore/store_name.h"
#endif
#include "exporter/probe_config_yaml.h"
#include "exporter/renew_hook_view.h"
#include "exporter/version.h"
#include "ndes/collect/collector.h"
#include "web/http_server.h"
#include "base/yaml_kind.h"

namespace ndes {
namespace {

constexpr const char* kProgram = "ndes_exporter";

// ---------------------------------------------------------------------------
// Small helpers

// "value" with control characters escaped, so every message stays on one line.
std::string quote_value(std::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

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
    if (i > 0) {
      out += sep;
    }
    out += items[i];
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

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
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

bool is_dotted_oid(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.' ||
      text.find('.') == std::string_view::npos || text.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == '.' || std::isdigit(static_cast<unsigned char>(c));
  });
}

std::string error_line(std::string_view body) {
  return std::string(kProgram) + ": error: " + one_line(std::string(body));
}

// ---------------------------------------------------------------------------
// Value setters: shared by flags and the config file. Each returns "" or the body
// of an error ("\"loud\" is not one of ..."), without naming the flag or key.

using Values = std::vector<std::string>;
using Setter = std::function<std::string(ExporterConfig&, const Values&)>;

std::string one_of(const std::string& value, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
    return "";
  }
  return quote_value(value) + " is not one of " + join(allowed, ", ");
}

std::string set_listen_address(ExporterConfig& cfg, const Values& v) {
  std::string reason;
  if (!parse_listen_address(v.back(), &reason)) {
    return quote_value(v.back()) + " " + reason;
  }
  cfg.listen_address = v.back();
  return "";
}

std::string set_telemetry_path(ExporterConfig& cfg, const Values& v) {
  const std::string& path = v.back();
  if (path.empty() || path.front() != '/') {
    return quote_value(path) + " must start with /";
  }
  if (path == "/" || path == "/healthz") {
    return quote_value(path) + " is taken by the exporter itself";
  }
  if (std::any_of(path.begin(), path.end(), [](char c) {
        return c == '?' || c == '#' || std::isspace(static_cast<unsigned char>(c)) != 0;
      })) {
    return quote_value(path) + " must be a plain path (no spaces, ? or #)";
  }
  cfg.telemetry_path = path;
  return "";
}

std::string set_collectors(ExporterConfig& cfg, const Values& v) {
  std::vector<std::string> names;
  for (const auto& value : v) {
    std::stringstream ss(value);
    std::string item;
    while (std::getline(ss, item, ',')) {
      item = trim(item);
      if (item.empty()) {
        continue;
      }
      if (!CollectorRegistry::instance().contains(item)) {
        const auto known = CollectorRegistry::instance().names();
        return quote_value(item) + " is not a known collector (known: " +
               (known.empty() ? std::string("none") : join(known, ", ")) + ")";
      }
      if (std::find(names.begin(), names.end(), item) == names.end()) {
        names.push_back(item);
      }
    }
  }
  if (names.empty()) {
    return "names no collector";
  }
  cfg.collectors_enabled = std::move(names);
  return "";
}

std::string set_files_paths(ExporterConfig& cfg, const Values& v) {
  std::vector<FilesRoot> roots;
  for (const auto& path : v) {
    if (path.empty()) {
      return "an empty path is not allowed";
    }
    roots.push_back(FilesRoot{path, std::nullopt});
  }
  cfg.files.roots = std::move(roots);
  return "";
}

std::string set_passphrase_file(ExporterConfig& cfg, const Values& v) {
  if (v.back().empty()) {
    return "an empty path is not allowed";
  }
  cfg.files.pkcs12_passphrase_file = v.back();
  return "";
}

std::string set_max_file_size(ExporterConfig& cfg, const Values& v) {
  const auto size = parse_byte_size(v.back());
  if (!size) {
    return quote_value(v.back()) + " is not a size in bytes (e.g. 1048576, 512KiB, 1MiB)";
  }
  if (*size == 0) {
    return quote_value(v.back()) + " must be more than 0";
  }
  cfg.files.max_file_size = static_cast<std::size_t>(*size);
  return "";
}

// A true/false setting into `target`; "" or what is wrong with the value.
std::string set_bool(bool& target, const Values& v) {
  const auto b = parse_bool(v.back());
  if (!b) {
    return quote_value(v.back()) + " is not true or false";
  }
  target = *b;
  return "";
}

std::string set_files_watch(ExporterConfig& cfg, const Values& v) {
  return set_bool(cfg.files.watch, v);
}

std::string set_log_level(ExporterConfig& cfg, const Values& v) {
  auto err = one_of(v.back(), {"debug", "info", "warn", "error"});
  if (err.empty()) {
    cfg.log_level = v.back();
  }
  return err;
}

std::string set_log_format(ExporterConfig& cfg, const Values& v) {
  auto err = one_of(v.back(), {"logfmt", "json"});
  if (err.empty()) {
    cfg.log_format = v.back();
  }
  return err;
}

std::string set_demo(ExporterConfig& cfg, const Values& v) { return set_bool(cfg.demo, v); }

std::string set_demo_dir(ExporterConfig& cfg, const Values& v) {
  if (v.back().empty()) {
    return "an empty path is not allowed";
  }
  cfg.demo_dir = v.back();
  return "";
}

std::string set_renew_hook_url(ExporterConfig& cfg, const Values& v) {
  std::string reason;
  if (!parse_hook_url(v.back(), &reason)) {
    return quote_value(v.back()) + " " + reason;
  }
  cfg.renew_hook.url = v.back();
  return "";
}

std::string set_renew_hook_token_file(ExporterConfig& cfg, const Values& v) {
  if (v.back().empty()) {
    return "an empty path is not allowed";
  }
  cfg.renew_hook.auth_token_file = v.back();
  return "";
}

#ifdef _WIN32
// The certstore collector (Windows only).
std::string set_certstore_stores(ExporterConfig& cfg, const Values& v) {
  std::vector<std::string> stores;
  for (const auto& name : v) {
    std::string reason;
    if (!certstore::parse_store_name(name, &reason)) {
      return reason;
    }
    stores.push_back(name);
  }
  cfg.certstore.stores = std::move(stores);
  return "";
}

std::string set_certstore_key_readers(ExporterConfig& cfg, const Values& v) {
  for (const auto& name : v) {
    if (trim(name).empty()) {
      return "an empty identity is not allowed";
    }
  }
  cfg.certstore.key_readers = v;
  return "";
}

std::string set_certstore_service_account(ExporterConfig& cfg, const Values& v) {
  cfg.certstore.service_account = trim(v.back());
  return "";
}

// The Windows health collectors.
std::string non_empty_list(std::vector<std::string>& out, const Values& v, const char* what) {
  std::vector<std::string> items;
  for (const auto& item : v) {
    if (trim(item).empty()) {
      return std::string("an empty ") + what + " is not allowed";
    }
    items.push_back(trim(item));
  }
  out = std::move(items);
  return "";
}

std::string set_services_names(ExporterConfig& cfg, const Values& v) {
  return non_empty_list(cfg.services.names, v, "service name");
}

std::string set_iis_pools(ExporterConfig& cfg, const Values& v) {
  return non_empty_list(cfg.iis.app_pools, v, "application pool name");
}

std::string set_iis_config_file(ExporterConfig& cfg, const Values& v) {
  if (v.back().empty()) {
    return "an empty path is not allowed";
  }
  cfg.iis.config_file = v.back();
  return "";
}

std::string set_iis_appcmd(ExporterConfig& cfg, const Values& v) {
  if (v.back().empty()) {
    return "an empty path is not allowed";
  }
  cfg.iis.appcmd = v.back();
  return "";
}

// "LOG", "LOG|PROVIDER" or "LOG|PROVIDER|ID,ID,..." (PROVIDER may be empty).
std::string set_eventlog_sources(ExporterConfig& cfg, const Values& v) {
  std::vector<EventlogSource> sources;
  for (const auto& text : v) {
    std::vector<std::string> parts;
    std::stringstream ss(text);
    for (std::string part; std::getline(ss, part, '|');) {
      parts.push_back(trim(part));
    }
    if (parts.empty() || parts[0].empty() || parts.size() > 3) {
      return quote_value(text) + " is not LOG, LOG|PROVIDER or LOG|PROVIDER|ID,ID,...";
    }
    EventlogSource source{parts[0], parts.size() > 1 ? parts[1] : "", {}};
    if (parts.size() == 3) {
      std::stringstream ids(parts[2]);
      for (std::string id; std::getline(ids, id, ',');) {
        id = trim(id);
        if (id.empty() || id.size() > 5 ||
            id.find_first_not_of("0123456789") != std::string::npos || std::stoul(id) > 65535) {
          return quote_value(text) + ": " + quote_value(id) + " is not an event ID (0-65535)";
        }
        source.event_ids.push_back(static_cast<unsigned>(std::stoul(id)));
      }
    }
    sources.push_back(std::move(source));
  }
  cfg.eventlog.sources = std::move(sources);
  return "";
}

std::string set_eventlog_max_events(ExporterConfig& cfg, const Values& v) {
  const std::string t = trim(v.back());
  if (t.empty() || t.size() > 7 || t.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(t) == 0) {
    return quote_value(v.back()) + " is not a number of events from 1 to 9999999";
  }
  cfg.eventlog.max_events_per_scrape = static_cast<unsigned>(std::stoul(t));
  return "";
}

// 0, seconds with s/m suffixes (as probe timeouts), or whole hours ("24h", "168h").
std::string set_eventlog_look_back(ExporterConfig& cfg, const Values& v) {
  const std::string t = trim(v.back());
  const std::string bad = quote_value(v.back()) + " is not a duration (e.g. 24h, 90m, 0)";
  if (t == "0") {
    cfg.eventlog.look_back_seconds = 0;
    return "";
  }
  if (t.size() > 1 && t.back() == 'h') {
    const std::string hours = t.substr(0, t.size() - 1);
    if (hours.size() > 5 || hours.find_first_not_of("0123456789") != std::string::npos) {
      return bad;
    }
    cfg.eventlog.look_back_seconds = static_cast<unsigned>(std::stoul(hours) * 3600);
    return "";
  }
  const auto d = parse_duration(t);
  if (!d) {
    return bad;
  }
  cfg.eventlog.look_back_seconds = static_cast<unsigned>(d->count() / 1000);
  return "";
}

std::string set_eventlog_xml_dir(ExporterConfig& cfg, const Values& v) {
  if (v.back().empty()) {
    return "an empty path is not allowed";
  }
  cfg.eventlog.xml_dir = v.back();
  return "";
}
#endif

std::string set_web_config_file(ExporterConfig& cfg, const Values& v) {
  if (v.back().empty()) {
    return "an empty path is not allowed";
  }
  cfg.web_config_file = v.back();
  return "";
}

// A count of 1 to 99999 into `target`; "" or what is wrong with the value.
std::string set_web_count(int& target, const Values& v) {
  const auto n = parse_web_max_requests(v.back());
  if (!n) {
    return quote_value(v.back()) + " is not a number from 1 to 99999";
  }
  target = *n;
  return "";
}

std::string set_web_max_requests(ExporterConfig& cfg, const Values& v) {
  return set_web_count(cfg.web_max_requests, v);
}

std::string set_web_max_connections(ExporterConfig& cfg, const Values& v) {
  return set_web_count(cfg.web_max_connections, v);
}

// ---------------------------------------------------------------------------
// The table of settings that are both a flag and a config-file key.

enum class Kind {
  text,  // one value; the last one given wins
  list,  // repeatable; the command line replaces the file's list
  flag,  // boolean switch
};

// A config-file reader for one key: returns "" or the message after "<file>: ".
using YamlReader =
    std::function<std::string(ExporterConfig&, const YAML::Node&, const std::string& key)>;

struct Setting {
  std::string key;  // "web.listen-address"; the flag is "--" + key
  Kind kind;
  std::string type_name;  // for --help: ADDRESS, PATH...
  std::string help;
  std::string default_text;  // for --help; "" = none
  Setter set;
  YamlReader read_yaml;  // null: the generic reader
};

std::string read_files_paths(ExporterConfig& cfg, const YAML::Node& node, const std::string& key);

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"web.listen-address", Kind::text, "ADDRESS",
       "Address to listen on for the web interface and telemetry", ":10227", set_listen_address,
       nullptr},
      {"web.telemetry-path", Kind::text, "PATH", "Path under which to expose metrics", "/metrics",
       set_telemetry_path, nullptr},
      {"collectors.enabled", Kind::list, "NAMES", "Comma-separated list of collectors to run",
#ifdef _WIN32
       "certstore",
#else
       "files",
#endif
       set_collectors, nullptr},
      {"collector.files.path", Kind::list, "PATH",
       "File or directory to scan for certificates (repeatable)", "", set_files_paths,
       read_files_paths},
      {"collector.files.pkcs12-passphrase-file", Kind::text, "FILE",
       "File holding the passphrase for PKCS#12 (.pfx/.p12) files", "", set_passphrase_file,
       nullptr},
      {"collector.files.max-file-size", Kind::text, "BYTES",
       "Larger files are reported as too_large (bytes; KiB/MiB/KB/MB suffixes)", "1MiB",
       set_max_file_size, nullptr},
      {"collector.files.watch", Kind::flag, "",
       "Watch the roots for changes (inotify) and walk them only after one; =false walks them "
       "on every scrape (network file systems always are)",
       "true", set_files_watch, nullptr},
#ifdef _WIN32
      {"collector.certstore.store", Kind::list, "STORE",
       "Windows certificate store to read, Location\\Name (repeatable)", "LocalMachine\\My",
       set_certstore_stores, nullptr},
      {"collector.certstore.key-reader", Kind::list, "IDENTITY",
       "Account whose read access to each private key is reported (repeatable; default: the "
       "service account)",
       "", set_certstore_key_readers, nullptr},
      {"collector.certstore.service-account", Kind::text, "ACCOUNT",
       "The NDES service account, e.g. CORP\\svc-ndes", "", set_certstore_service_account, nullptr},
      {"collector.services.name", Kind::list, "NAME",
       "Windows service to report (repeatable; default: IIS, WAS and the Intune connectors)", "",
       set_services_names, nullptr},
      {"collector.iis.app-pool", Kind::list, "POOL", "IIS application pool to report (repeatable)",
       "SCEP", set_iis_pools, nullptr},
      {"collector.iis.config-file", Kind::text, "FILE",
       "IIS applicationHost.config (default: %windir%\\System32\\inetsrv\\config\\...)", "",
       set_iis_config_file, nullptr},
      {"collector.iis.appcmd", Kind::text, "FILE",
       "appcmd.exe for the live pool state (default: %windir%\\System32\\inetsrv\\appcmd.exe)", "",
       set_iis_appcmd, nullptr},
      {"collector.eventlog.source", Kind::list, "LOG|PROVIDER|IDS",
       "Event log source: LOG, LOG|PROVIDER or LOG|PROVIDER|ID,ID (repeatable; default: NDES "
       "events 1,2,3,10,31 and the Intune connector logs)",
       "", set_eventlog_sources, nullptr},
      {"collector.eventlog.max-events", Kind::text, "N",
       "Events read per source and scrape at most (the rest on the next scrape)", "1000",
       set_eventlog_max_events, nullptr},
      {"collector.eventlog.look-back", Kind::text, "DURATION",
       "How far back the first scrape reads (e.g. 24h, 0)", "24h", set_eventlog_look_back, nullptr},
      {"collector.eventlog.xml-dir", Kind::text, "DIR",
       "Read exported events (wevtutil qe /f:xml files) from DIR instead of the live log: for "
       "offline analysis of an export and where the event log API is missing (wine)",
       "", set_eventlog_xml_dir, nullptr},
#endif
      {"log.level", Kind::text, "LEVEL",
       "Only log messages with the given severity or above: debug, "
       "info, warn, error",
       "info", set_log_level, nullptr},
      {"log.format", Kind::text, "FORMAT", "Output format of log messages: logfmt, json", "logfmt",
       set_log_format, nullptr},
      {"demo", Kind::flag, "", "Serve a generated NDES-like demo certificate store", "", set_demo,
       nullptr},
      {"demo.dir", Kind::text, "DIR", "Where --demo writes its store (default: a fresh temp dir)",
       "", set_demo_dir, nullptr},
      {"renew-hook.url", Kind::text, "URL",
       "ndes_renew_hook's address (http://127.0.0.1:10228): the landing page links to its "
       "/renewals and shows the last renewal per template",
       "", set_renew_hook_url, nullptr},
      {"renew-hook.auth-token-file", Kind::text, "FILE",
       "File holding the hook's bearer token, for reading its /renewals", "",
       set_renew_hook_token_file, nullptr},
      {"web.config.file", Kind::text, "FILE",
       "exporter-toolkit web config: TLS, basic auth, headers (re-read on change)", "",
       set_web_config_file, nullptr},
      {"web.max-requests", Kind::text, "N",
       "Requests handled at once; more wait up to 5s, then get 503", "16", set_web_max_requests,
       nullptr},
      {"web.max-connections", Kind::text, "N",
       "Connections served at once, a server thread each; more wait for one", "128",
       set_web_max_connections, nullptr},
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

std::string read_templates(ExporterConfig& cfg, const YAML::Node& node, const std::string& key);

// Config-only sections, handled whole (the probe ones: exporter/probe_config_yaml.h).
struct Section {
  std::string key;
  YamlReader read;
};

const std::vector<Section>& sections() {
  static const std::vector<Section> table = {
      {"templates", read_templates},   {"modules", read_probe_modules},
      {"targets", read_probe_targets}, {"crl", read_crl_section},
      {"probes", read_probes_section},
  };
  return table;
}

const Section* find_section(std::string_view key) {
  for (const auto& s : sections()) {
    if (s.key == key) {
      return &s;
    }
  }
  return nullptr;
}

std::string expect_scalar(const YAML::Node& node, const std::string& key, const char* want) {
  if (node.IsScalar()) {
    return "";
  }
  if (node.IsNull()) {
    return key + ": has no value";
  }
  return key + ": expected " + want + ", got " + yaml_node_kind(node);
}

std::string read_generic(const Setting& setting, ExporterConfig& cfg, const YAML::Node& node,
                         const std::string& key) {
  Values values;
  if (setting.kind == Kind::list && node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string item_key = key + "[" + std::to_string(i) + "]";
      if (auto err = expect_scalar(node[i], item_key, "a string"); !err.empty()) {
        return err;
      }
      values.push_back(node[i].Scalar());
    }
    if (values.empty()) {
      return key + ": the list is empty";
    }
  } else {
    const char* want = setting.kind == Kind::flag   ? "true or false"
                       : setting.kind == Kind::list ? "a string or a list of strings"
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

std::string read_files_paths(ExporterConfig& cfg, const YAML::Node& node, const std::string& key) {
  std::vector<FilesRoot> roots;
  const auto read_entry = [&](const YAML::Node& entry, const std::string& entry_key) {
    if (entry.IsScalar()) {
      if (entry.Scalar().empty()) {
        return entry_key + ": an empty path is not allowed";
      }
      roots.push_back(FilesRoot{entry.Scalar(), std::nullopt});
      return std::string();
    }
    if (!entry.IsMap()) {
      return entry_key + ": expected a path or a map {path, pkcs12_passphrase_file}, got " +
             yaml_node_kind(entry);
    }
    FilesRoot root;
    for (const auto& kv : entry) {
      const std::string name = kv.first.as<std::string>();
      std::string sub_key = entry_key;
      sub_key += ".";
      sub_key += name;
      if (name == "path" || name == "pkcs12_passphrase_file" || name == "pkcs12-passphrase-file") {
        if (auto err = expect_scalar(kv.second, sub_key, "a string"); !err.empty()) {
          return err;
        }
        if (kv.second.Scalar().empty()) {
          return sub_key + ": an empty path is not allowed";
        }
        if (name == "path") {
          root.path = kv.second.Scalar();
        } else {
          root.pkcs12_passphrase_file = kv.second.Scalar();
        }
      } else {
        return "key " + sub_key + " is not known";
      }
    }
    if (root.path.empty()) {
      return entry_key + ": has no path";
    }
    roots.push_back(std::move(root));
    return std::string();
  };
  if (node.IsSequence()) {
    if (node.size() == 0) {
      return key + ": the list is empty";
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (auto err = read_entry(node[i], key + "[" + std::to_string(i) + "]"); !err.empty()) {
        return err;
      }
    }
  } else if (node.IsNull()) {
    return key + ": has no value";
  } else if (auto err = read_entry(node, key); !err.empty()) {
    return err;
  }
  cfg.files.roots = std::move(roots);
  return "";
}

std::string read_templates(ExporterConfig& cfg, const YAML::Node& node, const std::string& key) {
  if (node.IsNull()) {
    return "";
  }
  if (!node.IsMap()) {
    return key + ": expected a map of template OID to name, got " + yaml_node_kind(node);
  }
  for (const auto& kv : node) {
    const std::string oid = kv.first.as<std::string>();
    if (!is_dotted_oid(oid)) {
      return key + ": " + quote_value(oid) + " is not a dotted OID (e.g. 1.3.6.1.4.1.311.21.8.1.2)";
    }
    std::string entry_key = key;
    entry_key += ".";
    entry_key += oid;
    if (auto err = expect_scalar(kv.second, entry_key, "a template name"); !err.empty()) {
      return err;
    }
    if (trim(kv.second.Scalar()).empty()) {
      return entry_key + ": the template name is empty";
    }
    cfg.template_names[oid] = kv.second.Scalar();
  }
  return "";
}

std::string read_map(ExporterConfig& cfg, const YAML::Node& node, const std::string& prefix) {
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      return (prefix.empty() ? std::string("top level") : prefix) + ": a key is not a string";
    }
    const std::string name = kv.first.Scalar();
    std::string key = prefix;
    if (!key.empty()) {
      key += ".";
    }
    key += name;
    const YAML::Node& value = kv.second;
    std::string err;
    const Setting* setting = find_setting(key);
    if (setting != nullptr && !(value.IsMap() && has_children(key))) {
      err = setting->read_yaml ? setting->read_yaml(cfg, value, key)
                               : read_generic(*setting, cfg, value, key);
    } else if (const Section* section = prefix.empty() ? find_section(key) : nullptr) {
      err = section->read(cfg, value, key);
    } else if (has_children(key)) {
      if (value.IsNull()) {
        continue;
      }
      if (!value.IsMap()) {
        return key + ": expected a map, got " + yaml_node_kind(value);
      }
      err = read_map(cfg, value, key);
    } else if (name == "enabled" && find_setting(prefix) != nullptr) {
      // `demo: {enabled: true, dir: /x}`: a switch that also has sub-settings.
      const Setting* parent = find_setting(prefix);
      err = read_generic(*parent, cfg, value, key);
    } else {
      return "key " + key + " is not known";
    }
    if (!err.empty()) {
      return err;
    }
  }
  return "";
}

// Reads `path` into cfg. Returns "" or a complete one-line error body.
std::string read_config_file(const std::string& path, ExporterConfig& cfg) {
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
    if (auto err = validate_probe_config(cfg.probes); !err.empty()) {
      return path + ": " + err;
    }
  } catch (const YAML::Exception& e) {
    return path + ": " + e.what();
  }
  return "";
}

// ---------------------------------------------------------------------------
// Command line

struct RawFlag {
  const Setting* setting = nullptr;
  CLI::Option* option = nullptr;
  std::string text;
  std::vector<std::string> list;
  bool flag = false;
};

std::string unexpected_arguments(const std::vector<std::string>& remaining) {
  const std::string& arg = remaining.front();
  if (arg.size() > 1 && arg.front() == '-') {
    return "unknown flag " + arg.substr(0, arg.find('=')) + " (see --help)";
  }
  return "unexpected argument " + quote_value(arg) + " (flags take the form --name=value)";
}

}  // namespace

std::vector<std::string> default_collectors() {
#ifdef _WIN32
  return {"certstore"};
#else
  return {"files"};
#endif
}

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  const std::string t = trim(text);
  std::size_t digits = 0;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits])) != 0) {
    ++digits;
  }
  if (digits == 0 || digits > 19) {
    return std::nullopt;
  }
  const std::uint64_t number = std::stoull(t.substr(0, digits));
  const std::string unit = lower(trim(std::string_view(t).substr(digits)));
  static const std::vector<std::pair<std::string, std::uint64_t>> units = {
      {"", 1},
      {"b", 1},
      {"k", 1000},
      {"kb", 1000},
      {"kib", 1024},
      {"m", 1000ULL * 1000},
      {"mb", 1000ULL * 1000},
      {"mib", 1024ULL * 1024},
      {"g", 1000ULL * 1000 * 1000},
      {"gb", 1000ULL * 1000 * 1000},
      {"gib", 1024ULL * 1024 * 1024},
  };
  for (const auto& [name, factor] : units) {
    if (unit == name) {
      if (number > UINT64_MAX / factor) {
        return std::nullopt;
      }
      return number * factor;
    }
  }
  return std::nullopt;
}

ParseOutcome parse_command_line(int argc, const char* const* argv) {
  ParseOutcome out;
  const auto fail = [&](std::string_view body) {
    out.config.reset();
    out.exit_code = 2;
    out.message = error_line(body);
    return out;
  };

  CLI::App app{
      "Prometheus exporter for the certificates of Microsoft NDES / Intune SCEP: the RA "
      "certificates, the SSL certificate, the Intune connector identity and the issuing CA.",
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
      case Kind::list:
        r.option = app.add_option(name, r.list, s.help)->allow_extra_args(false);
        if (s.key == "collectors.enabled") {
          r.option->delimiter(',');
        }
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
  if (!app.remaining().empty()) {
    return fail(unexpected_arguments(app.remaining()));
  }
  if (version) {
    out.exit_code = 0;
    out.message = version_line() + "\n";
    return out;
  }

  ExporterConfig cfg;
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
      case Kind::list:
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

  if (cfg.collectors_enabled.empty()) {
    cfg.collectors_enabled = default_collectors();
  }
  if (cfg.demo && std::find(cfg.collectors_enabled.begin(), cfg.collectors_enabled.end(),
                            "files") == cfg.collectors_enabled.end()) {
    cfg.collectors_enabled.emplace_back("files");
  }
  enable_probe_collectors(cfg);  // static probe targets need their collectors
  out.exit_code = 0;
  out.config = std::move(cfg);
  return out;
}

}  // namespace ndes
