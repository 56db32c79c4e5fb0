// Certificates made in-process with OpenSSL's API for the benchmarks: one CA key
// signs many leaves, so 50,000 certificates take seconds instead of 50,000 openssl
// CLI runs. The leaves look like an NDES server's: RA certificates with Microsoft
// template names, TLS certificates with SANs, plain client certificates.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ndes::bench {

struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, X509Deleter>;

// The kinds of leaf the generator cycles through.
enum class Profile { cep, eea, ssl, client, plain };

// A CA and a small pool of leaf keys (keys are the slow part; certificates share them).
class BenchPki {
 public:
  explicit BenchPki(std::size_t leaf_keys = 4);

  const X509* ca() const { return ca_.get(); }
  // The n-th leaf: profile, subject, serial and validity all follow from n, so the
  // same n always gives the same facts. now is Unix seconds.
  Cert issue(std::size_t n, std::int64_t now) const;
  // A PKCS#12 holding `cert`, its key and the CA, encrypted with `passphrase`.
  std::vector<std::uint8_t> pfx(const X509* cert, std::size_t n,
                                const std::string& passphrase) const;
  // The key of the n-th leaf.
  EVP_PKEY* leaf_key(std::size_t n) const { return leaf_keys_[n % leaf_keys_.size()].get(); }

 private:
  Key ca_key_;
  Cert ca_;
  std::vector<Key> leaf_keys_;
};

std::vector<std::uint8_t> to_der(const X509* cert);
std::string to_pem(const X509* cert);
std::string key_pem(EVP_PKEY* key);

}  // namespace ndes::bench
