#include "crl/crl_parse.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <ctime>
#include <memory>

#include "base/time.h"

namespace ndes::crl {
namespace {

struct CrlDeleter {
  void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using CrlPtr = std::unique_ptr<X509_CRL, CrlDeleter>;

std::optional<std::int64_t> unix_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return std::nullopt;
  }
  return unix_from_utc_tm(tm);
}

std::string name_rfc2253(const X509_NAME* name) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  if (!bio || name == nullptr) {
    return "";
  }
  // UTF-8 kept as is (no \XX escapes) so labels read like the certificate ones.
  const unsigned long flags = XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    return "";
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : "";
}

std::string common_name(const X509_NAME* name) {
  const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) {
    return "";
  }
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    return "";
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

CrlPtr read_crl(std::span<const std::uint8_t> bytes) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.find("-----BEGIN X509 CRL-----") != std::string_view::npos) {
    std::unique_ptr<BIO, BioDeleter> bio(
        BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    return CrlPtr(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  }
  const unsigned char* p = bytes.data();
  return CrlPtr(d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size())));
}

}  // namespace

CrlParse parse_crl(std::span<const std::uint8_t> bytes) {
  CrlParse out;
  if (bytes.empty()) {
    out.error = "the CRL is empty";
    return out;
  }
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    out.error = "the CRL is too large";
    return out;
  }
  ERR_clear_error();
  const CrlPtr crl = read_crl(bytes);
  if (!crl) {
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    out.error = "not a DER or PEM CRL";
    if (e != 0) {
      char buf[256];
      ERR_error_string_n(e, buf, sizeof buf);
      out.error += std::string(" (") + buf + ")";
    }
    return out;
  }
  CrlFacts facts;
  const X509_NAME* issuer = X509_CRL_get_issuer(crl.get());
  facts.issuer_dn = name_rfc2253(issuer);
  facts.issuer = common_name(issuer);
  if (facts.issuer.empty()) {
    facts.issuer = facts.issuer_dn;
  }
  const auto this_update = unix_time(X509_CRL_get0_lastUpdate(crl.get()));
  if (!this_update) {
    out.error = "the CRL's thisUpdate cannot be read";
    return out;
  }
  facts.this_update = *this_update;
  facts.next_update = unix_time(X509_CRL_get0_nextUpdate(crl.get()));
  facts.revoked =
      static_cast<std::size_t>(std::max(0, sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get()))));
  out.crl = std::move(facts);
  ERR_clear_error();
  return out;
}

std::optional<std::string> file_target_path(std::string_view target) {
  if (target.starts_with("file://")) {
    return std::string(target.substr(7));
  }
  if (target.find("://") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(target);
}

}  // namespace ndes::crl
