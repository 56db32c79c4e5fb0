// The Windows implementation of tests/support/run.h: run a program by argv
// (CreateProcess, no shell), and own a temporary directory. The shared tests
// (parser, classifier, metric mapping) use it unchanged under wine.
#include <windows.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "base/win/handles.h"
#include "base/win/utf16.h"
#include "support/run.h"

namespace ndes::test {
namespace {

// One argument quoted the way CommandLineToArgvW (and the C runtime) splits it.
std::wstring quote_arg(const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
    return arg;
  }
  std::wstring out = L"\"";
  std::size_t backslashes = 0;
  for (const wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    if (c == L'"') {
      out.append(backslashes * 2 + 1, L'\\');
    } else {
      out.append(backslashes, L'\\');
    }
    backslashes = 0;
    out += c;
  }
  out.append(backslashes * 2, L'\\');
  out += L'"';
  return out;
}

using win::Handle;

// The child's end is inheritable, ours is not.
void make_pipe(Handle& read_end, Handle& write_end, bool child_reads) {
  SECURITY_ATTRIBUTES sa{sizeof(sa), nullptr, TRUE};
  HANDLE r = nullptr;
  HANDLE w = nullptr;
  if (!CreatePipe(&r, &w, &sa, 0)) {
    throw std::system_error(static_cast<int>(GetLastError()), std::system_category(), "CreatePipe");
  }
  read_end.reset(r);
  write_end.reset(w);
  SetHandleInformation(child_reads ? w : r, HANDLE_FLAG_INHERIT, 0);
}

void drain(HANDLE h, std::string& into) {
  std::array<char, 8192> buf{};
  DWORD n = 0;
  while (ReadFile(h, buf.data(), static_cast<DWORD>(buf.size()), &n, nullptr) && n > 0) {
    into.append(buf.data(), n);
  }
}

// Handles are inherited by every child created while they are inheritable, so
// pipe creation and CreateProcess are serialized: each child gets its own pipes.
std::mutex g_spawn_mutex;

}  // namespace

RunResult run_command(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                      const std::string& stdin_data) {
  RunResult result;
  if (argv.empty()) {
    result.exit_code = 127;
    result.err = "run_command: empty argv";
    return result;
  }
  std::wstring command_line;
  for (const auto& a : argv) {
    if (!command_line.empty()) {
      command_line += L' ';
    }
    command_line += quote_arg(win::widen(a));
  }

  Handle in_read;
  Handle in_write;
  Handle out_read;
  Handle out_write;
  Handle err_read;
  Handle err_write;
  PROCESS_INFORMATION pi{};
  // Wine now and then fails a start with ERROR_INTERNAL_ERROR while its server
  // restarts; a second try starts the program.
  for (int attempt = 1;; ++attempt) {
    std::lock_guard lock(g_spawn_mutex);
    make_pipe(in_read, in_write, true);
    make_pipe(out_read, out_write, false);
    make_pipe(err_read, err_write, false);
    STARTUPINFOW si{};
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_read.get();
    si.hStdOutput = out_write.get();
    si.hStdError = err_write.get();
    const BOOL ok = CreateProcessW(nullptr, command_line.data(), nullptr, nullptr, TRUE,
                                   CREATE_NO_WINDOW, nullptr, nullptr, &si, &pi);
    const DWORD error = GetLastError();
    in_read.reset();
    out_write.reset();
    err_write.reset();
    if (!ok && error == ERROR_INTERNAL_ERROR && attempt < 3) {
      in_write.reset();
      out_read.reset();
      err_read.reset();
      Sleep(500);
      continue;
    }
    if (!ok) {
      result.exit_code = 127;
      result.err = "cannot start " + argv[0] + ": error " + std::to_string(error);
      return result;
    }
    break;
  }
  Handle process(pi.hProcess);
  Handle thread(pi.hThread);

  std::thread out_reader([&] { drain(out_read.get(), result.out); });
  std::thread err_reader([&] { drain(err_read.get(), result.err); });
  std::thread writer([&] {
    std::size_t written = 0;
    while (written < stdin_data.size()) {
      DWORD n = 0;
      const auto chunk =
          static_cast<DWORD>(std::min<std::size_t>(stdin_data.size() - written, 65536));
      if (!WriteFile(in_write.get(), stdin_data.data() + written, chunk, &n, nullptr) || n == 0) {
        break;  // the child does not read its input
      }
      written += n;
    }
    in_write.reset();
  });

  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  if (WaitForSingleObject(process.get(), static_cast<DWORD>(ms)) == WAIT_TIMEOUT) {
    result.timed_out = true;
    TerminateProcess(process.get(), 1);
    WaitForSingleObject(process.get(), INFINITE);
  }
  writer.join();
  out_reader.join();
  err_reader.join();
  DWORD code = 0;
  GetExitCodeProcess(process.get(), &code);
  result.exit_code = result.timed_out ? -1 : static_cast<int>(code);
  // Windows programs write text with CRLF; the shared tests compare what POSIX
  // tools print. Binary output (DER always holds a NUL byte) is left alone.
  for (std::string* s : {&result.out, &result.err}) {
    if (s->find('\0') == std::string::npos) {
      std::string text;
      text.reserve(s->size());
      for (std::size_t i = 0; i < s->size(); ++i) {
        if ((*s)[i] == '\r' && i + 1 < s->size() && (*s)[i + 1] == '\n') {
          continue;
        }
        text += (*s)[i];
      }
      *s = std::move(text);
    }
  }
  return result;
}

TempDir::TempDir(std::string_view prefix) {
  std::random_device random;
  const std::filesystem::path base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::filesystem::path dir = base / (std::string(prefix) + "-" + std::to_string(random()));
    std::error_code ec;
    if (std::filesystem::create_directory(dir, ec)) {
      // Forward slashes: the shared tests write this path into openssl config
      // files, where a backslash is an escape.
      path_ = std::filesystem::path(dir.generic_string());
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory under " + base.string());
}

}  // namespace ndes::test
