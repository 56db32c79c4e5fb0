#include "probe/probe_config_yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "base/yaml_kind.h"

namespace ndes {
namespace {

std::string sub(const std::string& key, const std::string& name) { return key + "." + name; }

// `key: "value" <what>`, the shape of every bad-value message.
std::string bad_value(const std::string& key, const std::string& value, std::string_view what) {
  std::string out = key;
  out += ": \"";
  out += value;
  out += "\" ";
  out += what;
  return out;
}

std::string need_scalar(const YAML::Node& node, const std::string& key, const char* want) {
  if (node.IsScalar()) {
    return "";
  }
  return key + ": expected " + want + ", got " + yaml_node_kind(node);
}

std::string need_map(const YAML::Node& node, const std::string& key) {
  if (node.IsMap()) {
    return "";
  }
  return key + ": expected a map, got " + yaml_node_kind(node);
}

// A section that is a map (or nothing): `read` each entry by name, up to the first
// error.
template <typename Read>
std::string for_each_entry(const YAML::Node& node, const std::string& key, Read read) {
  if (node.IsNull()) {
    return std::string();
  }
  if (auto err = need_map(node, key); !err.empty()) {
    return err;
  }
  for (const auto& kv : node) {
    if (auto err = read(kv.first.as<std::string>(), kv.second); !err.empty()) {
      return err;
    }
  }
  return std::string();
}

std::optional<bool> to_bool(const std::string& text) {
  std::string t = text;
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "true" || t == "yes" || t == "on" || t == "1") {
    return true;
  }
  if (t == "false" || t == "no" || t == "off" || t == "0") {
    return false;
  }
  return std::nullopt;
}

std::string read_bool(const YAML::Node& node, const std::string& key, bool& out) {
  if (auto err = need_scalar(node, key, "true or false"); !err.empty()) {
    return err;
  }
  const auto b = to_bool(node.Scalar());
  if (!b) {
    return key + ": expected true or false, got \"" + node.Scalar() + "\"";
  }
  out = *b;
  return "";
}

std::string read_string(const YAML::Node& node, const std::string& key, std::string& out) {
  if (auto err = need_scalar(node, key, "a string"); !err.empty()) {
    return err;
  }
  out = node.Scalar();
  return "";
}

bool is_header_token(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

std::string read_tls(const YAML::Node& node, const std::string& key, ProbeTlsOptions& tls) {
  if (node.IsNull()) {
    return "";
  }
  if (auto err = need_map(node, key); !err.empty()) {
    return err;
  }
  for (const auto& kv : node) {
    const std::string name = kv.first.as<std::string>();
    const std::string k = sub(key, name);
    std::string err;
    if (name == "ca_file") {
      err = read_string(kv.second, k, tls.ca_file);
    } else if (name == "cert_file") {
      err = read_string(kv.second, k, tls.cert_file);
    } else if (name == "key_file") {
      err = read_string(kv.second, k, tls.key_file);
    } else if (name == "server_name") {
      err = read_string(kv.second, k, tls.server_name);
    } else if (name == "insecure_skip_verify") {
      err = read_bool(kv.second, k, tls.insecure_skip_verify);
    } else {
      return "key " + k +
             " is not known (known: ca_file, cert_file, key_file, server_name, "
             "insecure_skip_verify)";
    }
    if (!err.empty()) {
      return err;
    }
  }
  if (!tls.key_file.empty() && tls.cert_file.empty()) {
    return key + ": key_file needs cert_file";
  }
  return "";
}

std::string read_module(const YAML::Node& node, const std::string& key, ProbeModule& m) {
  if (auto err = need_map(node, key); !err.empty()) {
    return err;
  }
  bool has_prober = false;
  for (const auto& kv : node) {
    const std::string name = kv.first.as<std::string>();
    const std::string k = sub(key, name);
    const YAML::Node& v = kv.second;
    std::string err;
    if (name == "prober") {
      std::string text;
      err = read_string(v, k, text);
      if (err.empty()) {
        if (text == "scep") {
          m.prober = ProberKind::scep;
        } else if (text == "tls") {
          m.prober = ProberKind::tls;
        } else if (text == "crl") {
          m.prober = ProberKind::crl;
        } else {
          err = bad_value(k, text, "is not a prober (scep, tls, crl)");
        }
        has_prober = true;
      }
    } else if (name == "timeout") {
      std::string text;
      err = read_string(v, k, text);
      if (err.empty()) {
        m.timeout = parse_duration(text);
        if (!m.timeout) {
          err = bad_value(k, text, "is not a duration (e.g. 5s, 500ms)");
        }
      }
    } else if (name == "tls") {
      err = read_tls(v, k, m.tls);
    } else if (name == "proxy_url") {
      err = read_string(v, k, m.proxy_url);
      if (err.empty() && !m.proxy_url.empty() && m.proxy_url.find("://") == std::string::npos) {
        err = k + ": expected a URL such as http://proxy:3128";
      }
    } else if (name == "headers") {
      if (v.IsNull()) {
        continue;
      }
      err = need_map(v, k);
      for (auto it = v.begin(); err.empty() && it != v.end(); ++it) {
        const std::string header = it->first.as<std::string>();
        std::string value;
        err = read_string(it->second, sub(k, header), value);
        if (err.empty() && !is_header_token(header)) {
          err = bad_value(k, header, "is not a header name");
        }
        if (err.empty() && value.find_first_of("\r\n") != std::string::npos) {
          err = sub(k, header) + ": a header value cannot span lines";
        }
        m.headers[header] = value;
      }
    } else if (name == "max_body_bytes") {
      std::string text;
      err = read_string(v, k, text);
      if (err.empty()) {
        const auto size = settings::parse_byte_size(text);
        if (!size || *size == 0 || *size > (1ULL << 30)) {
          err = bad_value(k, text, "is not a size between 1 byte and 1GiB");
        } else {
          m.max_body_bytes = static_cast<std::size_t>(*size);
        }
      }
    } else if (name == "allow_file_targets") {
      err = read_bool(v, k, m.allow_file_targets);
    } else {
      return "key " + k +
             " is not known (known: prober, timeout, tls, proxy_url, headers, max_body_bytes, "
             "allow_file_targets)";
    }
    if (!err.empty()) {
      return err;
    }
  }
  if (!has_prober) {
    return key + ": has no prober (scep, tls or crl)";
  }
  return "";
}

std::string read_target_list(const YAML::Node& node, const std::string& key,
                             std::vector<ProbeTarget>& out) {
  if (node.IsNull()) {
    return "";
  }
  if (!node.IsSequence()) {
    return key + ": expected a list of targets, got " + yaml_node_kind(node);
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string k = key + "[" + std::to_string(i) + "]";
    const YAML::Node& entry = node[i];
    ProbeTarget t;
    if (entry.IsScalar()) {
      t.target = entry.Scalar();
    } else if (entry.IsMap()) {
      for (const auto& kv : entry) {
        const std::string name = kv.first.as<std::string>();
        std::string err;
        if (name == "target") {
          err = read_string(kv.second, sub(k, name), t.target);
        } else if (name == "module") {
          err = read_string(kv.second, sub(k, name), t.module);
        } else {
          return "key " + sub(k, name) + " is not known (known: target, module)";
        }
        if (!err.empty()) {
          return err;
        }
      }
    } else {
      return k + ": expected a target or a map {target, module}, got " + yaml_node_kind(entry);
    }
    if (t.target.empty()) {
      return k + ": has no target";
    }
    out.push_back(std::move(t));
  }
  return "";
}

}  // namespace

std::string read_probe_modules(ProbeConfig& probes, const YAML::Node& node,
                               const std::string& key) {
  return for_each_entry(node, key, [&](const std::string& name, const YAML::Node& value) {
    if (name.empty()) {
      return key + ": a module name is empty";
    }
    ProbeModule m;
    if (auto err = read_module(value, sub(key, name), m); !err.empty()) {
      return err;
    }
    probes.modules[name] = std::move(m);
    return std::string();
  });
}

std::string read_probe_targets(ProbeConfig& probes, const YAML::Node& node,
                               const std::string& key) {
  return for_each_entry(node, key, [&](const std::string& name, const YAML::Node& value) {
    std::vector<ProbeTarget>* list = name == "scep"  ? &probes.scep_targets
                                     : name == "tls" ? &probes.tls_targets
                                     : name == "crl" ? &probes.crl_targets
                                                     : nullptr;
    if (list == nullptr) {
      return "key " + sub(key, name) + " is not known (known: scep, tls, crl)";
    }
    return read_target_list(value, sub(key, name), *list);
  });
}

std::string read_crl_section(ProbeConfig& probes, const YAML::Node& node, const std::string& key) {
  return for_each_entry(node, key, [&](const std::string& name, const YAML::Node& value) {
    if (name != "follow_cdp") {
      return "key " + sub(key, name) + " is not known (known: follow_cdp)";
    }
    return read_bool(value, sub(key, name), probes.crl_follow_cdp);
  });
}

std::string read_probes_section(ProbeConfig& probes, const YAML::Node& node,
                                const std::string& key) {
  return for_each_entry(node, key, [&](const std::string& name, const YAML::Node& value) {
    const std::string k = sub(key, name);
    if (name != "max_concurrency") {
      return "key " + k + " is not known (known: max_concurrency)";
    }
    std::string text;
    if (auto err = read_string(value, k, text); !err.empty()) {
      return err;
    }
    unsigned long n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || ptr != text.data() + text.size() || n < 1 || n > 1024) {
      return bad_value(k, text, "is not a number between 1 and 1024");
    }
    probes.max_concurrency = n;
    return std::string();
  });
}

std::string validate_probe_config(const ProbeConfig& probes) {
  const auto check = [&](const std::vector<ProbeTarget>& list, ProberKind kind,
                         const char* kind_name) -> std::string {
    for (const auto& t : list) {
      if (t.module.empty()) {
        continue;  // the built-in module of that prober
      }
      const auto it = probes.modules.find(t.module);
      ProberKind module_kind;
      if (it != probes.modules.end()) {
        module_kind = it->second.prober;
      } else if (t.module == "scep" || t.module == "tls" || t.module == "crl") {
        module_kind = t.module == "scep"  ? ProberKind::scep
                      : t.module == "tls" ? ProberKind::tls
                                          : ProberKind::crl;
      } else {
        return std::string("targets.") + kind_name + ": module \"" + t.module + "\" of target " +
               t.target + " is not defined under modules";
      }
      if (module_kind != kind) {
        return std::string("targets.") + kind_name + ": module \"" + t.module + "\" of target " +
               t.target + " is not a " + kind_name + " module";
      }
    }
    return "";
  };
  if (auto err = check(probes.scep_targets, ProberKind::scep, "scep"); !err.empty()) {
    return err;
  }
  if (auto err = check(probes.tls_targets, ProberKind::tls, "tls"); !err.empty()) {
    return err;
  }
  return check(probes.crl_targets, ProberKind::crl, "crl");
}

settings::Table probe_settings(ProbeConfig& probes) {
  const auto section = [&probes](std::string key, auto read) {
    return settings::Setting{std::move(key),
                             settings::Kind::section,
                             "",
                             "",
                             "",
                             nullptr,
                             [&probes, read](const YAML::Node& node, const std::string& k) {
                               return read(probes, node, k);
                             }};
  };
  return {
      section("modules", read_probe_modules),
      section("targets", read_probe_targets),
      section("crl", read_crl_section),
      section("probes", read_probes_section),
  };
}

}  // namespace ndes
