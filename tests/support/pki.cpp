#include "support/pki.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <stdexcept>

#include "support/run.h"

namespace fs = std::filesystem;

namespace ndes::test {
namespace {

std::string after_equals(std::string line) {
  line = line.substr(line.find('=') + 1);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.pop_back();
  }
  return line;
}

}  // namespace

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string openssl_date(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%SZ", &tm);
  return buf;
}

fs::path source_dir() {
  const char* dir = std::getenv("NDES_SOURCE_DIR");
  return dir != nullptr ? dir : NDES_DEFAULT_SOURCE_DIR;
}

TestPki::TestPki(fs::path dir) : dir_(std::move(dir)) {
  must_run({"bash", (source_dir() / "tests/pki/make-test-pki.sh").string(), dir_.string()});
}

fs::path TestPki::issue(const std::string& name, const std::string& profile,
                        std::int64_t not_before, std::int64_t not_after,
                        const std::string& subject) {
  std::vector<std::string> argv = {"bash",  (dir_ / "issue.sh").string(), name,
                                   profile, openssl_date(not_before),     openssl_date(not_after)};
  if (!subject.empty()) {
    argv.push_back(subject);
  }
  must_run(argv);
  return dir_ / (name + ".pem");
}

fs::path TestPki::issue_connector_identity(const std::string& name, std::int64_t days) {
  const fs::path issuer_key = dir_ / "connector-ca.key";
  const fs::path issuer = dir_ / "connector-ca.pem";
  if (!fs::exists(issuer)) {
    must_run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
              "-nodes", "-days", "3650", "-subj", "/CN=Microsoft Intune ImportPFX Connector CA",
              "-keyout", issuer_key.string(), "-out", issuer.string()});
  }
  const fs::path key = dir_ / (name + ".key");
  const fs::path csr = dir_ / (name + ".csr");
  const fs::path pem = dir_ / (name + ".pem");
  must_run({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-subj", "/CN=" + name, "-keyout", key.string(), "-out", csr.string()});
  must_run({"openssl", "x509", "-req", "-in", csr.string(), "-CA", issuer.string(), "-CAkey",
            issuer_key.string(), "-CAcreateserial", "-days", std::to_string(days), "-out",
            pem.string()});
  fs::remove(csr);
  return pem;
}

std::string openssl_thumbprint(const fs::path& pem) {
  std::string fp = after_equals(
      must_run({"openssl", "x509", "-in", pem.string(), "-noout", "-fingerprint", "-sha1"}));
  std::string out;
  for (char c : fp) {
    if (c != ':') {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::string openssl_serial(const fs::path& pem) {
  return after_equals(must_run({"openssl", "x509", "-in", pem.string(), "-noout", "-serial"}));
}

void write_der(const fs::path& pem, const fs::path& out) {
  must_run({"openssl", "x509", "-in", pem.string(), "-outform", "DER", "-out", out.string()});
}

void write_p7b(const std::vector<fs::path>& pems, const fs::path& out, bool pem_encoding) {
  std::vector<std::string> argv = {"openssl", "crl2pkcs7", "-nocrl"};
  for (const auto& p : pems) {
    argv.push_back("-certfile");
    argv.push_back(p.string());
  }
  argv.insert(argv.end(), {"-outform", pem_encoding ? "PEM" : "DER", "-out", out.string()});
  must_run(argv);
}

void write_pfx(const fs::path& pem, const fs::path& key, const fs::path& out,
               const std::string& passphrase) {
  must_run({"openssl", "pkcs12", "-export", "-in", pem.string(), "-inkey", key.string(), "-out",
            out.string(), "-passout", "pass:" + passphrase});
}

void make_crl(const TestPki& pki, const std::vector<fs::path>& revoke, int crl_days,
              const fs::path& out, bool pem_encoding) {
  const std::string config = (pki.dir() / "ca" / "openssl.cnf").string();
  for (const auto& pem : revoke) {
    must_run({"openssl", "ca", "-batch", "-config", config, "-revoke", pem.string()});
  }
  const fs::path crl_pem = out.string() + ".tmp.pem";
  must_run({"openssl", "ca", "-batch", "-config", config, "-gencrl", "-crldays",
            std::to_string(crl_days), "-out", crl_pem.string()});
  must_run({"openssl", "crl", "-in", crl_pem.string(), "-outform", pem_encoding ? "PEM" : "DER",
            "-out", out.string()});
  fs::remove(crl_pem);
}

}  // namespace ndes::test
