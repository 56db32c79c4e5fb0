#include "exporter/demo_store.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <utility>

namespace ndes {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDay = 86400;
// Dates get half a day of slack so "9 days left" still reads 9 for a while.
constexpr std::int64_t kSlack = kDay / 2;

struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct NameDeleter {
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
};
struct ExtDeleter {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct Pkcs7Deleter {
  void operator()(PKCS7* p) const { PKCS7_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using NamePtr = std::unique_ptr<X509_NAME, NameDeleter>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, ExtDeleter>;
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, Pkcs7Deleter>;

[[noreturn]] void fail(const std::string& what) {
  std::string detail;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    detail = buf;  // keep the last, usually the most specific
  }
  throw std::runtime_error("demo store: " + what + (detail.empty() ? "" : ": " + detail));
}

void check(bool ok, const char* what) {
  if (!ok) {
    fail(what);
  }
}

PkeyPtr make_key() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "generating an EC P-256 key");
  return key;
}

// RDNs in DER order (most general first), e.g. {{"C","US"}, ..., {"CN","X"}}.
NamePtr make_name(const std::vector<std::pair<std::string, std::string>>& rdns) {
  NamePtr name(X509_NAME_new());
  check(name != nullptr, "allocating a name");
  for (const auto& [field, value] : rdns) {
    check(X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                     0) == 1,
          "adding a name entry");
  }
  return name;
}

struct CertSpec {
  const X509_NAME* subject = nullptr;
  EVP_PKEY* key = nullptr;         // the subject's key
  const X509* issuer = nullptr;    // nullptr: self-signed
  EVP_PKEY* issuer_key = nullptr;  // nullptr: self-signed
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  // (name, value) pairs for X509V3_EXT_nconf, e.g. {"keyUsage", "critical,keyEncipherment"}
  // or {"1.3.6.1.4.1.311.20.2", "ASN1:BMPSTRING:CEPEncryption"}.
  std::vector<std::pair<std::string, std::string>> extensions;
};

X509Ptr make_cert(const CertSpec& spec) {
  X509Ptr cert(X509_new());
  check(cert != nullptr, "allocating a certificate");
  check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "setting the version");

  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "drawing a serial number");
  serial[0] &= 0x7f;  // positive
  serial[0] |= 0x10;  // and of full length
  BnPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  check(bn != nullptr && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) != nullptr,
        "setting the serial number");

  check(X509_set_subject_name(cert.get(), spec.subject) == 1, "setting the subject");
  const X509_NAME* issuer_name =
      spec.issuer != nullptr ? X509_get_subject_name(spec.issuer) : spec.subject;
  check(X509_set_issuer_name(cert.get(), issuer_name) == 1, "setting the issuer");
  check(ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.not_before)) !=
                nullptr &&
            ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.not_after)) !=
                nullptr,
        "setting the validity");
  check(X509_set_pubkey(cert.get(), spec.key) == 1, "setting the public key");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, spec.issuer != nullptr ? const_cast<X509*>(spec.issuer) : cert.get(),
                 cert.get(), nullptr, nullptr, 0);
  for (const auto& [name, value] : spec.extensions) {
    ExtPtr ext(X509V3_EXT_nconf(nullptr, &ctx, name.c_str(), value.c_str()));
    check(ext != nullptr, ("building extension " + name).c_str());
    check(X509_add_ext(cert.get(), ext.get(), -1) == 1, "adding an extension");
  }
  EVP_PKEY* signer = spec.issuer_key != nullptr ? spec.issuer_key : spec.key;
  check(X509_sign(cert.get(), signer, EVP_sha256()) > 0, "signing");
  return cert;
}

std::string to_pem(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(bio != nullptr && PEM_write_bio_X509(bio.get(), cert) == 1, "writing PEM");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string to_der(const X509* cert) {
  unsigned char* buf = nullptr;
  const int len = i2d_X509(cert, &buf);
  check(len > 0, "writing DER");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

// A certs-only PKCS#7 (DER), as Windows exports a .p7b.
std::string to_p7b(const std::vector<const X509*>& certs) {
  Pkcs7Ptr p7(PKCS7_new());
  check(p7 != nullptr && PKCS7_set_type(p7.get(), NID_pkcs7_signed) == 1 &&
            PKCS7_content_new(p7.get(), NID_pkcs7_data) == 1,
        "building PKCS#7");
  for (const X509* c : certs) {
    check(PKCS7_add_certificate(p7.get(), const_cast<X509*>(c)) == 1, "adding to PKCS#7");
  }
  unsigned char* buf = nullptr;
  const int len = i2d_PKCS7(p7.get(), &buf);
  check(len > 0, "writing PKCS#7");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

// DER of the v2 template extension value: SEQUENCE { OID, INTEGER major, INTEGER minor }.
std::string template_v2_der_hex(const char* oid, int major, int minor) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  check(obj != nullptr, "encoding the template OID");
  unsigned char* buf = nullptr;
  const int len = i2d_ASN1_OBJECT(obj, &buf);
  ASN1_OBJECT_free(obj);
  check(len > 0, "encoding the template OID");
  std::string body(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  body += {'\x02', '\x01', static_cast<char>(major)};
  body += {'\x02', '\x01', static_cast<char>(minor)};
  std::string der = {'\x30', static_cast<char>(body.size())};
  der += body;
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char c : der) {
    const auto u = static_cast<unsigned char>(c);
    out += hex[u >> 4];
    out += hex[u & 0xf];
  }
  return out;
}

// A PEM block whose base64 body is damaged halfway through.
std::string corrupt_pem(const std::string& pem) {
  std::string out = pem;
  const auto begin = out.find('\n');
  const auto end = out.rfind("-----END");
  if (begin == std::string::npos || end == std::string::npos || end <= begin + 40) {
    return "-----BEGIN CERTIFICATE-----\nMIIB!!broken!!\n-----END CERTIFICATE-----\n";
  }
  const auto mid = begin + (end - begin) / 2;
  out.replace(mid, 12, "!!#broken#!!");
  return out;
}

void write_file(const fs::path& path, const std::string& data) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) {
    throw std::runtime_error("demo store: cannot write " + path.string());
  }
}

const char* kCrlDp = "URI:http://pki.corp.example/CertEnroll/CORP-ISSUING-CA.crl";

}  // namespace

std::string make_temp_demo_dir() {
  const fs::path base = fs::temp_directory_path();
#ifdef _WIN32
  // No mkdtemp on Windows: a random name, created only if it does not exist yet.
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path dir = base / ("ndes-demo-" + std::to_string(random()));
    std::error_code ec;
    if (fs::create_directory(dir, ec)) {
      return dir.string();
    }
  }
  throw std::runtime_error("demo store: cannot create a directory under " + base.string());
#else
  std::string templ = (base / "ndes-demo-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error("demo store: cannot create a directory under " + base.string());
  }
  return templ;
#endif
}

DemoStore generate_demo_store(const std::string& dir, std::int64_t now) {
  const fs::path root = fs::absolute(dir);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) {
    throw std::runtime_error("demo store: cannot create " + root.string() + ": " + ec.message());
  }
  DemoStore store;
  store.dir = root.string();
  const auto add = [&](const std::string& rel, const std::string& data, std::string description) {
    const fs::path path = root / rel;
    write_file(path, data);
    store.files.push_back(DemoFile{path.string(), std::move(description)});
  };

  // The issuing CA.
  const PkeyPtr ca_key = make_key();
  const NamePtr ca_name = make_name({{"DC", "example"}, {"DC", "corp"}, {"CN", "CORP-ISSUING-CA"}});
  CertSpec ca_spec;
  ca_spec.subject = ca_name.get();
  ca_spec.key = ca_key.get();
  ca_spec.not_before = now - kDay * 365 * 2;
  ca_spec.not_after = now + kDay * 365 * 8 + kSlack;
  ca_spec.extensions = {{"basicConstraints", "critical,CA:TRUE"},
                        {"keyUsage", "critical,digitalSignature,keyCertSign,cRLSign"},
                        {"subjectKeyIdentifier", "hash"},
                        {"1.3.6.1.4.1.311.20.2", "ASN1:BMPSTRING:CA"}};
  const X509Ptr ca = make_cert(ca_spec);
  add("ca/CORP-ISSUING-CA.p7b", to_p7b({ca.get()}), "issuing CA, PKCS#7");

  // The NDES registration authority: two certificates with the same subject.
  const NamePtr ra_name = make_name({{"C", "US"},
                                     {"ST", "WA"},
                                     {"L", "Seattle"},
                                     {"O", "Corp"},
                                     {"OU", "IT"},
                                     {"CN", "NDES01-MSCEP-RA"}});
  const auto ra_spec = [&](EVP_PKEY* key, const char* template_name, const char* key_usage,
                           std::int64_t not_after) {
    CertSpec spec;
    spec.subject = ra_name.get();
    spec.key = key;
    spec.issuer = ca.get();
    spec.issuer_key = ca_key.get();
    spec.not_after = not_after;
    spec.not_before = not_after - kDay * 365 * 2;
    spec.extensions = {
        {"1.3.6.1.4.1.311.20.2", std::string("ASN1:BMPSTRING:") + template_name},
        {"keyUsage", std::string("critical,") + key_usage},
        {"extendedKeyUsage", "1.3.6.1.4.1.311.20.2.1"},
        {"subjectKeyIdentifier", "hash"},
        {"authorityKeyIdentifier", "keyid"},
        {"crlDistributionPoints", kCrlDp},
    };
    return spec;
  };
  const PkeyPtr cep_key = make_key();
  const X509Ptr cep = make_cert(
      ra_spec(cep_key.get(), "CEPEncryption", "keyEncipherment", now + 9 * kDay + kSlack));
  add("ra/NDES01-MSCEP-RA_CEPEncryption.cer", to_der(cep.get()), "CEPEncryption RA, DER, 9 days");

  const PkeyPtr eao_key = make_key();
  const X509Ptr eao = make_cert(ra_spec(eao_key.get(), "EnrollmentAgentOffline", "digitalSignature",
                                        now + 21 * kDay + kSlack));
  add("ra/NDES01-MSCEP-RA_EnrollmentAgentOffline.cer", to_der(eao.get()),
      "EnrollmentAgentOffline RA, DER, 21 days");

  // Renewed a month ago, the old one never removed: two valid signing certs.
  const PkeyPtr eao2_key = make_key();
  CertSpec eao2_spec = ra_spec(eao2_key.get(), "EnrollmentAgentOffline", "digitalSignature",
                               now + 700 * kDay + kSlack);
  eao2_spec.not_before = now - 30 * kDay;
  const X509Ptr eao2 = make_cert(eao2_spec);
  add("ra/NDES01-MSCEP-RA_EnrollmentAgentOffline_2.pem", to_pem(eao2.get()),
      "duplicate EnrollmentAgentOffline RA, PEM, 700 days");

  add("ra/ra-backup.pem", corrupt_pem(to_pem(cep.get())), "broken PEM");

  // The IIS certificate of the NDES site.
  const PkeyPtr ssl_key = make_key();
  const NamePtr ssl_name = make_name({{"CN", "ndes01.corp.example"}});
  CertSpec ssl_spec;
  ssl_spec.subject = ssl_name.get();
  ssl_spec.key = ssl_key.get();
  ssl_spec.issuer = ca.get();
  ssl_spec.issuer_key = ca_key.get();
  ssl_spec.not_after = now + 45 * kDay + kSlack;
  ssl_spec.not_before = ssl_spec.not_after - 365 * kDay;
  ssl_spec.extensions = {
      {"1.3.6.1.4.1.311.21.7", "DER:" + template_v2_der_hex(kDemoSslTemplateOid, 100, 4)},
      {"keyUsage", "critical,digitalSignature,keyEncipherment"},
      {"extendedKeyUsage", "serverAuth"},
      {"subjectAltName", "DNS:ndes01.corp.example,DNS:ndes01"},
      {"subjectKeyIdentifier", "hash"},
      {"authorityKeyIdentifier", "keyid"},
      {"crlDistributionPoints", kCrlDp},
  };
  const X509Ptr ssl = make_cert(ssl_spec);
  add("ssl/ndes01.corp.example.crt", to_pem(ssl.get()), "SSL certificate, PEM, 45 days");

  // The Intune Certificate Connector's identity, issued by Intune's own CA. Only the
  // leaf is written; the issuer exists here just to sign it.
  const PkeyPtr intune_key = make_key();
  const NamePtr intune_name = make_name({{"CN", "Microsoft Intune ImportPFX Connector CA"}});
  CertSpec intune_spec;
  intune_spec.subject = intune_name.get();
  intune_spec.key = intune_key.get();
  intune_spec.not_before = now - kDay * 365 * 3;
  intune_spec.not_after = now + kDay * 365 * 7;
  intune_spec.extensions = {{"subjectKeyIdentifier", "hash"}};
  const X509Ptr intune = make_cert(intune_spec);

  const PkeyPtr conn_key = make_key();
  const NamePtr conn_name = make_name({{"CN", "5f4d2e1a-3b6c-4d8e-9f0a-1b2c3d4e5f60"}});
  CertSpec conn_spec;
  conn_spec.subject = conn_name.get();
  conn_spec.key = conn_key.get();
  conn_spec.issuer = intune.get();
  conn_spec.issuer_key = intune_key.get();
  conn_spec.not_after = now + 300 * kDay + kSlack;
  conn_spec.not_before = conn_spec.not_after - 365 * kDay;
  conn_spec.extensions = {
      {"keyUsage", "critical,digitalSignature,keyEncipherment"},
      {"extendedKeyUsage", "clientAuth"},
      {"authorityKeyIdentifier", "keyid"},
  };
  const X509Ptr conn = make_cert(conn_spec);
  add("connector/IntuneConnectorIdentity.cer", to_pem(conn.get()),
      "Intune connector identity, PEM in .cer, 300 days");

  return store;
}

}  // namespace ndes
