#include "renew/journal_file.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace ndes::renew {
namespace {

std::runtime_error io_error(const std::string& what, const std::filesystem::path& path) {
#ifdef _WIN32
  const auto code = static_cast<int>(GetLastError());
  return std::runtime_error(what + " " + path.string() + ": " +
                            std::system_category().message(code));
#else
  return std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
#endif
}

}  // namespace

#ifdef _WIN32

JournalFile::JournalFile(std::filesystem::path path) : path_(std::move(path)) {
  HANDLE h = CreateFileW(path_.wstring().c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ,
                         nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    throw io_error("cannot open", path_);
  }
  handle_ = h;
  LARGE_INTEGER size{};
  GetFileSizeEx(h, &size);
  size_ = static_cast<std::uint64_t>(size.QuadPart);
}

JournalFile::~JournalFile() {
  if (handle_ != nullptr) {
    CloseHandle(static_cast<HANDLE>(handle_));
  }
}

std::string JournalFile::read_all() {
  HANDLE h = static_cast<HANDLE>(handle_);
  LARGE_INTEGER zero{};
  SetFilePointerEx(h, zero, nullptr, FILE_BEGIN);
  std::string out;
  char buf[65536];
  DWORD n = 0;
  while (ReadFile(h, buf, sizeof buf, &n, nullptr) && n > 0) {
    out.append(buf, n);
  }
  return out;
}

void JournalFile::truncate(std::uint64_t size) {
  HANDLE h = static_cast<HANDLE>(handle_);
  LARGE_INTEGER at{};
  at.QuadPart = static_cast<LONGLONG>(size);
  if (!SetFilePointerEx(h, at, nullptr, FILE_BEGIN) || !SetEndOfFile(h) || !FlushFileBuffers(h)) {
    throw io_error("cannot truncate", path_);
  }
  size_ = size;
}

void JournalFile::append(std::string_view line) {
  HANDLE h = static_cast<HANDLE>(handle_);
  LARGE_INTEGER at{};
  at.QuadPart = static_cast<LONGLONG>(size_);
  DWORD written = 0;
  const bool ok = SetFilePointerEx(h, at, nullptr, FILE_BEGIN) &&
                  WriteFile(h, line.data(), static_cast<DWORD>(line.size()), &written, nullptr) &&
                  written == line.size() && FlushFileBuffers(h);
  if (!ok) {
    const DWORD code = GetLastError();
    const auto err = io_error("cannot append to", path_);
    const bool rolled_back = SetFilePointerEx(h, at, nullptr, FILE_BEGIN) && SetEndOfFile(h);
    throw JournalWriteError(err.what(), rolled_back,
                            code == ERROR_DISK_FULL || code == ERROR_HANDLE_DISK_FULL);
  }
  size_ += line.size();
}

StateDirLock::StateDirLock(const std::filesystem::path& dir) {
  const auto path = dir / "lock";
  // No sharing: a second CreateFile on the same file fails while this handle is open.
  HANDLE h = CreateFileW(path.wstring().c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                         OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    throw std::runtime_error("cannot lock " + path.string() +
                             ": another ndes_renew_hook uses this state directory");
  }
  handle_ = h;
}

StateDirLock::~StateDirLock() {
  if (handle_ != nullptr) {
    CloseHandle(static_cast<HANDLE>(handle_));
  }
}

#else

JournalFile::JournalFile(std::filesystem::path path) : path_(std::move(path)) {
  bool created = true;
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0 && errno == EEXIST) {
    created = false;
    fd_ = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  }
  if (fd_ < 0) {
    throw io_error("cannot open", path_);
  }
  if (created) {
    // The file's name lives in the directory: fsync both, or a crash right after the
    // first append could lose the whole journal.
    ::fsync(fd_);
    const auto dir = path_.has_parent_path() ? path_.parent_path() : std::filesystem::path(".");
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    throw io_error("cannot stat", path_);
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
}

JournalFile::~JournalFile() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

std::string JournalFile::read_all() {
  std::string out;
  char buf[65536];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd_, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      throw io_error("cannot read", path_);
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
    offset += n;
  }
  return out;
}

void JournalFile::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0 || ::fsync(fd_) != 0) {
    throw io_error("cannot truncate", path_);
  }
  size_ = size;
}

void JournalFile::fail_append(const char* what) {
  const int code = errno != 0 ? errno : EIO;
  const std::string message = std::string(what) + " " + path_.string() + ": " + std::strerror(code);
  // Cut back to the last whole line, so the journal stays sound.
  const bool rolled_back = ::ftruncate(fd_, static_cast<off_t>(size_)) == 0;
  throw JournalWriteError(message, rolled_back, code == ENOSPC || code == EDQUOT);
}

void JournalFile::append(std::string_view line) {
  std::size_t done = 0;
  while (done < line.size()) {
    errno = 0;
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      fail_append("cannot append to");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    fail_append("cannot fsync");
  }
  size_ += line.size();
}

StateDirLock::StateDirLock(const std::filesystem::path& dir) {
  const auto path = dir / "lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw io_error("cannot open", path);
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("cannot lock " + path.string() +
                             ": another ndes_renew_hook uses this state directory");
  }
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) {
    ::close(fd_);  // releases the lock
  }
}

#endif

}  // namespace ndes::renew
