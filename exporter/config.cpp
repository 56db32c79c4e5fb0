#include "exporter/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <utility>

#include "base/settings.h"
#include "base/text.h"
#include "base/yaml_kind.h"
#include "exporter/collector_table.h"
#include "exporter/renew_hook_view.h"
#include "exporter/version.h"
#include "probe/probe_config_yaml.h"
#include "web/http_server.h"
#include "web/web_settings.h"

namespace ndes {
namespace {

using settings::Kind;
using settings::Setter;
using settings::Values;

constexpr const char* kProgram = "ndes_exporter";

bool is_dotted_oid(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.' ||
      text.find('.') == std::string_view::npos || text.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

std::string check_telemetry_path(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return quote(path) + " must start with /";
  }
  if (path == "/" || path == "/healthz") {
    return quote(path) + " is taken by the exporter itself";
  }
  if (std::any_of(path.begin(), path.end(), [](char c) {
        return c == '?' || c == '#' || c == ' ' || (c >= '\t' && c <= '\r');
      })) {
    return quote(path) + " must be a plain path (no spaces, ? or #)";
  }
  return "";
}

std::string check_hook_url(const std::string& value) {
  std::string reason;
  return parse_hook_url(value, &reason) ? "" : quote(value) + " " + reason;
}

// Names of the collector table, comma-separated and repeatable, each once.
Setter set_collectors(std::vector<std::string>* target) {
  return [target](const Values& v) -> std::string {
    std::vector<std::string> names;
    for (const auto& value : v) {
      for (const auto& piece : split(value, ',')) {
        const std::string item = trim(piece);
        if (item.empty()) {
          continue;
        }
        if (find_collector(item) == nullptr) {
          const auto known = collector_names();
          return quote(item) + " is not a known collector (known: " +
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
    *target = std::move(names);
    return "";
  };
}

// templates: {OID: name}: the names the collectors give v2 template OIDs.
std::string read_templates(TemplateNames& names, const YAML::Node& node, const std::string& key) {
  if (node.IsNull()) {
    return "";
  }
  if (!node.IsMap()) {
    return key + ": expected a map of template OID to name, got " + yaml_node_kind(node);
  }
  for (const auto& kv : node) {
    const std::string oid = kv.first.as<std::string>();
    if (!is_dotted_oid(oid)) {
      return key + ": " + quote(oid) + " is not a dotted OID (e.g. 1.3.6.1.4.1.311.21.8.1.2)";
    }
    const std::string entry_key = key + "." + oid;
    if (auto err = settings::expect_scalar(kv.second, entry_key, "a template name"); !err.empty()) {
      return err;
    }
    if (trim(kv.second.Scalar()).empty()) {
      return entry_key + ": the template name is empty";
    }
    names[oid] = kv.second.Scalar();
  }
  return "";
}

void append(settings::Table& to, settings::Table rows) {
  to.insert(to.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
}

// Every row, in the order of --help: the web and the collector list, each collector's
// own rows (exporter/collector_table.h), then logging, demo, hook link and web limits.
settings::Table exporter_settings(ExporterConfig& cfg) {
  using settings::bool_setter;
  using settings::checked_setter;
  using settings::one_of_setter;
  using settings::path_setter;
  std::string collectors_default = join(default_collectors(), ",");
  settings::Table rows = {
      {"web.listen-address", Kind::text, "ADDRESS",
       "Address to listen on for the web interface and telemetry", ":10227",
       listen_address_setter(&cfg.listen_address), nullptr},
      {"web.telemetry-path", Kind::text, "PATH", "Path under which to expose metrics", "/metrics",
       checked_setter(&cfg.telemetry_path, check_telemetry_path), nullptr},
      {"collectors.enabled", Kind::names, "NAMES", "Comma-separated list of collectors to run",
       collectors_default, set_collectors(&cfg.collectors_enabled), nullptr},
  };
  append(rows, collector_settings(cfg));
  append(rows,
         {
             {"log.level", Kind::text, "LEVEL",
              "Only log messages with the given severity or above: debug, info, warn, error",
              "info", one_of_setter(&cfg.log_level, {"debug", "info", "warn", "error"}), nullptr},
             {"log.format", Kind::text, "FORMAT", "Output format of log messages: logfmt, json",
              "logfmt", one_of_setter(&cfg.log_format, {"logfmt", "json"}), nullptr},
             {"demo", Kind::flag, "", "Serve a generated NDES-like demo certificate store", "",
              bool_setter(&cfg.demo), nullptr},
             {"demo.dir", Kind::text, "DIR",
              "Where --demo writes its store (default: a fresh temp dir)", "",
              path_setter(&cfg.demo_dir), nullptr},
             {"renew-hook.url", Kind::text, "URL",
              "ndes_renew_hook's address (http://127.0.0.1:10228): the landing page links to its "
              "/renewals and shows the last renewal per template",
              "", checked_setter(&cfg.renew_hook.url, check_hook_url), nullptr},
             {"renew-hook.auth-token-file", Kind::text, "FILE",
              "File holding the hook's bearer token, for reading its /renewals", "",
              path_setter(&cfg.renew_hook.auth_token_file), nullptr},
             {"web.config.file", Kind::text, "FILE",
              "exporter-toolkit web config: TLS, basic auth, headers (re-read on change)", "",
              path_setter(&cfg.web_config_file), nullptr},
             {"web.max-requests", Kind::text, "N",
              "Requests handled at once; more wait up to 5s, then get 503", "16",
              web_count_setter(&cfg.web_max_requests), nullptr},
             {"web.max-connections", Kind::text, "N",
              "Connections served at once, a server thread each; more wait for one", "128",
              web_count_setter(&cfg.web_max_connections), nullptr},
             // Config-file-only sections: the template names every collector shares, and the
             // probes' modules and static targets.
             {"templates", Kind::section, "", "", "", nullptr,
              [&cfg](const YAML::Node& node, const std::string& key) {
                return read_templates(cfg.template_names, node, key);
              }},
         });
  append(rows, probe_settings(cfg.probes));
  return rows;
}

// Turns on the static-target collectors that have something to probe (scep, tls,
// crl; crl also for follow_cdp), in addition to the enabled ones.
void enable_probe_collectors(ExporterConfig& cfg) {
  const auto enable = [&](const char* name, bool wanted) {
    // Not in the table of a build without the probes (Windows, for now): nothing to add.
    if (wanted && find_collector(name) != nullptr &&
        std::find(cfg.collectors_enabled.begin(), cfg.collectors_enabled.end(), name) ==
            cfg.collectors_enabled.end()) {
      cfg.collectors_enabled.emplace_back(name);
    }
  };
  enable("scep", !cfg.probes.scep_targets.empty());
  enable("tls", !cfg.probes.tls_targets.empty());
  enable("crl", !cfg.probes.crl_targets.empty() || cfg.probes.crl_follow_cdp);
}

}  // namespace

ParseOutcome parse_command_line(int argc, const char* const* argv) {
  ExporterConfig cfg;
  const settings::Program program{
      kProgram,
      "Prometheus exporter for the certificates of Microsoft NDES / Intune SCEP: the RA "
      "certificates, the SSL certificate, the Intune connector identity and the issuing CA.",
      version_line(), [&cfg] { return validate_probe_config(cfg.probes); }};
  const settings::Outcome parsed = settings::parse(program, exporter_settings(cfg), argc, argv);
  ParseOutcome out;
  out.exit_code = parsed.exit_code;
  out.message = parsed.message;
  if (!parsed.run) {
    return out;
  }
  if (cfg.collectors_enabled.empty()) {
    cfg.collectors_enabled = default_collectors();
  }
  if (cfg.demo && std::find(cfg.collectors_enabled.begin(), cfg.collectors_enabled.end(),
                            "files") == cfg.collectors_enabled.end()) {
    cfg.collectors_enabled.emplace_back("files");
  }
  enable_probe_collectors(cfg);  // static probe targets need their collectors
  out.config = std::move(cfg);
  return out;
}

}  // namespace ndes
