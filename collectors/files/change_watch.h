// Tells the file scanner whether anything under its roots may have changed since its
// last walk, so a scrape of an unchanged tree needs no walk at all: at 10,000 files the
// walk's stat calls were most of a warm scrape (bench/profiling.md).
//
// On Linux it is an inotify instance watching every directory the walk listed. What
// inotify cannot see is checked another way or makes the watch give up:
// - files and directories reached through a symbolic link, and the roots themselves,
//   are stat'ed on every scrape, since a link retargeted in a folder nobody watches
//   sends no event;
// - a directory on a network file system (NFS, SMB, FUSE, 9p, ...) turns the watch
//   off, as changes made by other machines send no event;
// - so does a full event queue, a watch limit reached, or a walk that had errors.
// Elsewhere (Windows) it is never active, and every scrape walks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ndes::files {

// True for file systems whose changes made elsewhere inotify never reports (by the
// f_type of statfs(2)).
bool remote_file_system(std::int64_t f_type);

class ChangeWatch {
 public:
  ChangeWatch() = default;
  ~ChangeWatch();
  ChangeWatch(const ChangeWatch&) = delete;
  ChangeWatch& operator=(const ChangeWatch&) = delete;

  // Starts watching afresh, before a walk: events for paths added after this call are
  // seen from the moment each is added. Forgets every earlier watch.
  void restart();

  // The walk is about to list this directory.
  void add_directory(const std::string& path);
  // A file or directory whose identity is checked by stat on every scrape: a root, or
  // an entry reached through a symbolic link.
  void add_checked(const std::string& path);
  // Something made this walk's picture unreliable (an error, an unreadable entry).
  void give_up(const std::string& why);

  // True only if every path of the last walk is still watched, no event came for any
  // of them, and every checked path is the same file as then. Reads the pending
  // events, so a change is reported once; the caller walks again after a false.
  bool unchanged();

  // Whether the last walk could be watched (the ndes_files_change_watch_active gauge).
  bool active() const { return active_; }

 private:
  struct Checked {
    std::string path;
    bool exists = false;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
  };
  // What stat says of `path` now, following links (all zero if it is absent).
  static Checked identity(const std::string& path);
  void close_fd();
  void unwatchable(const std::string& problem);

  int fd_ = -1;
  bool active_ = false;
  std::vector<Checked> checked_;
  std::string last_problem_;  // logged once, not on every scrape
};

}  // namespace ndes::files
