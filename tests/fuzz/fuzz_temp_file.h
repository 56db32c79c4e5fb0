// For targets whose code under test reads a file by name (the config readers): the
// input is written to one temporary file per process, removed at exit.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace ndes_fuzz {

inline std::string& temp_path_storage() {
  static std::string path;
  return path;
}

inline void remove_temp_file() {
  if (!temp_path_storage().empty()) {
    ::unlink(temp_path_storage().c_str());
  }
}

// The path of this process's file ($TMPDIR or /tmp), made on first use.
inline const std::string& temp_file_path() {
  std::string& path = temp_path_storage();
  if (path.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/ndes-fuzz-input-XXXXXX";
    const int fd = ::mkstemp(templ.data());
    if (fd < 0) {
      std::perror("mkstemp");
      std::abort();
    }
    ::close(fd);
    path = templ;
    std::atexit(remove_temp_file);
  }
  return path;
}

// Writes the input to temp_file_path() and returns that path.
inline const std::string& write_temp_file(const std::uint8_t* data, std::size_t size) {
  const std::string& path = temp_file_path();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror("fopen");
    std::abort();
  }
  if (size > 0 && std::fwrite(data, 1, size, f) != size) {
    std::perror("fwrite");
    std::abort();
  }
  std::fclose(f);
  return path;
}

}  // namespace ndes_fuzz
