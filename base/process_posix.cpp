// run_process() on POSIX.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

#include "base/process.h"

extern char** environ;

namespace ndes {
namespace {

constexpr const char* kCleanPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

// A pipe whose end on our side (`ours`: 0 read, 1 write) does not block; the
// program's end stays as programs expect it.
bool make_pipe(Fd* read_end, Fd* write_end, int ours = 0) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return false;
  }
  *read_end = Fd(fds[0]);
  *write_end = Fd(fds[1]);
  ::fcntl(fds[ours], F_SETFL, ::fcntl(fds[ours], F_GETFL) | O_NONBLOCK);
  return true;
}

// After a read or write on a non-blocking pipe moved no byte (n <= 0): true to try
// again (a signal came); false to stop for now, with `fd` closed on EOF, EPIPE or an
// error, left open when the pipe is only empty or full.
bool retry_after(ssize_t n, Fd& fd) {
  if (n < 0 && errno == EINTR) {
    return true;
  }
  if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
    fd.reset();
  }
  return false;
}

// Reads what is there into `into` up to `limit`, counting the rest in `dropped`;
// closes `fd` at EOF.
void drain(Fd& fd, std::string& into, std::size_t limit, std::size_t& dropped) {
  std::array<char, 8192> buf{};
  while (fd) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n > 0) {
      const auto got = static_cast<std::size_t>(n);
      const std::size_t keep = into.size() < limit ? std::min(got, limit - into.size()) : 0;
      into.append(buf.data(), keep);
      dropped += got - keep;
      continue;
    }
    if (!retry_after(n, fd)) {
      return;
    }
  }
}

// Writes what the pipe takes of `input` past `written`; closes `fd` when all is
// written or the program stopped reading (EPIPE).
void feed(Fd& fd, const std::string& input, std::size_t& written) {
  while (fd && written < input.size()) {
    const ssize_t n = ::write(fd.get(), input.data() + written, input.size() - written);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    if (!retry_after(n, fd)) {
      return;
    }
  }
  fd.reset();
}

class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attr_);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  posix_spawn_file_actions_t* actions() { return &actions_; }
  posix_spawnattr_t* attr() { return &attr_; }

 private:
  posix_spawn_file_actions_t actions_{};
  posix_spawnattr_t attr_{};
};

int decode_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

}  // namespace

std::vector<std::string> clean_environment(const std::string& work_dir) {
  std::vector<std::string> env = {std::string("PATH=") + kCleanPath, "LANG=C", "LC_ALL=C"};
  if (!work_dir.empty()) {
    env.push_back("TMPDIR=" + work_dir);
    env.push_back("HOME=" + work_dir);
  }
  return env;
}

std::string find_program(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) {
    return name;
  }
  const std::string path = kCleanPath;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t colon = path.find(':', start);
    const std::string dir =
        path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate = dir;
    candidate += '/';
    candidate += name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string::npos) {
      break;
    }
    start = colon + 1;
  }
  return "";
}

ProcessResult run_process(const ProcessSpec& spec) {
  ProcessResult result;
  if (spec.argv.empty() || spec.argv[0].empty()) {
    result.error = "no program to run";
    return result;
  }
  // A child that closes its stdout early must not take the hook down with SIGPIPE.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { ::signal(SIGPIPE, SIG_IGN); });

  Fd out_read;
  Fd out_write;
  Fd err_read;
  Fd err_write;
  Fd in_read;
  Fd in_write;
  const bool with_input = !spec.input.empty();
  if (!make_pipe(&out_read, &out_write) || !make_pipe(&err_read, &err_write) ||
      (with_input && !make_pipe(&in_read, &in_write, 1))) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  SpawnSetup setup;
  if (with_input) {
    posix_spawn_file_actions_adddup2(setup.actions(), in_read.get(), STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(setup.actions(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(setup.actions(), out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(setup.actions(), err_write.get(), STDERR_FILENO);
  if (!spec.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(setup.actions(), spec.cwd.c_str());
  }
  // Own process group (a timeout kills the whole tree), default signals, empty mask:
  // the hook blocks SIGTERM for sigwait, a child must not inherit that.
  sigset_t defaults;
  sigfillset(&defaults);
  sigdelset(&defaults, SIGKILL);
  sigdelset(&defaults, SIGSTOP);
  posix_spawnattr_setsigdefault(setup.attr(), &defaults);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(setup.attr(), &empty);
  short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  if (spec.own_process_group) {
    posix_spawnattr_setpgroup(setup.attr(), 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(setup.attr(), flags);

  std::vector<char*> args;
  for (const auto& a : spec.argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : spec.env) {
    envp.push_back(const_cast<char*>(e.c_str()));
  }
  envp.push_back(nullptr);

  char** const environment = spec.inherit_environment ? environ : envp.data();

  pid_t pid = -1;
  // posix_spawn, not posix_spawnp: argv[0] is a path, never looked up in our PATH
  // (but for the tests' runner, which asks for it).
  const int rc =
      spec.search_path
          ? posix_spawnp(&pid, args[0], setup.actions(), setup.attr(), args.data(), environment)
          : posix_spawn(&pid, args[0], setup.actions(), setup.attr(), args.data(), environment);
  out_write.reset();
  err_write.reset();
  in_read.reset();
  if (rc != 0) {
    result.error = "cannot start " + spec.argv[0] + ": " + std::strerror(rc);
    return result;
  }
  result.started = true;

  const auto start = std::chrono::steady_clock::now();
  const auto kill_group = [pid, &spec] {
    if (spec.own_process_group) {
      ::kill(-pid, SIGKILL);
    }
    ::kill(pid, SIGKILL);
  };
  bool killed = false;
  std::size_t written = 0;
  int status = 0;
  while (out_read || err_read) {
    if (spec.cancel != nullptr && spec.cancel->load()) {
      result.cancelled = true;
    }
    if (spec.timeout.count() > 0 && std::chrono::steady_clock::now() - start >= spec.timeout) {
      result.timed_out = true;
    }
    if ((result.cancelled || result.timed_out) && !killed) {
      kill_group();
      killed = true;
    }
    std::array<pollfd, 3> fds{};
    nfds_t n = 0;
    if (out_read) {
      fds[n++] = {out_read.get(), POLLIN, 0};
    }
    if (err_read) {
      fds[n++] = {err_read.get(), POLLIN, 0};
    }
    if (in_write) {
      fds[n++] = {in_write.get(), POLLOUT, 0};
    }
    ::poll(fds.data(), n, 100);
    drain(out_read, result.out, spec.output_limit, result.out_dropped);
    drain(err_read, result.err, spec.output_limit, result.err_dropped);
    feed(in_write, spec.input, written);
    if (killed) {
      // A grandchild that escaped the group could hold the pipes open: stop reading.
      break;
    }
    if (spec.stop_at_exit && ::waitpid(pid, &status, WNOHANG) == pid) {
      drain(out_read, result.out, spec.output_limit, result.out_dropped);
      drain(err_read, result.err, spec.output_limit, result.err_dropped);
      result.exit_code = decode_status(status);
      return result;
    }
  }
  in_write.reset();
  if (!killed) {
    // Pipes closed; the program may still run (it closed them itself): keep the timeout.
    for (;;) {
      const pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        result.exit_code = decode_status(status);
        return result;
      }
      if (spec.cancel != nullptr && spec.cancel->load()) {
        result.cancelled = true;
      }
      if (spec.timeout.count() > 0 && std::chrono::steady_clock::now() - start >= spec.timeout) {
        result.timed_out = true;
      }
      if (result.cancelled || result.timed_out) {
        kill_group();
        break;
      }
      ::usleep(20 * 1000);
    }
  }
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = decode_status(status);
  return result;
}

}  // namespace ndes
