// The certificate model: the facts about one X.509 certificate that every source
// (files, Windows store, SCEP, TLS) reports. Plain values only, so it can be copied
// into snapshots and compared in tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ndes {

// Key usage bits, named as RFC 5280 and `openssl x509 -text` name them.
enum KeyUsageBit : std::uint32_t {
  kDigitalSignature = 1U << 0,
  kNonRepudiation = 1U << 1,
  kKeyEncipherment = 1U << 2,
  kDataEncipherment = 1U << 3,
  kKeyAgreement = 1U << 4,
  kKeyCertSign = 1U << 5,
  kCrlSign = 1U << 6,
  kEncipherOnly = 1U << 7,
  kDecipherOnly = 1U << 8,
};

struct Certificate {
  std::string thumbprint;  // SHA-1 of the DER, uppercase hex, as Windows shows it
  std::string serial;      // uppercase hex, no separators
  std::string subject;     // RFC 2253 distinguished name
  std::string subject_cn;  // "" when the subject has no CN
  std::string issuer;
  std::string issuer_cn;
  std::int64_t not_before = 0;  // Unix seconds
  std::int64_t not_after = 0;

  bool has_key_usage = false;
  std::uint32_t key_usage = 0;    // KeyUsageBit flags
  std::vector<std::string> ekus;  // dotted OIDs, in certificate order
  bool has_basic_constraints = false;
  bool is_ca = false;
  std::vector<std::string> sans;  // "DNS:host", "IP:1.2.3.4", "email:a@b", "URI:..."
  std::vector<std::string> crl_distribution_points;  // URIs

  // Microsoft certificate template. template_name is the v1 name
  // (1.3.6.1.4.1.311.20.2), else the resolved v2 name, else the v2 dotted OID.
  std::string template_name;
  std::string template_oid;  // v2 (1.3.6.1.4.1.311.21.7) template OID, "" if absent
  int template_major = -1;
  int template_minor = -1;

  bool has_eku(const std::string& oid) const;
  bool has_key_usage_bit(KeyUsageBit bit) const { return (key_usage & bit) != 0; }
  // The subject's CN, else the whole DN: what a label or a table shows.
  const std::string& subject_label() const { return subject_cn.empty() ? subject : subject_cn; }
  const std::string& issuer_label() const { return issuer_cn.empty() ? issuer : issuer_cn; }
};

// Names of key usage bits that are set, e.g. {"digitalSignature", "keyEncipherment"}.
std::vector<std::string> key_usage_names(std::uint32_t key_usage);

namespace oid {
inline constexpr const char* kCertificateRequestAgent = "1.3.6.1.4.1.311.20.2.1";
inline constexpr const char* kServerAuth = "1.3.6.1.5.5.7.3.1";
inline constexpr const char* kClientAuth = "1.3.6.1.5.5.7.3.2";
inline constexpr const char* kTemplateNameV1 = "1.3.6.1.4.1.311.20.2";
inline constexpr const char* kTemplateInfoV2 = "1.3.6.1.4.1.311.21.7";
}  // namespace oid

}  // namespace ndes
