// X509 -> ndes::Certificate: every fact the model holds, read with the OpenSSL 3 API.
#include <openssl/evp.h>
#include <openssl/objects.h>

#include <array>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "base/time.h"
#include "ossl.h"

namespace ndes::detail {
namespace {

std::string hex_upper(const unsigned char* data, std::size_t len) {
  static constexpr std::string_view kDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(len * 2);
  for (std::size_t i = 0; i < len; ++i) {
    out.push_back(kDigits[data[i] >> 4U]);
    out.push_back(kDigits[data[i] & 0x0FU]);
  }
  return out;
}

std::string asn1_string_utf8(const ASN1_STRING* s) {
  if (s == nullptr) {
    return {};
  }
  unsigned char* raw = nullptr;
  const int len = ASN1_STRING_to_UTF8(&raw, s);
  if (len < 0) {
    ERR_clear_error();
    return {};
  }
  OsslBytesPtr owned(raw);
  std::string out(reinterpret_cast<const char*>(raw), static_cast<std::size_t>(len));
  // Some Windows encoders terminate BMPStrings with a NUL character.
  while (!out.empty() && out.back() == '\0') {
    out.pop_back();
  }
  return out;
}

std::string asn1_string_raw(const ASN1_STRING* s) {
  if (s == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
          static_cast<std::size_t>(ASN1_STRING_length(s))};
}

std::string name_rfc2253(const X509_NAME* name) {
  if (name == nullptr) {
    return {};
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) {
    return {};
  }
  // RFC 2253 order and escaping, but UTF-8 kept as UTF-8 (RFC 4514 allows it)
  // rather than \XX escapes, so a label shows "Müller", not "M\C3\BCller".
  const unsigned long flags = XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) {
    return {};
  }
  return {data, static_cast<std::size_t>(len)};
}

// The most specific CN: the last one in certificate order (which RFC 2253 prints first).
std::string common_name(const X509_NAME* name) {
  if (name == nullptr) {
    return {};
  }
  int found = -1;
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
    found = i;
  }
  if (found < 0) {
    return {};
  }
  return asn1_string_utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, found)));
}

std::int64_t unix_seconds(const ASN1_TIME* t) {
  if (t == nullptr) {
    return 0;
  }
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return 0;
  }
  return unix_from_utc_tm(tm);
}

std::string serial_hex(const X509* x) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
  if (serial == nullptr) {
    return {};
  }
  BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) {
    ERR_clear_error();
    return {};
  }
  OsslStringPtr hex(BN_bn2hex(bn.get()));
  return hex ? std::string(hex.get()) : std::string();
}

std::string thumbprint(X509* x) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (X509_digest(x, EVP_sha1(), md.data(), &len) != 1) {
    ERR_clear_error();
    return {};
  }
  return hex_upper(md.data(), len);
}

std::uint32_t key_usage_bits(std::uint32_t ossl) {
  struct Map {
    std::uint32_t ossl;
    KeyUsageBit bit;
  };
  static constexpr std::array<Map, 9> kMap{{
      {KU_DIGITAL_SIGNATURE, kDigitalSignature},
      {KU_NON_REPUDIATION, kNonRepudiation},
      {KU_KEY_ENCIPHERMENT, kKeyEncipherment},
      {KU_DATA_ENCIPHERMENT, kDataEncipherment},
      {KU_KEY_AGREEMENT, kKeyAgreement},
      {KU_KEY_CERT_SIGN, kKeyCertSign},
      {KU_CRL_SIGN, kCrlSign},
      {KU_ENCIPHER_ONLY, kEncipherOnly},
      {KU_DECIPHER_ONLY, kDecipherOnly},
  }};
  std::uint32_t out = 0;
  for (const auto& m : kMap) {
    if ((ossl & m.ossl) != 0) {
      out |= m.bit;
    }
  }
  return out;
}

// RFC 5952 text of an IPv6 address: lowercase, the longest run of zero groups
// (two or more) shortened to "::".
std::string ipv6_text(const unsigned char* p) {
  std::array<unsigned, 8> groups{};
  for (std::size_t i = 0; i < groups.size(); ++i) {
    groups[i] = (static_cast<unsigned>(p[2 * i]) << 8U) | p[2 * i + 1];
  }
  int best_start = -1;
  int best_len = 0;
  for (int i = 0; i < 8;) {
    if (groups[static_cast<std::size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[static_cast<std::size_t>(j)] == 0) {
      ++j;
    }
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) {
    best_start = -1;
  }
  std::string out;
  std::array<char, 8> buf{};
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') {
      out.push_back(':');
    }
    std::snprintf(buf.data(), buf.size(), "%x", groups[static_cast<std::size_t>(i)]);
    out += buf.data();
  }
  return out;
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const unsigned char* p = ASN1_STRING_get0_data(ip);
  const int len = ASN1_STRING_length(ip);
  if (len == 4) {
    return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) + "." +
           std::to_string(p[3]);
  }
  if (len == 16) {
    return ipv6_text(p);
  }
  return hex_upper(p, static_cast<std::size_t>(len < 0 ? 0 : len));
}

// "DNS:", "IP:", "email:", "URI:", plus "DirName:" and "UPN:" (AD CS user certs), or ""
// for kinds the model does not show.
std::string general_name_text(const GENERAL_NAME* gn) {
  switch (gn->type) {
    case GEN_DNS:
      return "DNS:" + asn1_string_raw(gn->d.dNSName);
    case GEN_EMAIL:
      return "email:" + asn1_string_raw(gn->d.rfc822Name);
    case GEN_URI:
      return "URI:" + asn1_string_raw(gn->d.uniformResourceIdentifier);
    case GEN_IPADD:
      return "IP:" + ip_text(gn->d.iPAddress);
    case GEN_DIRNAME:
      return "DirName:" + name_rfc2253(gn->d.directoryName);
    case GEN_OTHERNAME: {
      const OTHERNAME* on = gn->d.otherName;
      if (on != nullptr && OBJ_obj2nid(on->type_id) == NID_ms_upn && on->value != nullptr &&
          on->value->type == V_ASN1_UTF8STRING) {
        return "UPN:" + asn1_string_utf8(on->value->value.utf8string);
      }
      return {};
    }
    default:
      return {};
  }
}

template <typename T, auto FreeFn>
OsslPtr<T, FreeFn> ext_d2i(X509* x, int nid) {
  void* raw = X509_get_ext_d2i(x, nid, nullptr, nullptr);
  if (raw == nullptr) {
    ERR_clear_error();
  }
  return OsslPtr<T, FreeFn>(static_cast<T*>(raw));
}

void read_ekus(X509* x, Certificate& c) {
  auto eku = ext_d2i<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>(x, NID_ext_key_usage);
  if (!eku) {
    return;
  }
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    c.ekus.push_back(oid_text(sk_ASN1_OBJECT_value(eku.get(), i)));
  }
}

void read_basic_constraints(X509* x, Certificate& c) {
  c.has_basic_constraints = X509_get_ext_by_NID(x, NID_basic_constraints, -1) >= 0;
  auto bc = ext_d2i<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>(x, NID_basic_constraints);
  c.is_ca = bc && bc->ca != 0;
}

void read_sans(X509* x, Certificate& c) {
  auto names = ext_d2i<GENERAL_NAMES, GENERAL_NAMES_free>(x, NID_subject_alt_name);
  if (!names) {
    return;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    std::string text = general_name_text(sk_GENERAL_NAME_value(names.get(), i));
    if (!text.empty()) {
      c.sans.push_back(std::move(text));
    }
  }
}

void read_crl_distribution_points(X509* x, Certificate& c) {
  auto cdp = ext_d2i<CRL_DIST_POINTS, CRL_DIST_POINTS_free>(x, NID_crl_distribution_points);
  if (!cdp) {
    return;
  }
  for (int i = 0; i < sk_DIST_POINT_num(cdp.get()); ++i) {
    const DIST_POINT* dp = sk_DIST_POINT_value(cdp.get(), i);
    if (dp == nullptr || dp->distpoint == nullptr || dp->distpoint->type != 0) {
      continue;
    }
    const GENERAL_NAMES* full = dp->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(full); ++j) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(full, j);
      if (gn->type == GEN_URI) {
        c.crl_distribution_points.push_back(asn1_string_raw(gn->d.uniformResourceIdentifier));
      }
    }
  }
}

int clamp_to_int(const ASN1_INTEGER* i) {
  std::int64_t v = 0;
  if (i == nullptr || ASN1_INTEGER_get_int64(&v, i) != 1) {
    ERR_clear_error();
    return -1;
  }
  if (v < 0 || v > INT_MAX) {
    return -1;
  }
  return static_cast<int>(v);
}

// v1: the extension value is a string (BMPString from AD CS; other string types seen).
std::string template_v1_name(const ASN1_OCTET_STRING* value) {
  const unsigned char* p = ASN1_STRING_get0_data(value);
  Asn1TypePtr type(d2i_ASN1_TYPE(nullptr, &p, ASN1_STRING_length(value)));
  if (!type) {
    ERR_clear_error();
    return {};
  }
  switch (type->type) {
    case V_ASN1_BMPSTRING:
    case V_ASN1_UTF8STRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_T61STRING:
    case V_ASN1_VISIBLESTRING:
    case V_ASN1_UNIVERSALSTRING:
      return asn1_string_utf8(type->value.asn1_string);
    default:
      return {};
  }
}

// v2: SEQUENCE { templateID OID, templateMajorVersion INTEGER,
//                templateMinorVersion INTEGER OPTIONAL }
void read_template_v2(const ASN1_OCTET_STRING* value, Certificate& c) {
  const unsigned char* p = ASN1_STRING_get0_data(value);
  Asn1SequenceAnyPtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, ASN1_STRING_length(value)));
  if (!seq) {
    ERR_clear_error();
    return;
  }
  const int n = sk_ASN1_TYPE_num(seq.get());
  if (n < 1) {
    return;
  }
  const ASN1_TYPE* id = sk_ASN1_TYPE_value(seq.get(), 0);
  if (id->type != V_ASN1_OBJECT) {
    return;
  }
  c.template_oid = oid_text(id->value.object);
  if (n >= 2) {
    const ASN1_TYPE* major = sk_ASN1_TYPE_value(seq.get(), 1);
    if (major->type == V_ASN1_INTEGER) {
      c.template_major = clamp_to_int(major->value.integer);
    }
  }
  if (n >= 3) {
    const ASN1_TYPE* minor = sk_ASN1_TYPE_value(seq.get(), 2);
    if (minor->type == V_ASN1_INTEGER) {
      c.template_minor = clamp_to_int(minor->value.integer);
    }
  }
}

void read_templates(X509* x, Certificate& c, const TemplateNames* template_names) {
  const int count = X509_get_ext_count(x);
  for (int i = 0; i < count; ++i) {
    X509_EXTENSION* ext = X509_get_ext(x, i);
    const std::string oid = oid_text(X509_EXTENSION_get_object(ext));
    if (oid == oid::kTemplateNameV1) {
      c.template_name = template_v1_name(X509_EXTENSION_get_data(ext));
    } else if (oid == oid::kTemplateInfoV2) {
      read_template_v2(X509_EXTENSION_get_data(ext), c);
    }
  }
  if (!c.template_name.empty() || c.template_oid.empty()) {
    return;
  }
  if (template_names != nullptr) {
    if (auto it = template_names->find(c.template_oid); it != template_names->end()) {
      c.template_name = it->second;
      return;
    }
  }
  c.template_name = c.template_oid;
}

}  // namespace

std::string last_openssl_reason() {
  const unsigned long e = ERR_peek_last_error();
  if (e == 0) {
    return {};
  }
  const char* reason = ERR_reason_error_string(e);
  if (reason != nullptr) {
    return reason;
  }
  std::array<char, 256> buf{};
  ERR_error_string_n(e, buf.data(), buf.size());
  return buf.data();
}

std::string oid_text(const ASN1_OBJECT* obj) {
  if (obj == nullptr) {
    return {};
  }
  std::array<char, 128> buf{};
  const int needed = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), obj, 1);
  if (needed <= 0) {
    ERR_clear_error();
    return {};
  }
  if (static_cast<std::size_t>(needed) < buf.size()) {
    return buf.data();
  }
  std::string big(static_cast<std::size_t>(needed) + 1, '\0');
  OBJ_obj2txt(big.data(), needed + 1, obj, 1);
  big.resize(static_cast<std::size_t>(needed));
  return big;
}

Certificate certificate_from_x509(X509* x, const TemplateNames* template_names) {
  Certificate c;
  c.thumbprint = thumbprint(x);
  c.serial = serial_hex(x);
  c.subject = name_rfc2253(X509_get_subject_name(x));
  c.subject_cn = common_name(X509_get_subject_name(x));
  c.issuer = name_rfc2253(X509_get_issuer_name(x));
  c.issuer_cn = common_name(X509_get_issuer_name(x));
  c.not_before = unix_seconds(X509_get0_notBefore(x));
  c.not_after = unix_seconds(X509_get0_notAfter(x));

  c.has_key_usage = X509_get_ext_by_NID(x, NID_key_usage, -1) >= 0;
  const std::uint32_t ku = X509_get_key_usage(x);
  c.key_usage = (c.has_key_usage && ku != UINT32_MAX) ? key_usage_bits(ku) : 0;

  read_ekus(x, c);
  read_basic_constraints(x, c);
  read_sans(x, c);
  read_crl_distribution_points(x, c);
  read_templates(x, c, template_names);
  ERR_clear_error();
  return c;
}

}  // namespace ndes::detail
