// ndes_bench_gencerts OUTDIR N: the certificate folder the macro benchmarks scan.
//   OUTDIR/certs/NNNNNN.pem|.cer   N leaves, alternately PEM and DER
//   OUTDIR/ca.pem                  the issuing CA
//   OUTDIR/tls/server.pem, .key    a TLS server certificate (SAN IP:127.0.0.1) for the probes
//   OUTDIR/scep/{cep,eea}.pem      the RA pair a SCEP server hands out with the CA
//   OUTDIR/.complete               written last: a folder without it is regenerated
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "bench_args.h"
#include "bench_pki.h"

namespace fs = std::filesystem;
using ndes::bench::BenchPki;

namespace {

void write(const fs::path& path, const void* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

void write(const fs::path& path, const std::string& text) { write(path, text.data(), text.size()); }

std::string numbered(std::size_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%06zu", n);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (!ndes::bench::has_args(argc, 2, "ndes_bench_gencerts OUTDIR N")) {
    return 2;
  }
  try {
    const fs::path out = argv[1];
    const std::size_t count = std::stoul(argv[2]);
    const auto start = std::chrono::steady_clock::now();
    fs::remove_all(out);
    fs::create_directories(out / "certs");
    fs::create_directories(out / "tls");
    fs::create_directories(out / "scep");
    const BenchPki pki;
    const std::int64_t now = std::time(nullptr);
    write(out / "ca.pem", ndes::bench::to_pem(pki.ca()));
    for (std::size_t n = 0; n < count; ++n) {
      const auto cert = pki.issue(n, now);
      if (n % 2 == 0) {
        write(out / "certs" / (numbered(n) + ".pem"), ndes::bench::to_pem(cert.get()));
      } else {
        const auto der = ndes::bench::to_der(cert.get());
        write(out / "certs" / (numbered(n) + ".cer"), der.data(), der.size());
      }
    }
    // n = 6 is a TLS certificate valid for about a year; 4 and 5 are the RA pair.
    constexpr std::size_t kTls = 6;
    write(out / "tls" / "server.pem", ndes::bench::to_pem(pki.issue(kTls, now).get()));
    write(out / "tls" / "server.key", ndes::bench::key_pem(pki.leaf_key(kTls)));
    write(out / "scep" / "cep.pem", ndes::bench::to_pem(pki.issue(4, now).get()));
    write(out / "scep" / "eea.pem", ndes::bench::to_pem(pki.issue(5, now).get()));
    write(out / ".complete", std::to_string(count) + "\n");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "generated " << count << " certificates in " << out.string() << " in " << seconds
              << " s\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ndes_bench_gencerts: " << e.what() << "\n";
    return 1;
  }
}
