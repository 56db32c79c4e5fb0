// Walks the configured roots and turns files into records, re-parsing only files
// whose size or mtime changed since the last scan.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "ndes/collect/records.h"
#include "ndes/config.h"

namespace ndes::files {

// A regular file found under a root, with the facts the cache is keyed on.
struct FoundFile {
  std::string path;
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
};

struct WalkResult {
  std::vector<FoundFile> files;         // sorted by path
  std::vector<ReadErrorRecord> errors;  // roots or directories that could not be read
};

// Lists the regular files under `root` (a file or a directory), following symbolic
// links but never the same directory twice, so link loops end.
WalkResult walk_root(const std::string& root);

class FileScanner {
 public:
  explicit FileScanner(FilesCollectorConfig config, TemplateNames template_names = {});

  // One full scan of every root. Not thread-safe: the collector runs one at a time.
  CollectorResult scan();

  // How many files have been parsed since start (a warm scan parses none).
  std::uint64_t parses() const { return parses_.load(); }

 private:
  struct CacheEntry {
    std::uintmax_t size = 0;
    std::int64_t mtime_ns = 0;
    std::size_t passphrase_hash = 0;
    std::vector<CertificateRecord> certificates;
    std::vector<ReadErrorRecord> errors;
  };

  CacheEntry load(const FoundFile& file, const FilesRoot& root, std::size_t passphrase_hash,
                  const std::optional<std::string>& passphrase,
                  const std::string& passphrase_problem);

  FilesCollectorConfig config_;
  TemplateNames template_names_;
  std::unordered_map<std::string, CacheEntry> cache_;  // by path
  std::atomic<std::uint64_t> parses_{0};               // read by other threads for metrics
};

}  // namespace ndes::files
