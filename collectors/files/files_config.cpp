#include "files/files_config.h"

#include <yaml-cpp/yaml.h>

#include <utility>

#include "base/text.h"
#include "base/yaml_kind.h"

namespace ndes {
namespace {

using settings::Kind;
using settings::Values;

// collector.files.path in the file: a path, or a map {path, pkcs12_passphrase_file},
// or a list of either.
std::string read_files_paths(FilesCollectorConfig& cfg, const YAML::Node& node,
                             const std::string& key) {
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
      const std::string sub_key = entry_key + "." + name;
      if (name != "path" && name != "pkcs12_passphrase_file" && name != "pkcs12-passphrase-file") {
        return "key " + sub_key + " is not known";
      }
      if (auto err = settings::expect_scalar(kv.second, sub_key, "a string"); !err.empty()) {
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
  cfg.roots = std::move(roots);
  return "";
}

}  // namespace

settings::Table files_settings(FilesCollectorConfig& cfg) {
  const auto paths = [&cfg](const Values& v) -> std::string {
    std::vector<FilesRoot> roots;
    for (const auto& path : v) {
      if (path.empty()) {
        return "an empty path is not allowed";
      }
      roots.push_back(FilesRoot{path, std::nullopt});
    }
    cfg.roots = std::move(roots);
    return "";
  };
  const auto passphrase_file = [&cfg](const Values& v) -> std::string {
    if (v.back().empty()) {
      return "an empty path is not allowed";
    }
    cfg.pkcs12_passphrase_file = v.back();
    return "";
  };
  const auto max_file_size = [&cfg](const Values& v) -> std::string {
    const auto size = settings::parse_byte_size(v.back());
    if (!size) {
      return quote(v.back()) + " is not a size in bytes (e.g. 1048576, 512KiB, 1MiB)";
    }
    if (*size == 0) {
      return quote(v.back()) + " must be more than 0";
    }
    cfg.max_file_size = static_cast<std::size_t>(*size);
    return "";
  };
  return {
      {"collector.files.path", Kind::list, "PATH",
       "File or directory to scan for certificates (repeatable)", "", paths,
       [&cfg](const YAML::Node& node, const std::string& key) {
         return read_files_paths(cfg, node, key);
       }},
      {"collector.files.pkcs12-passphrase-file", Kind::text, "FILE",
       "File holding the passphrase for PKCS#12 (.pfx/.p12) files", "", passphrase_file, nullptr},
      {"collector.files.max-file-size", Kind::text, "BYTES",
       "Larger files are reported as too_large (bytes; KiB/MiB/KB/MB suffixes)", "1MiB",
       max_file_size, nullptr},
      {"collector.files.watch", Kind::flag, "",
       "Watch the roots for changes (inotify) and walk them only after one; =false walks them "
       "on every scrape (network file systems always are)",
       "true", settings::bool_setter(&cfg.watch), nullptr},
  };
}

}  // namespace ndes
