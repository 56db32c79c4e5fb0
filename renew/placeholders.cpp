#include "renew/placeholders.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

namespace ndes::renew {
namespace {

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

// Calls on_placeholder(name) for each "{name}" (name: [a-z_]+) and on_text for the rest.
template <typename Text, typename Placeholder>
void scan(const std::string& arg, Text on_text, Placeholder on_placeholder) {
  std::size_t i = 0;
  while (i < arg.size()) {
    if (arg[i] == '{') {
      std::size_t j = i + 1;
      while (j < arg.size() && is_name_char(arg[j])) {
        ++j;
      }
      if (j > i + 1 && j < arg.size() && arg[j] == '}') {
        on_placeholder(arg.substr(i + 1, j - i - 1));
        i = j + 1;
        continue;
      }
    }
    on_text(arg[i]);
    ++i;
  }
}

// Values that may appear in an argument: no control characters, nothing empty.
bool safe_value(const std::string& value) {
  return !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

const std::vector<std::string>& placeholder_names() {
  static const std::vector<std::string> names = {"thumbprint", "template", "role", "instance",
                                                 "id"};
  return names;
}

std::string check_argv_template(const std::vector<std::string>& argv) {
  std::string error;
  for (const auto& arg : argv) {
    scan(
        arg, [](char) {},
        [&](const std::string& name) {
          const auto& known = placeholder_names();
          if (error.empty() && std::find(known.begin(), known.end(), name) == known.end()) {
            error = "unknown placeholder {" + name +
                    "} (known: {thumbprint}, {template}, {role}, {instance}, {id})";
          }
        });
  }
  return error;
}

std::vector<std::string> substitute_placeholders(const std::vector<std::string>& argv,
                                                 const RenewTarget& target, const std::string& id) {
  if (!is_thumbprint(target.thumbprint) ||
      std::find(renewable_roles().begin(), renewable_roles().end(), target.role) ==
          renewable_roles().end() ||
      !is_instance_name(target.instance) || !safe_value(target.template_name) || !safe_value(id)) {
    throw std::invalid_argument("refusing to substitute unvalidated values");
  }
  const std::map<std::string, std::string> values = {
      {"thumbprint", target.thumbprint},
      {"template", target.template_name},
      {"role", target.role},
      {"instance", target.instance},
      {"id", id},
  };
  std::vector<std::string> out;
  out.reserve(argv.size());
  for (const auto& arg : argv) {
    std::string result;
    scan(
        arg, [&](char c) { result += c; },
        [&](const std::string& name) {
          const auto it = values.find(name);
          if (it == values.end()) {
            throw std::invalid_argument("unknown placeholder {" + name + "}");
          }
          result += it->second;
        });
    out.push_back(std::move(result));
  }
  return out;
}

}  // namespace ndes::renew
