#include "base/settings.h"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "base/text.h"
#include "base/yaml_kind.h"

namespace ndes::settings {
namespace {

const Setting* find_setting(const Table& table, std::string_view key) {
  for (const auto& s : table) {
    if (s.key == key) {
      return &s;
    }
  }
  return nullptr;
}

bool has_children(const Table& table, std::string_view key) {
  const std::string prefix = std::string(key) + ".";
  return std::any_of(table.begin(), table.end(),
                     [&](const Setting& s) { return s.key.rfind(prefix, 0) == 0; });
}

bool many_values(Kind kind) { return kind == Kind::list || kind == Kind::names; }

// ---------------------------------------------------------------------------
// Config file

std::string read_generic(const Setting& setting, const YAML::Node& node, const std::string& key) {
  Values values;
  if (many_values(setting.kind) && node.IsSequence()) {
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
    const char* want = setting.kind == Kind::flag  ? "true or false"
                       : many_values(setting.kind) ? "a string or a list of strings"
                                                   : "a string";
    if (auto err = expect_scalar(node, key, want); !err.empty()) {
      return err;
    }
    values.push_back(node.Scalar());
  }
  if (auto err = setting.set(values); !err.empty()) {
    return key + ": " + err;
  }
  return "";
}

std::string read_map(const Table& table, const YAML::Node& node, const std::string& prefix) {
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      return (prefix.empty() ? std::string("top level") : prefix) + ": a key is not a string";
    }
    const std::string name = kv.first.Scalar();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    const YAML::Node& value = kv.second;
    const Setting* setting = find_setting(table, key);
    // Config-file-only sections are top-level keys.
    if (setting != nullptr && setting->kind == Kind::section && !prefix.empty()) {
      setting = nullptr;
    }
    std::string err;
    if (setting != nullptr && !(value.IsMap() && has_children(table, key))) {
      err =
          setting->read_yaml ? setting->read_yaml(value, key) : read_generic(*setting, value, key);
    } else if (has_children(table, key)) {
      if (value.IsNull()) {
        continue;
      }
      if (!value.IsMap()) {
        return key + ": expected a map, got " + yaml_node_kind(value);
      }
      err = read_map(table, value, key);
    } else if (const Setting* parent = find_setting(table, prefix);
               name == "enabled" && parent != nullptr && parent->kind != Kind::section) {
      // `demo: {enabled: true, dir: /x}`: a switch that also has sub-settings.
      err = read_generic(*parent, value, key);
    } else {
      return "key " + key + " is not known";
    }
    if (!err.empty()) {
      return err;
    }
  }
  return "";
}

// Reads `path` through the table. Returns "" or a complete one-line error body.
std::string read_config_file(const Program& program, const Table& table, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "--config.file: cannot read " + quote(path) + ": " + std::strerror(errno);
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
    if (auto err = read_map(table, root, ""); !err.empty()) {
      return path + ": " + err;
    }
    if (program.check_file) {
      if (auto err = program.check_file(); !err.empty()) {
        return path + ": " + err;
      }
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

  Values values() const {
    switch (setting->kind) {
      case Kind::list:
      case Kind::names:
        return list.empty() ? Values{""} : list;
      case Kind::flag:
        return {flag ? "true" : "false"};
      default:
        return {text};
    }
  }
};

CLI::Option* add_option(CLI::App& app, RawFlag& r) {
  const Setting& s = *r.setting;
  const std::string name = "--" + s.key;
  switch (s.kind) {
    case Kind::list:
      return app.add_option(name, r.list, s.help)->allow_extra_args(false);
    case Kind::names:
      return app.add_option(name, r.list, s.help)->allow_extra_args(false)->delimiter(',');
    case Kind::flag:
      return app.add_flag(name, r.flag, s.help);
    default:
      return app.add_option(name, r.text, s.help)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
}

std::string unexpected_arguments(const std::vector<std::string>& remaining) {
  const std::string& arg = remaining.front();
  if (arg.size() > 1 && arg.front() == '-') {
    return "unknown flag " + arg.substr(0, arg.find('=')) + " (see --help)";
  }
  return "unexpected argument " + quote(arg) + " (flags take the form --name=value)";
}

}  // namespace

int print_message(int exit_code, const std::string& message) {
  std::FILE* stream = exit_code == 0 ? stdout : stderr;
  std::fputs(message.c_str(), stream);
  if (!message.empty() && message.back() != '\n') {
    std::fputc('\n', stream);
  }
  return exit_code;
}

std::string error_line(std::string_view program, std::string_view body) {
  return std::string(program) + ": error: " + one_line(std::string(body));
}

Outcome fail(std::string_view program, std::string_view body) {
  Outcome out;
  out.exit_code = 2;
  out.message = error_line(program, body);
  return out;
}

Outcome parse(const Program& program, const Table& table, int argc, const char* const* argv) {
  CLI::App app{program.description, program.name};
  app.allow_extras(true);
  app.get_formatter()->column_width(48);

  std::string config_file;
  bool version = false;
  CLI::Option* config_opt =
      app.add_option("--config.file", config_file, "YAML configuration file; flags beat it")
          ->type_name("FILE");
  app.add_flag("--version", version, "Show the version and exit");

  std::vector<RawFlag> raw;
  raw.reserve(table.size());
  for (const Setting& s : table) {
    if (s.kind == Kind::section) {
      continue;
    }
    RawFlag& r = raw.emplace_back();
    r.setting = &s;
    r.option = add_option(app, r);
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
    return Outcome{false, 0, app.help()};
  } catch (const CLI::ParseError& e) {
    return fail(program.name, e.what());
  }
  if (const std::vector<std::string> remaining = app.remaining(); !remaining.empty()) {
    return fail(program.name, unexpected_arguments(remaining));
  }
  if (version) {
    return Outcome{false, 0, program.version + "\n"};
  }

  if (config_opt->count() > 0) {
    if (config_file.empty()) {
      return fail(program.name, "--config.file: an empty path is not allowed");
    }
    if (auto err = read_config_file(program, table, config_file); !err.empty()) {
      return fail(program.name, err);
    }
  }
  for (const RawFlag& r : raw) {
    if (r.option->count() == 0) {
      continue;
    }
    if (auto err = r.setting->set(r.values()); !err.empty()) {
      return fail(program.name, "--" + r.setting->key + ": " + err);
    }
  }
  return Outcome{true, 0, ""};
}

std::string one_of(const std::string& value, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
    return "";
  }
  return quote(value) + " is not one of " + join(allowed, ", ");
}

Setter path_setter(std::string* target) {
  return [target](const Values& v) -> std::string {
    if (v.back().empty()) {
      return "an empty path is not allowed";
    }
    *target = v.back();
    return "";
  };
}

Setter bool_setter(bool* target) {
  return [target](const Values& v) -> std::string {
    const auto b = parse_bool(v.back());
    if (!b) {
      return quote(v.back()) + " is not true or false";
    }
    *target = *b;
    return "";
  };
}

Setter non_empty_list_setter(std::vector<std::string>* target, std::string what) {
  return [target, what = std::move(what)](const Values& v) -> std::string {
    std::vector<std::string> items;
    for (const auto& item : v) {
      if (trim(item).empty()) {
        return "an empty " + what + " is not allowed";
      }
      items.push_back(trim(item));
    }
    *target = std::move(items);
    return "";
  };
}

Setter checked_setter(std::string* target, std::function<std::string(const std::string&)> check) {
  return [target, check = std::move(check)](const Values& v) {
    auto err = check(v.back());
    if (err.empty()) {
      *target = v.back();
    }
    return err;
  };
}

Setter one_of_setter(std::string* target, std::vector<std::string> allowed) {
  return checked_setter(target, [allowed = std::move(allowed)](const std::string& value) {
    return one_of(value, allowed);
  });
}

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  const std::string t = trim(text);
  std::size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') {
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

std::string expect_scalar(const YAML::Node& node, const std::string& key, const char* want) {
  if (node.IsScalar()) {
    return "";
  }
  if (node.IsNull()) {
    return key + ": has no value";
  }
  return key + ": expected " + want + ", got " + yaml_node_kind(node);
}

}  // namespace ndes::settings
