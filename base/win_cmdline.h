// Building a Windows command line from an argv, so that the program's C runtime
// (CommandLineToArgvW / the MSVC argv rules) hands the program exactly that argv back.
// CreateProcess takes one string, not an argv: this is the only place that string is
// made. Pure; compiled and tested on every platform.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ndes {

// One argument (not argv[0]) quoted per the MSVC rules: left bare when it has no
// space, tab, newline, vertical tab or '"' (and is not empty); else wrapped in quotes,
// with each '"' escaped by a backslash, and backslashes doubled where they come before
// a '"' or the closing quote.
std::string quote_windows_arg(std::string_view arg);

// The full command line. argv[0] follows the program-name rule (no escapes: quoted
// when it has a space or tab); throws std::invalid_argument when argv is empty, when
// argv[0] is empty or holds a '"', or when any argument holds a NUL.
std::string windows_command_line(const std::vector<std::string>& argv);

// A POSIX shell rendering of argv, for people to read in the journal and the logs
// (nothing ever runs it): single-quoted where needed.
std::string display_command_line(const std::vector<std::string>& argv);

}  // namespace ndes
