// The benchmark tools' command-line check, one place for their usage line and exit code.
#pragma once

#include <iostream>

namespace ndes::bench {

// True when the command line holds `count` arguments after the program name; otherwise
// prints `usage` to stderr (the caller then exits 2, as the tools always have).
inline bool has_args(int argc, int count, const char* usage) {
  if (argc == count + 1) {
    return true;
  }
  std::cerr << "usage: " << usage << "\n";
  return false;
}

}  // namespace ndes::bench
