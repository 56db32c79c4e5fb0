// Certificate containers -> model: PEM (any number of blocks, text around them), DER,
// PKCS#7 / CMS SignedData (DER or PEM), PKCS#12.
#include "ndes/cert/parse.h"

#include <openssl/provider.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "base/base64.h"
#include "base/enum_names.h"
#include "base/text.h"
#include "ossl.h"

namespace ndes {

std::string_view to_string(ReadError e) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "bad_pem",           "bad_der",     "bad_pkcs12", "bad_passphrase",
      "permission_denied", "read_failed", "too_large",  "symlink_loop"};
  return enum_name(e, kNames, "read_failed");
}

namespace {

using detail::CmsPtr;
using detail::last_openssl_reason;
using detail::OsslPtr;
using detail::Pkcs12Ptr;
using detail::Pkcs7Ptr;
using detail::Pkcs7StackPtr;
using detail::SafeBagStackPtr;
using detail::X509Ptr;
using detail::X509StackPtr;

// RC2-40 and other legacy PBEs of old Windows PFX exports live in the "legacy"
// provider. Loading a provider explicitly switches off the implicit "default" one,
// so load "default" too; retain_fallbacks=1 keeps everything working when legacy is
// absent. Process-wide (the default library context), once, thread-safe.
struct LoadedProviders {
  OSSL_PROVIDER* default_provider = nullptr;
  OSSL_PROVIDER* legacy_provider = nullptr;
  LoadedProviders() = default;
  LoadedProviders(const LoadedProviders&) = delete;
  LoadedProviders& operator=(const LoadedProviders&) = delete;
  // Runs at exit, before OpenSSL's own cleanup (registered earlier, so it runs later).
  ~LoadedProviders() {
    if (legacy_provider != nullptr) {
      OSSL_PROVIDER_unload(legacy_provider);
    }
    if (default_provider != nullptr) {
      OSSL_PROVIDER_unload(default_provider);
    }
  }
};

void load_providers_once() {
  static std::once_flag once;
  static LoadedProviders providers;
  std::call_once(once, [] {
    providers.default_provider = OSSL_PROVIDER_try_load(nullptr, "default", 1);
    providers.legacy_provider = OSSL_PROVIDER_try_load(nullptr, "legacy", 1);
    ERR_clear_error();
  });
}

enum class ExtKind { none, pem, der, pkcs7, pkcs12, key, other };

ExtKind extension_kind(std::string_view name) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) {
    return ExtKind::none;
  }
  const std::string ext = lower(name.substr(dot + 1));
  if (ext == "pem") {
    return ExtKind::pem;
  }
  if (ext == "crt" || ext == "cer" || ext == "der" || ext == "cert") {
    return ExtKind::der;
  }
  if (ext == "p7b" || ext == "p7c" || ext == "p7") {
    return ExtKind::pkcs7;
  }
  if (ext == "pfx" || ext == "p12") {
    return ExtKind::pkcs12;
  }
  if (ext == "key") {
    return ExtKind::key;
  }
  return ExtKind::other;
}

bool is_certificate_extension(ExtKind k) {
  return k == ExtKind::pem || k == ExtKind::der || k == ExtKind::pkcs7 || k == ExtKind::pkcs12;
}

// The error a certificate-named file gets when its bytes are no container at all.
ReadError error_for_extension(ExtKind k) {
  switch (k) {
    case ExtKind::pem:
      return ReadError::bad_pem;
    case ExtKind::pkcs12:
      return ReadError::bad_pkcs12;
    default:
      return ReadError::bad_der;
  }
}

class ResultBuilder {
 public:
  ResultBuilder(ParseResult& out, const ParseOptions& options) : out_(out), options_(options) {}

  void add(X509* x) {
    out_.certificates.push_back(detail::certificate_from_x509(x, options_.template_names));
  }
  // The first error wins; later ones are counted in its detail.
  void fail(ReadError e, std::string detail) {
    ERR_clear_error();
    if (!out_.error) {
      out_.error = e;
      out_.detail = std::move(detail);
      return;
    }
    ++extra_errors_;
  }
  void finish() {
    if (extra_errors_ > 0) {
      out_.detail += " (and " + std::to_string(extra_errors_) + " more error" +
                     (extra_errors_ == 1 ? "" : "s") + ")";
    }
  }
  const ParseOptions& options() const { return options_; }

 private:
  ParseResult& out_;
  const ParseOptions& options_;
  int extra_errors_ = 0;
};

// ---------------------------------------------------------------------------------
// DER structures

std::string with_reason(std::string text, const std::string& reason) {
  if (!reason.empty()) {
    text += " (" + reason + ")";
  }
  return text;
}

// Consecutive DER certificates from the start of `bytes`. Empty when the first one
// does not parse; trailing bytes after the last certificate are ignored.
std::vector<X509Ptr> der_certificates(std::span<const std::uint8_t> bytes, std::string& reason) {
  std::vector<X509Ptr> certs;
  const unsigned char* p = bytes.data();
  const unsigned char* end = bytes.data() + bytes.size();
  while (p < end) {
    X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(end - p)));
    if (!x) {
      if (certs.empty()) {
        reason = last_openssl_reason();
      }
      ERR_clear_error();
      break;
    }
    certs.push_back(std::move(x));
  }
  return certs;
}

enum class Pkcs7Status { not_pkcs7, ok };

// PKCS#7 (certs-only or signed) or CMS SignedData; appends its certificates.
Pkcs7Status pkcs7_certificates(std::span<const std::uint8_t> bytes, std::vector<X509Ptr>& certs) {
  const unsigned char* p = bytes.data();
  Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(bytes.size())));
  if (p7) {
    STACK_OF(X509)* stack = nullptr;
    const int nid = OBJ_obj2nid(p7->type);
    if (nid == NID_pkcs7_signed && p7->d.sign != nullptr) {
      stack = p7->d.sign->cert;
    } else if (nid == NID_pkcs7_signedAndEnveloped && p7->d.signed_and_enveloped != nullptr) {
      stack = p7->d.signed_and_enveloped->cert;
    }
    for (int i = 0; i < sk_X509_num(stack); ++i) {
      X509* x = sk_X509_value(stack, i);
      if (x != nullptr && X509_up_ref(x) == 1) {
        certs.emplace_back(x);
      }
    }
    ERR_clear_error();
    return Pkcs7Status::ok;
  }
  ERR_clear_error();
  // CMS-only shapes (e.g. signers identified by subjectKeyIdentifier) that the
  // PKCS#7 decoder rejects.
  p = bytes.data();
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(bytes.size())));
  if (!cms) {
    ERR_clear_error();
    return Pkcs7Status::not_pkcs7;
  }
  X509StackPtr stack(CMS_get1_certs(cms.get()));
  while (sk_X509_num(stack.get()) > 0) {
    certs.emplace_back(sk_X509_shift(stack.get()));
  }
  ERR_clear_error();
  return Pkcs7Status::ok;
}

// PKCS#12 -----------------------------------------------------------------------

struct Passphrase {
  const char* ptr;
  int len;
};

enum class P12Status { ok, decrypt_failed, corrupt };

constexpr int kMaxSafeDepth = 8;

P12Status collect_bags(const STACK_OF(PKCS12_SAFEBAG) * bags, std::vector<X509Ptr>& certs,
                       std::string& why, int depth) {
  if (depth > kMaxSafeDepth) {
    why = "PKCS#12 safe contents are nested too deeply";
    return P12Status::corrupt;
  }
  for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); ++i) {
    const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, i);
    const int nid = PKCS12_SAFEBAG_get_nid(bag);
    if (nid == NID_certBag && PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate) {
      X509Ptr x(PKCS12_SAFEBAG_get1_cert(bag));
      if (!x) {
        why = with_reason("PKCS#12 certificate bag does not hold a valid certificate",
                          last_openssl_reason());
        return P12Status::corrupt;
      }
      certs.push_back(std::move(x));
    } else if (nid == NID_safeContentsBag) {
      const P12Status s = collect_bags(PKCS12_SAFEBAG_get0_safes(bag), certs, why, depth + 1);
      if (s != P12Status::ok) {
        return s;
      }
    }
    // Key bags are never decrypted: the exporter has no use for private keys.
  }
  return P12Status::ok;
}

// Key derivation work a PKCS#12 may ask for (MAC iterations, PBE / PBKDF2
// iterations, scrypt N*r*p). The counts come from the file and OpenSSL does not cap
// them: 2^31 iterations hold a scrape for many minutes (found by
// fuzz_parse_certificates). Windows and OpenSSL write 2000-2048, Java 10000; a
// million costs about a third of a second per passphrase tried.
constexpr std::uint64_t kMaxPkcs12Work = 1000000;

// The iteration count `n` (nullptr: the ASN.1 default of 1), or nullopt when it is
// negative or does not fit 64 bits (a legitimate file never has such a count).
std::optional<std::uint64_t> iteration_count(const ASN1_INTEGER* n) {
  if (n == nullptr) {
    return 1;
  }
  std::uint64_t v = 0;
  if (ASN1_INTEGER_get_uint64(&v, n) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return v;
}

// "" when the work `alg` asks for is within kMaxPkcs12Work (or its parameters do not
// decode: OpenSSL then refuses the algorithm itself), else why not.
std::string pbe_work_error(const X509_ALGOR* alg) {
  if (alg == nullptr) {
    return "";
  }
  std::optional<std::uint64_t> work = 1;
  if (OBJ_obj2nid(alg->algorithm) == NID_pbes2) {
    OsslPtr<PBE2PARAM, PBE2PARAM_free> pbe2(static_cast<PBE2PARAM*>(
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)));
    if (!pbe2 || pbe2->keyfunc == nullptr) {
      ERR_clear_error();
      return "";
    }
    const int kdf = OBJ_obj2nid(pbe2->keyfunc->algorithm);
    if (kdf == NID_id_pbkdf2) {
      OsslPtr<PBKDF2PARAM, PBKDF2PARAM_free> kdf2(static_cast<PBKDF2PARAM*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter)));
      if (!kdf2) {
        ERR_clear_error();
        return "";
      }
      work = iteration_count(kdf2->iter);
    } else if (kdf == NID_id_scrypt) {
      OsslPtr<SCRYPT_PARAMS, SCRYPT_PARAMS_free> sp(static_cast<SCRYPT_PARAMS*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(SCRYPT_PARAMS), pbe2->keyfunc->parameter)));
      if (!sp) {
        ERR_clear_error();
        return "";
      }
      const auto n = iteration_count(sp->costParameter);
      const auto r = iteration_count(sp->blockSize);
      const auto p = iteration_count(sp->parallelizationParameter);
      work = std::nullopt;
      if (n && r && p && *n <= kMaxPkcs12Work && *r <= kMaxPkcs12Work && *p <= kMaxPkcs12Work) {
        work = *n * *r * *p;  // each factor <= 10^6, so no overflow
      }
    }
  } else if (alg->parameter != nullptr && alg->parameter->type == V_ASN1_SEQUENCE) {
    // PKCS#12 and PKCS#5 v1 PBEs: PBEParameter {salt, iterations}.
    OsslPtr<PBEPARAM, PBEPARAM_free> pbe(static_cast<PBEPARAM*>(
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter)));
    if (!pbe) {
      ERR_clear_error();
      return "";
    }
    work = iteration_count(pbe->iter);
  }
  if (!work || *work > kMaxPkcs12Work) {
    return "PKCS#12 encryption asks for more key derivation work than the limit of " +
           std::to_string(kMaxPkcs12Work) + " iterations";
  }
  return "";
}

P12Status pkcs12_certificates(PKCS12* p12, Passphrase pass, std::vector<X509Ptr>& certs,
                              std::string& why) {
  Pkcs7StackPtr safes(PKCS12_unpack_authsafes(p12));
  if (!safes) {
    why = with_reason("PKCS#12 contents cannot be decoded", last_openssl_reason());
    return P12Status::corrupt;
  }
  for (int i = 0; i < sk_PKCS7_num(safes.get()); ++i) {
    PKCS7* p7 = sk_PKCS7_value(safes.get(), i);
    SafeBagStackPtr bags;
    const int nid = OBJ_obj2nid(p7->type);
    if (nid == NID_pkcs7_data) {
      bags.reset(PKCS12_unpack_p7data(p7));
      if (!bags) {
        why = with_reason("PKCS#12 safe contents cannot be decoded", last_openssl_reason());
        return P12Status::corrupt;
      }
    } else if (nid == NID_pkcs7_encrypted) {
      if (p7->d.encrypted != nullptr && p7->d.encrypted->enc_data != nullptr) {
        why = pbe_work_error(p7->d.encrypted->enc_data->algorithm);
        if (!why.empty()) {
          return P12Status::corrupt;
        }
      }
      bags.reset(PKCS12_unpack_p7encdata(p7, pass.ptr, pass.len));
      if (!bags) {
        why = last_openssl_reason();
        return P12Status::decrypt_failed;
      }
    } else {
      continue;  // public-key-enveloped safes: not produced by Windows or OpenSSL
    }
    const P12Status s = collect_bags(bags.get(), certs, why, 0);
    if (s != P12Status::ok) {
      return s;
    }
  }
  return P12Status::ok;
}

// Whether the unencrypted layers (the authenticated safe and its plain safes) decode.
// Encrypted safes cannot be checked without the passphrase.
bool pkcs12_structure_ok(PKCS12* p12, std::string& why) {
  Pkcs7StackPtr safes(PKCS12_unpack_authsafes(p12));
  if (!safes) {
    why = with_reason("PKCS#12 is corrupt: its contents cannot be decoded", last_openssl_reason());
    ERR_clear_error();
    return false;
  }
  for (int i = 0; i < sk_PKCS7_num(safes.get()); ++i) {
    PKCS7* p7 = sk_PKCS7_value(safes.get(), i);
    if (OBJ_obj2nid(p7->type) != NID_pkcs7_data) {
      continue;
    }
    SafeBagStackPtr bags(PKCS12_unpack_p7data(p7));
    if (!bags) {
      why = with_reason("PKCS#12 is corrupt: a safe cannot be decoded", last_openssl_reason());
      ERR_clear_error();
      return false;
    }
  }
  ERR_clear_error();
  return true;
}

bool is_unsupported_algorithm(const std::string& reason) {
  return reason.find("unsupported") != std::string::npos ||
         reason.find("not supported") != std::string::npos;
}

// Returns false when `bytes` is not a PKCS#12 at all.
bool parse_pkcs12(std::span<const std::uint8_t> bytes, ResultBuilder& out) {
  const unsigned char* p = bytes.data();
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size())));
  if (!p12) {
    ERR_clear_error();
    return false;
  }
  load_providers_once();

  const auto& configured = out.options().pkcs12_passphrase;
  std::vector<Passphrase> candidates;
  if (configured) {
    candidates.push_back({configured->c_str(), static_cast<int>(configured->size())});
  }
  // Windows exports "without a password" use either an empty or an absent one.
  candidates.push_back({"", 0});
  candidates.push_back({nullptr, 0});
  const char* const no_pass_why =
      configured ? "wrong passphrase" : "encrypted and no passphrase configured";

  std::vector<X509Ptr> certs;
  if (PKCS12_mac_present(p12.get()) == 1) {
    const ASN1_INTEGER* mac_iter = nullptr;
    PKCS12_get0_mac(nullptr, nullptr, nullptr, &mac_iter, p12.get());
    if (const auto n = iteration_count(mac_iter); !n || *n > kMaxPkcs12Work) {
      out.fail(ReadError::bad_pkcs12, "PKCS#12 MAC iteration count is over the limit of " +
                                          std::to_string(kMaxPkcs12Work));
      return true;
    }
    const Passphrase* verified = nullptr;
    for (const auto& c : candidates) {
      ERR_clear_error();
      if (PKCS12_verify_mac(p12.get(), c.ptr, c.len) == 1) {
        verified = &c;
        break;
      }
      // A mismatch leaves the queue empty; anything queued means the MAC could
      // not be computed at all (unknown digest, corrupt MAC data).
      if (ERR_peek_error() != 0) {
        out.fail(ReadError::bad_pkcs12,
                 with_reason("PKCS#12 MAC cannot be checked", last_openssl_reason()));
        return true;
      }
    }
    if (verified == nullptr) {
      // A damaged file fails the MAC too: say so when its plain parts do not decode.
      if (std::string why; !pkcs12_structure_ok(p12.get(), why)) {
        out.fail(ReadError::bad_pkcs12, why);
        return true;
      }
      out.fail(ReadError::bad_passphrase,
               std::string("PKCS#12 MAC verification failed: ") + no_pass_why);
      return true;
    }
    std::string why;
    const P12Status s = pkcs12_certificates(p12.get(), *verified, certs, why);
    if (s == P12Status::decrypt_failed) {
      out.fail(ReadError::bad_pkcs12,
               is_unsupported_algorithm(why)
                   ? with_reason("PKCS#12 certificates are encrypted with an unsupported "
                                 "algorithm (is the OpenSSL legacy provider installed?)",
                                 why)
                   : with_reason("PKCS#12 certificates cannot be decrypted", why));
      return true;
    }
    if (s == P12Status::corrupt) {
      out.fail(ReadError::bad_pkcs12, why);
      return true;
    }
  } else {
    // No MAC: the first passphrase that decrypts every safe wins.
    bool decrypted = false;
    std::string why;
    for (const auto& c : candidates) {
      certs.clear();
      why.clear();
      ERR_clear_error();
      const P12Status s = pkcs12_certificates(p12.get(), c, certs, why);
      if (s == P12Status::ok) {
        decrypted = true;
        break;
      }
      if (s == P12Status::corrupt) {
        out.fail(ReadError::bad_pkcs12, why);
        return true;
      }
      if (is_unsupported_algorithm(why)) {
        out.fail(
            ReadError::bad_pkcs12,
            with_reason("PKCS#12 certificates are encrypted with an unsupported algorithm", why));
        return true;
      }
    }
    if (!decrypted) {
      out.fail(ReadError::bad_passphrase, std::string("PKCS#12 decryption failed: ") + no_pass_why);
      return true;
    }
  }
  ERR_clear_error();
  if (certs.empty()) {
    out.fail(ReadError::bad_pkcs12, "PKCS#12 holds no certificates");
    return true;
  }
  for (const auto& x : certs) {
    out.add(x.get());
  }
  return true;
}

// PEM ------------------------------------------------------------------------------

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";

struct PemBlock {
  std::string label;
  std::string_view body;
  bool has_end = false;
};

std::vector<PemBlock> pem_blocks(std::string_view text) {
  std::vector<PemBlock> blocks;
  std::size_t pos = text.find(kBegin);
  while (pos != std::string_view::npos) {
    const std::size_t label_start = pos + kBegin.size();
    const std::size_t label_end = text.find(kDashes, label_start);
    if (label_end == std::string_view::npos) {
      break;
    }
    const std::string_view label = text.substr(label_start, label_end - label_start);
    if (label.find_first_of("\r\n") != std::string_view::npos) {
      pos = text.find(kBegin, label_start);
      continue;
    }
    const std::size_t body_start = label_end + kDashes.size();
    const std::string end_marker = "-----END " + std::string(label) + "-----";
    const std::size_t end = text.find(end_marker, body_start);
    const std::size_t next_begin = text.find(kBegin, body_start);
    if (end == std::string_view::npos ||
        (next_begin != std::string_view::npos && next_begin < end)) {
      const std::size_t stop = next_begin == std::string_view::npos ? text.size() : next_begin;
      blocks.push_back({std::string(label), text.substr(body_start, stop - body_start), false});
      pos = next_begin;
      continue;
    }
    blocks.push_back({std::string(label), text.substr(body_start, end - body_start), true});
    pos = text.find(kBegin, end + end_marker.size());
  }
  return blocks;
}

// Strict base64 of a PEM body: whitespace between characters is fine, RFC 1421
// header lines ("Proc-Type: ...") before a blank line are skipped, padding only at
// the end. nullopt on anything else.
std::optional<std::vector<std::uint8_t>> decode_pem_body(std::string_view body) {
  // Skip encapsulated header lines if the first non-empty line has a colon.
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos) {
    const std::size_t eol = body.find('\n', first);
    const std::string_view line =
        body.substr(first, eol == std::string_view::npos ? eol : eol - first);
    if (line.find(':') != std::string_view::npos) {
      const std::size_t blank = body.find("\n\n", first);
      const std::size_t blank_crlf = body.find("\n\r\n", first);
      const std::size_t cut = std::min(blank, blank_crlf);
      if (cut == std::string_view::npos) {
        return std::nullopt;
      }
      body.remove_prefix(cut + 1);
    }
  }
  auto out = base64_decode(body);
  if (!out || out->empty()) {
    return std::nullopt;
  }
  return out;
}

bool is_certificate_label(std::string_view label) {
  return label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE";
}
bool is_pkcs7_label(std::string_view label) {
  return label == "PKCS7" || label == "PKCS #7 SIGNED DATA" || label == "CMS";
}

// Returns true when the text held at least one certificate-bearing block (good or
// bad) or a complete non-certificate block; false when it held no usable block.
bool parse_pem(std::string_view text, ResultBuilder& out, bool& only_other) {
  const std::vector<PemBlock> blocks = pem_blocks(text);
  bool any_cert_block = false;
  bool any_other_block = false;
  int index = 0;
  for (const PemBlock& block : blocks) {
    ++index;
    const bool cert = is_certificate_label(block.label);
    const bool pkcs7 = is_pkcs7_label(block.label);
    if (!cert && !pkcs7) {
      any_other_block = any_other_block || block.has_end;
      continue;
    }
    any_cert_block = true;
    const std::string where = "PEM block " + std::to_string(index) + " (" + block.label + ")";
    if (!block.has_end) {
      out.fail(ReadError::bad_pem, where + " has no END line");
      continue;
    }
    const auto der = decode_pem_body(block.body);
    if (!der) {
      out.fail(ReadError::bad_pem, where + " is not valid base64");
      continue;
    }
    if (der->size() > static_cast<std::size_t>(LONG_MAX)) {
      out.fail(ReadError::too_large, where + " is too large");
      continue;
    }
    if (cert) {
      const unsigned char* p = der->data();
      const auto len = static_cast<long>(der->size());
      X509Ptr x(block.label == "TRUSTED CERTIFICATE" ? d2i_X509_AUX(nullptr, &p, len)
                                                     : d2i_X509(nullptr, &p, len));
      if (!x) {
        out.fail(ReadError::bad_pem,
                 with_reason(where + " is not a valid X.509 certificate", last_openssl_reason()));
        continue;
      }
      out.add(x.get());
      continue;
    }
    std::vector<X509Ptr> certs;
    if (pkcs7_certificates(*der, certs) == Pkcs7Status::not_pkcs7) {
      out.fail(ReadError::bad_pem, where + " is not a valid PKCS#7 structure");
      continue;
    }
    if (certs.empty()) {
      out.fail(ReadError::bad_pem, "PKCS#7 holds no certificates (" + where + ")");
      continue;
    }
    for (const auto& x : certs) {
      out.add(x.get());
    }
  }
  only_other = !any_cert_block && any_other_block;
  return any_cert_block || any_other_block;
}

}  // namespace

ParseResult parse_certificates(std::span<const std::uint8_t> bytes, std::string_view name_hint,
                               const ParseOptions& options) {
  ERR_clear_error();
  ParseResult result;
  ResultBuilder out(result, options);
  const ExtKind ext = extension_kind(name_hint);
  if (ext == ExtKind::key) {
    result.not_certificate = true;
    return result;
  }
  // OpenSSL's decoders take long lengths and PKCS#12 passes int ones.
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    out.fail(ReadError::too_large, "input is larger than 2 GiB");
    return result;
  }
  if (bytes.empty()) {
    if (is_certificate_extension(ext)) {
      out.fail(error_for_extension(ext), "file is empty");
    } else {
      result.not_certificate = true;
    }
    return result;
  }

  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.find(kBegin) != std::string_view::npos) {
    bool only_other = false;
    if (parse_pem(text, out, only_other)) {
      if (only_other) {
        result.not_certificate = true;  // keys, CSRs, CRLs...
      }
      out.finish();
      ERR_clear_error();
      return result;
    }
    // "-----BEGIN " but no usable block: judged below like any other bytes.
  }

  std::string x509_reason;
  std::vector<X509Ptr> certs = der_certificates(bytes, x509_reason);
  if (certs.empty()) {
    switch (pkcs7_certificates(bytes, certs)) {
      case Pkcs7Status::ok:
        if (certs.empty()) {
          out.fail(ReadError::bad_der, "PKCS#7 holds no certificates");  // DER-encoded
          return result;
        }
        break;
      case Pkcs7Status::not_pkcs7:
        if (parse_pkcs12(bytes, out)) {
          out.finish();
          ERR_clear_error();
          return result;
        }
        break;
    }
  }
  for (const auto& x : certs) {
    out.add(x.get());
  }
  if (certs.empty()) {
    if (!is_certificate_extension(ext)) {
      result.not_certificate = true;
    } else if (ext == ExtKind::pem) {
      out.fail(ReadError::bad_pem, "no PEM certificate block, and not a DER certificate either");
    } else if (ext == ExtKind::pkcs12) {
      out.fail(ReadError::bad_pkcs12, "not a PKCS#12 file (DER decoding failed)");
    } else {
      out.fail(ReadError::bad_der,
               with_reason("not a DER certificate, PKCS#7 or PKCS#12", x509_reason));
    }
  }
  out.finish();
  ERR_clear_error();
  return result;
}

std::optional<Certificate> parse_der_certificate(std::span<const std::uint8_t> der,
                                                 const TemplateNames* template_names) {
  if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) {
    return std::nullopt;
  }
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) {
    ERR_clear_error();
    return std::nullopt;
  }
  Certificate c = detail::certificate_from_x509(x.get(), template_names);
  ERR_clear_error();
  return c;
}

Certificate certificate_from_openssl(x509_st* x, const TemplateNames* template_names) {
  Certificate c = detail::certificate_from_x509(x, template_names);
  ERR_clear_error();
  return c;
}

}  // namespace ndes
