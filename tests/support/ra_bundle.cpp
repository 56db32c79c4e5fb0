#include "support/ra_bundle.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace ndes::test {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

void check(bool ok, const char* what) {
  if (!ok) {
    throw std::runtime_error(std::string("ra_bundle: ") + what + " failed");
  }
}

std::string thumbprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  check(X509_digest(cert, EVP_sha1(), md, &n) == 1, "X509_digest");
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%02X", md[i]);
    out += hex;
  }
  return out;
}

CertPtr make_cert(EVP_PKEY* key, int serial, std::int64_t not_after) {
  CertPtr cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_time_adj_ex(X509_getm_notBefore(cert.get()), -365, 0, nullptr);
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(not_after));
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn = "NDES01-MSCEP-RA-" + std::to_string(serial);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  // The v1 template name (szOID_ENROLL_CERTTYPE_EXTENSION) as AD CS writes it.
  X509_EXTENSION* ext =
      X509V3_EXT_nconf(nullptr, &ctx, "1.3.6.1.4.1.311.20.2", "ASN1:BMPSTRING:CEPEncryption");
  check(ext != nullptr, "the template extension");
  X509_add_ext(cert.get(), ext, -1);
  X509_EXTENSION_free(ext);
  check(X509_sign(cert.get(), key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

}  // namespace

std::vector<std::string> write_ra_bundle(const std::filesystem::path& dir, int count,
                                         std::int64_t not_after) {
  std::filesystem::create_directories(dir);
  KeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EVP_EC_gen");
  std::vector<std::string> out;
  constexpr int kPerFile = 400;
  for (int first = 0; first < count; first += kPerFile) {
    const auto path = dir / ("ra-" + std::to_string(first / kPerFile) + ".pem");
    BioPtr bio(BIO_new_file(path.c_str(), "w"));
    check(bio != nullptr, "BIO_new_file");
    for (int i = first; i < count && i < first + kPerFile; ++i) {
      CertPtr cert = make_cert(key.get(), i + 1, not_after);
      check(PEM_write_bio_X509(bio.get(), cert.get()) == 1, "PEM_write_bio_X509");
      out.push_back(thumbprint(cert.get()));
    }
  }
  return out;
}

}  // namespace ndes::test
