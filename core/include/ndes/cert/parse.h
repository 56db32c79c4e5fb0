// Parsing certificate containers (DER, PEM, PKCS#7, PKCS#12) into the model.
// Pure functions over bytes: no file system, no clock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ndes/cert/certificate.h"

struct x509_st;  // OpenSSL's X509

namespace ndes {

// Why a file that should hold certificates gave none. The names are label values
// (ndes_certificate_read_errors{reason}), so they never change.
enum class ReadError {
  bad_pem,
  bad_der,
  bad_pkcs12,
  bad_passphrase,
  permission_denied,
  read_failed,
  too_large,
  symlink_loop,  // a symbolic link in the walk that leads back to itself or an ancestor
};
std::string_view to_string(ReadError e);

// v2 template OID -> display name, for the names that a certificate cannot carry
// itself (AD keeps them; users list them in the config).
using TemplateNames = std::map<std::string, std::string, std::less<>>;

struct ParseOptions {
  // PKCS#12 passphrase; std::nullopt means "none configured" (an empty and a
  // NULL password are still tried, as Windows exports without one use either).
  std::optional<std::string> pkcs12_passphrase;
  const TemplateNames* template_names = nullptr;
};

struct ParseResult {
  std::vector<Certificate> certificates;
  // Set when the input looks like a certificate container but cannot be read.
  std::optional<ReadError> error;
  std::string detail;  // human-readable reason, never contains secrets
  // True when the input is not a certificate container at all (a key, a note):
  // callers skip it quietly.
  bool not_certificate = false;
};

// Parses `bytes`. `name_hint` is a file name (or ""); its extension only guides the
// format guess and the error reason, content sniffing decides.
ParseResult parse_certificates(std::span<const std::uint8_t> bytes, std::string_view name_hint,
                               const ParseOptions& options = {});

// One DER certificate (the Windows store hands these out). nullopt if it is not one.
std::optional<Certificate> parse_der_certificate(std::span<const std::uint8_t> der,
                                                 const TemplateNames* template_names = nullptr);

// A certificate OpenSSL has already decoded (a TLS peer's chain): the facts
// parse_der_certificate gives, without encoding and decoding it again. d2i_X509 in
// OpenSSL 3 decodes the public key through its provider decoders, about 0.1 ms a
// certificate, and a TLS probe's own CPU is a couple of milliseconds.
Certificate certificate_from_openssl(x509_st* x, const TemplateNames* template_names = nullptr);

}  // namespace ndes
