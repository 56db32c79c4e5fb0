// A test PKI made by the openssl CLI (tests/pki/make-test-pki.sh), with dates
// relative to now so every test can say "9 days left" and know the exact NotAfter.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ndes::test {

inline constexpr std::int64_t kDay = 86'400;

// Unix seconds, now, rounded down to a whole second.
std::int64_t now_seconds();

// YYYYMMDDHHMMSSZ, the date form `openssl ca -startdate/-enddate` takes.
std::string openssl_date(std::int64_t unix_seconds);

class TestPki {
 public:
  explicit TestPki(std::filesystem::path dir);  // runs make-test-pki.sh into dir

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path ca_pem() const { return dir_ / "ca" / "ca.pem"; }

  // Issues NAME with PROFILE (cep, eea, ssl, client, plain) valid from `not_before`
  // to `not_after` (Unix seconds); returns the PEM path (the key sits beside it).
  std::filesystem::path issue(const std::string& name, const std::string& profile,
                              std::int64_t not_before, std::int64_t not_after,
                              const std::string& subject = "");

  // A connector identity cert: issued by a self-signed "Microsoft Intune ImportPFX
  // Connector CA", as the Intune connector's cert is.
  std::filesystem::path issue_connector_identity(const std::string& name, std::int64_t days);

 private:
  std::filesystem::path dir_;
};

// What `openssl x509` says of a PEM certificate.
std::string openssl_thumbprint(const std::filesystem::path& pem);  // uppercase hex, no colons
std::string openssl_serial(const std::filesystem::path& pem);      // uppercase hex

// Copies the certificate as DER / as a certs-only PKCS#7 (DER or PEM) / as PKCS#12.
void write_der(const std::filesystem::path& pem, const std::filesystem::path& out);
void write_p7b(const std::vector<std::filesystem::path>& pems, const std::filesystem::path& out,
               bool pem_encoding);
void write_pfx(const std::filesystem::path& pem, const std::filesystem::path& key,
               const std::filesystem::path& out, const std::string& passphrase);

// A CRL from the test CA made by `openssl ca -gencrl` (valid `crl_days`), after
// revoking each certificate in `revoke` (`openssl ca -revoke`; revoking is kept in
// the CA's index, so a later CRL lists them too). Written PEM or DER to `out`.
void make_crl(const TestPki& pki, const std::vector<std::filesystem::path>& revoke, int crl_days,
              const std::filesystem::path& out, bool pem_encoding);

// The project's source tree (tests/pki lives there); NDES_SOURCE_DIR overrides.
std::filesystem::path source_dir();

}  // namespace ndes::test
