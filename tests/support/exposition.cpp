#include "support/exposition.h"

#include <sstream>
#include <stdexcept>

namespace ndes::test {

std::vector<ScrapedSample> parse_exposition(const std::string& text) {
  std::vector<ScrapedSample> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    ScrapedSample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') {
      ++i;
    }
    s.name = line.substr(0, i);
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const std::size_t eq = line.find('=', i);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          throw std::runtime_error("bad label in line: " + line);
        }
        std::string key = line.substr(i, eq - i);
        std::string value;
        std::size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\' && j + 1 < line.size()) {
            ++j;
            value += line[j] == 'n' ? '\n' : line[j];
          } else {
            value += line[j];
          }
        }
        s.labels[key] = value;
        i = j + 1;
        if (i < line.size() && line[i] == ',') {
          ++i;
        }
      }
      ++i;  // '}'
    }
    std::istringstream rest(line.substr(i));
    std::string value;
    std::string ts;
    rest >> value >> ts;
    s.value = std::stod(value);
    s.has_timestamp = !ts.empty();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ScrapedSample> select(const std::vector<ScrapedSample>& samples,
                                  const std::string& name,
                                  const std::map<std::string, std::string>& match) {
  std::vector<ScrapedSample> out;
  for (const auto& s : samples) {
    if (s.name != name) {
      continue;
    }
    bool ok = true;
    for (const auto& [k, v] : match) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) {
        ok = false;
        break;
      }
    }
    if (ok) {
      out.push_back(s);
    }
  }
  return out;
}

std::optional<double> value_of(const std::vector<ScrapedSample>& samples, const std::string& name,
                               const std::map<std::string, std::string>& match) {
  const auto found = select(samples, name, match);
  if (found.size() != 1) {
    return std::nullopt;
  }
  return found.front().value;
}

}  // namespace ndes::test
