// Walks the configured roots and turns files into records, re-parsing only files
// whose size or mtime changed since the last scan.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "files/change_watch.h"
#include "files/files_config.h"
#include "ndes/cert/parse.h"
#include "ndes/collect/records.h"

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

// Timestamps are coarse (a clock tick, 1-10 ms on Linux; more on some file systems), so
// a file rewritten right after it was read can keep the same size and mtime. Content
// read while its mtime was this close to (or after) the moment of reading is "racy":
// the next scan reads it again and re-parses it if the bytes changed (as git does for
// its index). Files that were not touched for this long are trusted by size and mtime.
inline constexpr std::int64_t kRacyWindowNs = 2'000'000'000;
bool racy_timestamp(std::int64_t mtime_ns, std::int64_t read_started_ns);

// Lists the regular files under `root` (a file or a directory), following symbolic
// links but never the same directory twice, so link loops end. With a watch, each
// directory is watched before it is listed, and the root and every link are checked.
WalkResult walk_root(const std::string& root, ChangeWatch* watch = nullptr);

class FileScanner {
 public:
  explicit FileScanner(FilesCollectorConfig config, TemplateNames template_names = {});

  // One full scan of every root. Not thread-safe: the collector runs one at a time.
  CollectorResult scan();

  // How many files have been parsed since start (a warm scan parses none).
  std::uint64_t parses() const { return parses_.load(); }
  // How many scans walked the roots (a scan of a watched, unchanged tree walks none).
  std::uint64_t walks() const { return walks_.load(); }
  // Whether the last walk is being watched for changes (see ChangeWatch).
  bool watching() const { return config_.watch && watch_.active(); }

 private:
  struct CacheEntry {
    std::uintmax_t size = 0;
    std::int64_t mtime_ns = 0;
    std::size_t passphrase_hash = 0;
    std::size_t content_hash = 0;  // of the bytes parsed
    bool racy = false;             // see kRacyWindowNs: check the bytes on the next scan
    // Records parsed by this scan, until they move into the list; after that the
    // entry's records are certificates_[first, first + count).
    std::vector<CertificateRecord> fresh;
    std::size_t first = 0;
    std::size_t count = 0;
    std::vector<ReadErrorRecord> errors;
    std::uint64_t seen_in_scan = 0;  // the last scan that found the file
  };

  struct RootPassphrase {
    std::optional<std::string> passphrase;
    std::string problem;  // why it could not be read
    std::size_t hash = 0;
  };

  CacheEntry load(const FoundFile& file, const FilesRoot& root, std::size_t passphrase_hash,
                  const std::optional<std::string>& passphrase,
                  const std::string& passphrase_problem);

  // For a racy entry whose size and mtime did not change: reads the file again and,
  // if the bytes are the same, keeps the entry (no parse). False if they changed or
  // cannot be read.
  bool still_same(const FoundFile& file, CacheEntry& entry) const;

  FilesCollectorConfig config_;
  TemplateNames template_names_;
  std::unordered_map<std::string, CacheEntry> cache_;  // by path
  std::uint64_t scan_number_ = 0;
  // Every entry's records in walk order, as of the last scan that changed anything.
  CertificateList certificates_;
  std::vector<ReadErrorRecord> errors_;
  std::atomic<std::uint64_t> parses_{0};  // read by other threads for metrics
  std::atomic<std::uint64_t> walks_{0};
  ChangeWatch watch_;
  std::vector<std::size_t> last_passphrase_hashes_;  // per root, as of the last walk
};

}  // namespace ndes::files
