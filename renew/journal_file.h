// The journal's bytes on disk: an append-only file where each append is one write and
// an fsync, so an event that was acknowledged survives kill -9 and power loss, and a
// crash can only leave a torn last line (which replay_journal() tolerates). Also the
// lock that keeps a second hook off the same state directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ndes::renew {

// Why an append failed. rolled_back(): the file was cut back to its last whole line, so
// the journal is still sound and a later append may succeed (a full disk that frees
// up); otherwise it may end in part of a line and nothing more may be appended.
// no_space(): the file system is full (ENOSPC, EDQUOT; ERROR_DISK_FULL on Windows).
class JournalWriteError : public std::runtime_error {
 public:
  JournalWriteError(const std::string& what, bool rolled_back, bool no_space)
      : std::runtime_error(what), rolled_back_(rolled_back), no_space_(no_space) {}
  bool rolled_back() const { return rolled_back_; }
  bool no_space() const { return no_space_; }

 private:
  bool rolled_back_;
  bool no_space_;
};

class JournalFile {
 public:
  // Opens `path` for appending, creating it (and fsyncing its directory, so the new
  // name survives a crash too). Throws std::runtime_error with a readable reason.
  explicit JournalFile(std::filesystem::path path);
  ~JournalFile();
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The whole file as it is now.
  std::string read_all();
  // Cuts the file to `size` bytes (a torn last line) and fsyncs.
  void truncate(std::uint64_t size);
  // Appends `line` in one write and fsyncs. On failure the file is cut back to where it
  // was (no half line stays in the middle) and JournalWriteError is thrown.
  void append(std::string_view line);

 private:
#ifndef _WIN32
  // Cuts the file back to size_ and throws JournalWriteError for errno.
  [[noreturn]] void fail_append(const char* what);
#endif
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
#ifdef _WIN32
  void* handle_ = nullptr;
#else
  int fd_ = -1;
#endif
};

// An exclusive lock on <dir>/lock for the life of the object: one hook per state
// directory, so one renewal runs at a time on the host. Throws std::runtime_error when
// another process holds it.
class StateDirLock {
 public:
  explicit StateDirLock(const std::filesystem::path& dir);
  ~StateDirLock();
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;

 private:
#ifdef _WIN32
  void* handle_ = nullptr;
#else
  int fd_ = -1;
#endif
};

}  // namespace ndes::renew
