// The parts of support/run.h that are the same on every platform: the temporary
// directory's clean-up and whole-file reads and writes. Built into the Linux and the
// Windows test support (run.cpp and windows/support/run_win.cpp make the rest).
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "support/run.h"

namespace ndes::test {

TempDir::~TempDir() {
  if (!path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

void write_file(const std::filesystem::path& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    throw std::runtime_error("cannot read " + path.string());
  }
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path) {
  const std::string s = read_file(path);
  return {s.begin(), s.end()};
}

}  // namespace ndes::test
