#include "base/win_cmdline.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ndes {

std::string quote_windows_arg(std::string_view arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string_view::npos) {
    return std::string(arg);
  }
  std::string out = "\"";
  std::size_t backslashes = 0;
  for (const char c : arg) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      // n backslashes before a quote: 2n + 1 of them, then the quote.
      out.append(backslashes * 2 + 1, '\\');
    } else {
      out.append(backslashes, '\\');
    }
    backslashes = 0;
    out += c;
  }
  // Trailing backslashes come before the closing quote: double them.
  out.append(backslashes * 2, '\\');
  out += '"';
  return out;
}

std::string windows_command_line(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0].empty()) {
    throw std::invalid_argument("no program to run");
  }
  for (const auto& arg : argv) {
    if (arg.find('\0') != std::string::npos) {
      throw std::invalid_argument("an argument holds a NUL character");
    }
  }
  const std::string& program = argv[0];
  if (program.find('"') != std::string::npos) {
    throw std::invalid_argument("the program path holds a '\"'");
  }
  // The program name is read up to the next space, or between quotes, without any
  // backslash processing.
  std::string out =
      program.find_first_of(" \t") == std::string::npos ? program : "\"" + program + "\"";
  for (std::size_t i = 1; i < argv.size(); ++i) {
    out += ' ';
    out += quote_windows_arg(argv[i]);
  }
  return out;
}

std::string display_command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) {
      out += ' ';
    }
    const bool bare = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
             std::string_view("-_./:=,+@%{}").find(c) != std::string_view::npos;
    });
    if (bare) {
      out += arg;
      continue;
    }
    out += '\'';
    for (const char c : arg) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

}  // namespace ndes
