#include "exporter/collector_table.h"

#include <algorithm>
#include <stdexcept>

#include "files/file_collector.h"

namespace ndes {

const std::vector<CollectorRow>& collector_table() {
  static const std::vector<CollectorRow> table = platform_collectors();
  return table;
}

CollectorRow files_collector_row(bool default_on) {
  return {"files", "linux, windows", default_on,
          [](ExporterConfig& c) { return files_settings(c.files); },
          [](const ExporterConfig& c) {
            return std::make_unique<files::FileCollector>(c.files, c.template_names);
          }};
}

const CollectorRow* find_collector(std::string_view name) {
  for (const auto& row : collector_table()) {
    if (row.name == name) {
      return &row;
    }
  }
  return nullptr;
}

std::vector<std::string> collector_names() {
  std::vector<std::string> names;
  for (const auto& row : collector_table()) {
    names.push_back(row.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> default_collectors() {
  std::vector<std::string> names;
  for (const auto& row : collector_table()) {
    if (row.default_on) {
      names.push_back(row.name);
    }
  }
  return names;
}

settings::Table collector_settings(ExporterConfig& cfg) {
  settings::Table rows;
  for (const auto& row : collector_table()) {
    if (row.settings) {
      auto own = row.settings(cfg);
      rows.insert(rows.end(), std::make_move_iterator(own.begin()),
                  std::make_move_iterator(own.end()));
    }
  }
  return rows;
}

std::unique_ptr<Collector> create_collector(std::string_view name, const ExporterConfig& cfg) {
  const CollectorRow* row = find_collector(name);
  if (row == nullptr) {
    throw std::invalid_argument("unknown collector: " + std::string(name));
  }
  return row->create(cfg);
}

}  // namespace ndes
