// The `files` collector's settings: its config section, its defaults and its rows
// (--collector.files.*, collector: {files: {...}} in the config file).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "base/settings.h"

namespace ndes {

struct FilesRoot {
  std::string path;  // a file or a directory, as the user gave it
  // File holding the PKCS#12 passphrase for this root; else the collector-wide one.
  std::optional<std::string> pkcs12_passphrase_file;
};

struct FilesCollectorConfig {
  std::vector<FilesRoot> roots;
  std::optional<std::string> pkcs12_passphrase_file;
  std::size_t max_file_size = std::size_t{1024} * 1024;  // larger files are too_large errors
  // Watch the roots for changes (inotify) and skip the walk while nothing changed.
  bool watch = true;
};

// The rows of --collector.files.*, filling `cfg`.
settings::Table files_settings(FilesCollectorConfig& cfg);

}  // namespace ndes
