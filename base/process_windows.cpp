// run_process() on Windows: CreateProcessW with the command line from
// windows_command_line(argv), only the pipe handles inherited, in a job object so a
// timeout or cancel ends the whole tree.
#include <windows.h>

#include <algorithm>
#include <cwctype>
#include <stdexcept>
#include <thread>

#include "base/process.h"
#include "base/win/handles.h"
#include "base/win/utf16.h"
#include "base/win_cmdline.h"

namespace ndes {
namespace {

using win::Handle;
using win::narrow;
using win::widen;

std::wstring widen_cp(const std::string& s, UINT code_page) {
  if (s.empty()) {
    return {};
  }
  const int n = MultiByteToWideChar(code_page, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n), L'\0');
  MultiByteToWideChar(code_page, 0, s.data(), static_cast<int>(s.size()), out.data(), n);
  return out;
}

bool valid_utf8(const std::string& s) {
  return s.empty() || MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s.data(),
                                          static_cast<int>(s.size()), nullptr, 0) > 0;
}

// Console programs such as certreq write in the OEM code page.
std::string to_utf8(const std::string& bytes) {
  if (valid_utf8(bytes)) {
    return bytes;
  }
  return narrow(widen_cp(bytes, CP_OEMCP));
}

std::string windows_dir() {
  wchar_t buf[MAX_PATH] = {};
  const UINT n = GetSystemWindowsDirectoryW(buf, MAX_PATH);
  return n > 0 && n < MAX_PATH ? narrow(std::wstring(buf, n)) : std::string("C:\\Windows");
}

void read_all(HANDLE pipe, std::string* into, std::size_t limit, std::size_t* dropped) {
  char buf[8192];
  DWORD n = 0;
  while (ReadFile(pipe, buf, sizeof buf, &n, nullptr) && n > 0) {
    const std::size_t keep =
        into->size() < limit ? std::min<std::size_t>(n, limit - into->size()) : 0;
    into->append(buf, keep);
    *dropped += n - keep;
  }
}

// "A=1\0B=2\0\0", sorted by name without regard to case as Windows expects.
std::wstring environment_block(const std::vector<std::string>& env) {
  std::vector<std::wstring> vars;
  for (const auto& e : env) {
    vars.push_back(widen(e));
  }
  std::sort(vars.begin(), vars.end(), [](const std::wstring& a, const std::wstring& b) {
    return _wcsicmp(a.c_str(), b.c_str()) < 0;
  });
  std::wstring block;
  for (const auto& v : vars) {
    block += v;
    block.push_back(L'\0');
  }
  block.push_back(L'\0');
  return block;
}

}  // namespace

std::vector<std::string> clean_environment(const std::string& work_dir) {
  const std::string win = windows_dir();
  const std::string sys32 = win + "\\System32";
  std::vector<std::string> env = {
      "SystemRoot=" + win,
      "windir=" + win,
      "SystemDrive=" + win.substr(0, 2),
      "PATH=" + sys32 + ";" + win + ";" + sys32 + "\\Wbem;" + sys32 + "\\WindowsPowerShell\\v1.0",
      "PATHEXT=.COM;.EXE;.BAT;.CMD",
      "ProgramData=" + win.substr(0, 2) + "\\ProgramData",
  };
  if (!work_dir.empty()) {
    env.push_back("TEMP=" + work_dir);
    env.push_back("TMP=" + work_dir);
  }
  return env;
}

std::string find_program(const std::string& name) {
  if (name.empty() || name.find_first_of("\\/") != std::string::npos) {
    return name;
  }
  const std::string sys32 = windows_dir() + "\\System32\\";
  for (const auto& candidate : {sys32 + name, sys32 + name + ".exe"}) {
    const DWORD attrs = GetFileAttributesW(widen(candidate).c_str());
    if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY) == 0) {
      return candidate;
    }
  }
  return "";
}

ProcessResult run_process(const ProcessSpec& spec) {
  ProcessResult result;
  if (!spec.input.empty() || spec.search_path || spec.inherit_environment ||
      !spec.own_process_group || spec.stop_at_exit) {
    result.error = "the tests' process options are POSIX only";
    return result;
  }
  std::wstring command_line;
  try {
    command_line = widen(windows_command_line(spec.argv));
  } catch (const std::invalid_argument& e) {
    result.error = e.what();
    return result;
  }
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  Handle out_read;
  Handle out_write;
  Handle err_read;
  Handle err_write;
  if (!CreatePipe(out_read.out(), out_write.out(), &inherit, 0) ||
      !CreatePipe(err_read.out(), err_write.out(), &inherit, 0)) {
    result.error = "CreatePipe failed";
    return result;
  }
  SetHandleInformation(out_read.get(), HANDLE_FLAG_INHERIT, 0);
  SetHandleInformation(err_read.get(), HANDLE_FLAG_INHERIT, 0);
  Handle nul(CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                         OPEN_EXISTING, 0, nullptr));

  // Only these three handles reach the child, whatever else the hook holds open.
  HANDLE inherited[3] = {nul.get(), out_write.get(), err_write.get()};
  SIZE_T attr_size = 0;
  InitializeProcThreadAttributeList(nullptr, 1, 0, &attr_size);
  std::vector<unsigned char> attr_buf(attr_size);
  auto* attrs = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attr_buf.data());
  if (!InitializeProcThreadAttributeList(attrs, 1, 0, &attr_size) ||
      !UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited,
                                 sizeof inherited, nullptr, nullptr)) {
    result.error = "cannot set up the inherited handles";
    return result;
  }
  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = nul.get();
  si.StartupInfo.hStdOutput = out_write.get();
  si.StartupInfo.hStdError = err_write.get();
  si.lpAttributeList = attrs;

  std::wstring env = environment_block(spec.env);
  std::vector<wchar_t> cmd(command_line.begin(), command_line.end());
  cmd.push_back(L'\0');
  const std::wstring app = widen(spec.argv[0]);
  const std::wstring cwd = widen(spec.cwd);
  PROCESS_INFORMATION pi{};
  const BOOL ok =
      CreateProcessW(app.c_str(), cmd.data(), nullptr, nullptr, TRUE,
                     CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT | CREATE_SUSPENDED |
                         EXTENDED_STARTUPINFO_PRESENT,
                     env.data(), cwd.empty() ? nullptr : cwd.c_str(), &si.StartupInfo, &pi);
  const DWORD create_error = GetLastError();
  DeleteProcThreadAttributeList(attrs);
  out_write.reset();
  err_write.reset();
  if (!ok) {
    result.error = "cannot start " + spec.argv[0] + ": error " + std::to_string(create_error);
    return result;
  }
  Handle process(pi.hProcess);
  Handle thread(pi.hThread);
  Handle job(CreateJobObjectW(nullptr, nullptr));
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (job.get() != nullptr) {
    SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits, sizeof limits);
    AssignProcessToJobObject(job.get(), process.get());
  }
  ResumeThread(thread.get());
  result.started = true;

  std::string out_bytes;
  std::string err_bytes;
  std::thread out_reader(read_all, out_read.get(), &out_bytes, spec.output_limit,
                         &result.out_dropped);
  std::thread err_reader(read_all, err_read.get(), &err_bytes, spec.output_limit,
                         &result.err_dropped);
  const ULONGLONG start = GetTickCount64();
  for (;;) {
    if (WaitForSingleObject(process.get(), 100) == WAIT_OBJECT_0) {
      break;
    }
    if (spec.cancel != nullptr && spec.cancel->load()) {
      result.cancelled = true;
    }
    if (spec.timeout.count() > 0 &&
        GetTickCount64() - start >= static_cast<ULONGLONG>(spec.timeout.count())) {
      result.timed_out = true;
    }
    if (result.cancelled || result.timed_out) {
      TerminateJobObject(job.get(), 1);
      TerminateProcess(process.get(), 1);
      WaitForSingleObject(process.get(), 5000);
      break;
    }
  }
  // Whatever the program left running (holding our pipes) goes with the job.
  if (job.get() != nullptr) {
    TerminateJobObject(job.get(), 1);
  }
  out_reader.join();
  err_reader.join();
  DWORD code = 0;
  GetExitCodeProcess(process.get(), &code);
  result.exit_code = static_cast<int>(code);
  result.out = to_utf8(out_bytes);
  result.err = to_utf8(err_bytes);
  return result;
}

}  // namespace ndes
