#include "files/change_watch.h"

#ifdef __linux__
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#endif

#include "base/log.h"

namespace ndes::files {

bool remote_file_system(std::int64_t f_type) {
  // statfs(2) and linux/magic.h; f_type holds the 32-bit magic.
  switch (static_cast<std::uint32_t>(f_type)) {
    case 0x6969U:      // NFS
    case 0x517BU:      // SMB
    case 0xFF534D42U:  // CIFS
    case 0xFE534D42U:  // SMB2
    case 0x65735546U:  // FUSE (sshfs, s3fs, ...)
    case 0x01021997U:  // 9p (WSL, virtio shares)
    case 0x00C36400U:  // Ceph
    case 0x5346414FU:  // AFS
    case 0x6B414653U:  // kAFS
    case 0x73757245U:  // Coda
    case 0x564CU:      // NCP
    case 0x01161970U:  // GFS2 (other cluster nodes write too)
    case 0x7461636FU:  // OCFS2
    case 0x0BD00BD0U:  // Lustre
    case 0x786F4256U:  // VirtualBox shared folders
      return true;
    default:
      return false;
  }
}

ChangeWatch::~ChangeWatch() { close_fd(); }

void ChangeWatch::close_fd() {
#ifdef __linux__
  if (fd_ >= 0) {
    ::close(fd_);
  }
#endif
  fd_ = -1;
}

void ChangeWatch::give_up(const std::string& why) {
  if (active_) {
    log_debug("not watching for changes until the next walk",
              {{"collector", "files"}, {"why", why}});
  }
  active_ = false;
}

void ChangeWatch::unwatchable(const std::string& problem) {
  // Said once, not on every scrape: the condition (a network share, the watch limit)
  // usually lasts.
  if (problem != last_problem_) {
    log_info("every scrape walks the roots", {{"collector", "files"}, {"why", problem}});
    last_problem_ = problem;
  }
  active_ = false;
}

#ifdef __linux__

namespace {

// Everything that changes what a scan would find; not IN_ACCESS or IN_OPEN, which the
// scanner's own reads cause.
constexpr std::uint32_t kEvents = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM |
                                  IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF |
                                  IN_MOVE_SELF;

}  // namespace

void ChangeWatch::restart() {
  close_fd();
  checked_.clear();
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  active_ = fd_ >= 0;
  if (fd_ < 0) {
    unwatchable(std::string("cannot start inotify: ") + std::strerror(errno));
  }
}

void ChangeWatch::add_directory(const std::string& path) {
  if (!active_) {
    return;
  }
  std::string problem;
  struct statfs fs {};
  if (::inotify_add_watch(fd_, path.c_str(), kEvents | IN_ONLYDIR) < 0) {
    // ENOSPC: fs.inotify.max_user_watches is reached.
    problem = "cannot watch " + path + ": " + std::strerror(errno);
  } else if (::statfs(path.c_str(), &fs) != 0) {
    problem = "cannot tell the file system of " + path + ": " + std::strerror(errno);
  } else if (remote_file_system(static_cast<std::int64_t>(fs.f_type))) {
    problem = path + " is on a network file system, whose changes inotify does not see";
  }
  if (!problem.empty()) {
    unwatchable(problem);
  }
}

ChangeWatch::Checked ChangeWatch::identity(const std::string& path) {
  Checked c;
  c.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {  // follows links: the target; absent: all zero
    c.exists = true;
    c.device = st.st_dev;
    c.inode = st.st_ino;
    c.size = st.st_size;
    c.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  }
  return c;
}

void ChangeWatch::add_checked(const std::string& path) {
  if (!active_) {
    return;
  }
  Checked c = identity(path);
  // The target's own events too: a rewrite that keeps its size within one mtime tick
  // changes nothing stat can see.
  if (c.exists && ::inotify_add_watch(fd_, path.c_str(), kEvents) < 0) {
    unwatchable("cannot watch " + path + ": " + std::strerror(errno));
    return;
  }
  checked_.push_back(std::move(c));
}

bool ChangeWatch::unchanged() {
  if (!active_) {
    return false;
  }
  alignas(struct inotify_event) char events[4096];
  const ssize_t n = ::read(fd_, events, sizeof events);
  if (n >= 0 || errno != EAGAIN) {
    return false;  // an event (IN_Q_OVERFLOW among them), or the watch itself failed
  }
  for (const Checked& c : checked_) {
    const Checked now = identity(c.path);
    if (now.device != c.device || now.inode != c.inode || now.size != c.size ||
        now.mtime_ns != c.mtime_ns) {
      return false;
    }
  }
  return true;
}

#else  // no inotify: never active, every scrape walks

void ChangeWatch::restart() {}
void ChangeWatch::add_directory(const std::string&) {}
void ChangeWatch::add_checked(const std::string&) {}
bool ChangeWatch::unchanged() { return false; }

#endif

}  // namespace ndes::files
