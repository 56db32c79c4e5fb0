// argv_echo.exe: prints each argument it got (as the C runtime split the command
// line) on a line of its own, as UTF-8, between [ and ]. The renew tests run it
// through CreateProcess to see that an argv arrives unchanged, with no shell.
// clang-format off
#include <windows.h>
#include <shellapi.h>
// clang-format on

#include <cstdio>
#include <string>

int main() {
  int argc = 0;
  LPWSTR* argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  for (int i = 1; i < argc; ++i) {
    const int n = WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, nullptr, 0, nullptr, nullptr);
    std::string arg(static_cast<std::size_t>(n > 0 ? n - 1 : 0), '\0');
    WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, arg.data(), n, nullptr, nullptr);
    std::fwrite("[", 1, 1, stdout);
    std::fwrite(arg.data(), 1, arg.size(), stdout);
    std::fwrite("]\n", 1, 2, stdout);
  }
  LocalFree(argv);
  return argc - 1;
}
