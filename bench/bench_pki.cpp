#include "bench_pki.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace ndes::bench {
namespace {

constexpr std::int64_t kDay = 86400;

void check(bool ok, const char* what) {
  if (!ok) {
    throw std::runtime_error(std::string("bench pki: ") + what + " failed");
  }
}

Key ec_key() {
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

void add_ext(X509* cert, const X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, const_cast<X509*>(issuer), cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "X509V3_EXT_nconf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// An extension OpenSSL has no name for, from its DER value.
void add_raw_ext(X509* cert, const char* oid, const std::vector<std::uint8_t>& der) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(os, der.data(), static_cast<int>(der.size()));
  X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, os);
  check(ext != nullptr, "X509_EXTENSION_create_by_OBJ");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  ASN1_OCTET_STRING_free(os);
  ASN1_OBJECT_free(obj);
}

// The v1 template name (1.3.6.1.4.1.311.20.2): a BMPString, as AD CS writes it.
std::vector<std::uint8_t> bmp_string(const std::string& ascii) {
  std::vector<std::uint8_t> der = {0x1e, static_cast<std::uint8_t>(ascii.size() * 2)};
  for (const char c : ascii) {
    der.push_back(0);
    der.push_back(static_cast<std::uint8_t>(c));
  }
  return der;
}

// The v2 template info (1.3.6.1.4.1.311.21.7): SEQUENCE { OID, major, minor }.
std::vector<std::uint8_t> template_info(const char* oid, int major, int minor) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  unsigned char* buf = nullptr;
  const int len = i2d_ASN1_OBJECT(obj, &buf);
  std::vector<std::uint8_t> body(buf, buf + len);
  OPENSSL_free(buf);
  ASN1_OBJECT_free(obj);
  body.insert(body.end(), {0x02, 0x01, static_cast<std::uint8_t>(major), 0x02, 0x01,
                           static_cast<std::uint8_t>(minor)});
  std::vector<std::uint8_t> der = {0x30, static_cast<std::uint8_t>(body.size())};
  der.insert(der.end(), body.begin(), body.end());
  return der;
}

Cert new_cert(std::int64_t serial, const std::string& cn, const X509_NAME* issuer,
              std::int64_t not_before, std::int64_t not_after, EVP_PKEY* key) {
  Cert cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set_int64(X509_get_serialNumber(cert.get()), serial);
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Corp"), -1, -1, 0);
  X509_set_subject_name(cert.get(), name);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? issuer : name);
  X509_NAME_free(name);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(not_after));
  X509_set_pubkey(cert.get(), key);
  return cert;
}

}  // namespace

BenchPki::BenchPki(std::size_t leaf_keys) : ca_key_(ec_key()) {
  const std::int64_t now = time(nullptr);
  ca_ = new_cert(1, "CORP-ISSUING-CA", nullptr, now - 365 * kDay, now + 3650 * kDay, ca_key_.get());
  add_ext(ca_.get(), ca_.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(ca_.get(), ca_.get(), NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  add_ext(ca_.get(), ca_.get(), NID_subject_key_identifier, "hash");
  check(X509_sign(ca_.get(), ca_key_.get(), EVP_sha256()) > 0, "X509_sign (CA)");
  for (std::size_t i = 0; i < std::max<std::size_t>(leaf_keys, 1); ++i) {
    leaf_keys_.push_back(ec_key());
  }
}

Cert BenchPki::issue(std::size_t n, std::int64_t now) const {
  static const Profile kCycle[] = {Profile::ssl,    Profile::client, Profile::plain,
                                   Profile::client, Profile::cep,    Profile::eea};
  const Profile profile = kCycle[n % std::size(kCycle)];
  // Spread over expired (-30 days) to two years out, so every validity bucket has some.
  const std::int64_t not_after = now + (static_cast<std::int64_t>((n * 7919) % 760) - 30) * kDay;
  const std::int64_t not_before = now - 400 * kDay + static_cast<std::int64_t>(n % 97) * 3600;
  EVP_PKEY* key = leaf_key(n);
  const std::string cn = "host" + std::to_string(n) + ".corp.example";
  Cert cert = new_cert(static_cast<std::int64_t>(n) + 4096, cn, X509_get_subject_name(ca_.get()),
                       not_before, not_after, key);
  X509* c = cert.get();
  const char* kCdp = "URI:http://pki.corp.example/crl/corp-ca.crl";
  add_ext(c, ca_.get(), NID_basic_constraints, "CA:FALSE");
  switch (profile) {
    case Profile::cep:
    case Profile::eea: {
      // The NDES RA pair: same shape, different key usage and template name.
      const bool cep = profile == Profile::cep;
      add_ext(c, ca_.get(), NID_key_usage,
              cep ? "critical,keyEncipherment" : "critical,digitalSignature");
      add_ext(c, ca_.get(), NID_ext_key_usage, "1.3.6.1.4.1.311.20.2.1");
      add_raw_ext(c, "1.3.6.1.4.1.311.20.2",
                  bmp_string(cep ? "CEPEncryption" : "EnrollmentAgentOffline"));
      add_ext(c, ca_.get(), NID_crl_distribution_points, kCdp);
      break;
    }
    case Profile::ssl:
      add_ext(c, ca_.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
      add_ext(c, ca_.get(), NID_ext_key_usage, "serverAuth");
      add_ext(c, ca_.get(), NID_subject_alt_name, "DNS:" + cn + ",DNS:localhost,IP:127.0.0.1");
      add_raw_ext(c, "1.3.6.1.4.1.311.21.7",
                  template_info("1.3.6.1.4.1.311.21.8.1.2.3.4.5.6", 100, 4));
      break;
    case Profile::client:
      add_ext(c, ca_.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
      add_ext(c, ca_.get(), NID_ext_key_usage, "clientAuth");
      add_ext(c, ca_.get(), NID_crl_distribution_points, kCdp);
      break;
    case Profile::plain:
      add_ext(c, ca_.get(), NID_key_usage, "digitalSignature");
      break;
  }
  add_ext(c, ca_.get(), NID_authority_key_identifier, "keyid:always");
  check(X509_sign(c, ca_key_.get(), EVP_sha256()) > 0, "X509_sign");
  return cert;
}

std::vector<std::uint8_t> BenchPki::pfx(const X509* cert, std::size_t n,
                                        const std::string& passphrase) const {
  STACK_OF(X509)* chain = sk_X509_new_null();
  sk_X509_push(chain, ca_.get());
  PKCS12* p12 = PKCS12_create(passphrase.c_str(), "bench", leaf_key(n), const_cast<X509*>(cert),
                              chain, 0, 0, 0, 0, 0);
  sk_X509_free(chain);
  check(p12 != nullptr, "PKCS12_create");
  unsigned char* buf = nullptr;
  const int len = i2d_PKCS12(p12, &buf);
  PKCS12_free(p12);
  check(len > 0, "i2d_PKCS12");
  std::vector<std::uint8_t> der(buf, buf + len);
  OPENSSL_free(buf);
  return der;
}

std::vector<std::uint8_t> to_der(const X509* cert) {
  unsigned char* buf = nullptr;
  const int len = i2d_X509(cert, &buf);
  check(len > 0, "i2d_X509");
  std::vector<std::uint8_t> der(buf, buf + len);
  OPENSSL_free(buf);
  return der;
}

std::string to_pem(const X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return pem;
}

std::string key_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return pem;
}

}  // namespace ndes::bench
