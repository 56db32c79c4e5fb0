// ndes_bench_floor DIR: the parse floor. Reads every file under DIR and d2i-parses
// it (PEM is base64-decoded first), and nothing else: no facts, no thumbprint, no
// metrics. The exporter's cold scan is reported as a ratio over this.
// Prints one JSON line: files, certificates, wall and CPU seconds.
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <vector>

#include "bench_args.h"

namespace fs = std::filesystem;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Certificates in one file's bytes.
std::size_t parse(const std::vector<unsigned char>& bytes) {
  static constexpr char kPem[] = "-----BEGIN";
  std::size_t count = 0;
  if (bytes.size() >= sizeof kPem - 1 && std::equal(kPem, kPem + sizeof kPem - 1, bytes.begin())) {
    BIO* bio = BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size()));
    while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      ++count;
      X509_free(x);
    }
    BIO_free(bio);
    return count;
  }
  const unsigned char* p = bytes.data();
  if (X509* x = d2i_X509(nullptr, &p, static_cast<long>(bytes.size()))) {
    ++count;
    X509_free(x);
  }
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  if (!ndes::bench::has_args(argc, 1, "ndes_bench_floor DIR")) {
    return 2;
  }
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds();
  std::size_t files = 0;
  std::size_t certs = 0;
  std::vector<unsigned char> bytes;
  for (const auto& entry : fs::recursive_directory_iterator(argv[1])) {
    if (!entry.is_regular_file()) {
      continue;
    }
    std::FILE* f = std::fopen(entry.path().c_str(), "rb");
    if (f == nullptr) {
      continue;
    }
    bytes.resize(static_cast<std::size_t>(entry.file_size()));
    bytes.resize(std::fread(bytes.data(), 1, bytes.size(), f));
    std::fclose(f);
    ++files;
    certs += parse(bytes);
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  std::printf(
      "{\"files\": %zu, \"certificates\": %zu, \"wall_seconds\": %.6f, \"cpu_seconds\": %.6f}\n",
      files, certs, wall, cpu_seconds() - cpu0);
  return certs == files ? 0 : 1;
}
