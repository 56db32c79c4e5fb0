// The one table of collectors: what each is called, where it exists, whether it runs
// by default, its settings rows and how it is made from its section of the config.
// The rows of this platform come from exporter/collectors_posix.cpp or
// exporter/collectors_windows.cpp (CMake picks the file). Adding a collector: its
// folder under collectors/, plus one row there.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/settings.h"
#include "exporter/config.h"
#include "ndes/collect/collector.h"

namespace ndes {

struct CollectorRow {
  std::string name;       // as --collectors.enabled names it
  std::string platforms;  // "linux", "windows" or "linux, windows": for people, CMake decides
  bool default_on = false;
  // The rows of its settings, filling its section of `cfg`; null: it has none.
  std::function<settings::Table(ExporterConfig& cfg)> settings;
  // Makes the collector from its own section (and the shared template names).
  std::function<std::unique_ptr<Collector>(const ExporterConfig& cfg)> create;
};

// This platform's collectors, in the order of --help.
const std::vector<CollectorRow>& collector_table();

const CollectorRow* find_collector(std::string_view name);
// Every name of the table, sorted.
std::vector<std::string> collector_names();
// The collectors run when --collectors.enabled is not given (default_on rows).
std::vector<std::string> default_collectors();
// The settings rows of every collector of the table, in table order.
settings::Table collector_settings(ExporterConfig& cfg);
// Makes collector `name`; throws std::invalid_argument for a name not in the table.
std::unique_ptr<Collector> create_collector(std::string_view name, const ExporterConfig& cfg);

// This platform's rows (collectors_posix.cpp or collectors_windows.cpp).
std::vector<CollectorRow> platform_collectors();
// The `files` row, on every platform; default_on differs by platform.
CollectorRow files_collector_row(bool default_on);

}  // namespace ndes
