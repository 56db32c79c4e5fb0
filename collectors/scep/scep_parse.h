// The pure parts of the SCEP probe (RFC 8894 GetCACaps / GetCACert): building the
// request URL, reading the capability list, and decoding the CA certificate answer
// whatever its Content-Type says.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ndes/cert/certificate.h"
#include "ndes/cert/parse.h"

namespace ndes::scep {

// The request URL for `operation` against `target`: a path ending in `.dll`
// (NDES: .../certsrv/mscep/mscep.dll) gets `/pkiclient.exe` appended, any other path
// (.../pkiclient.exe, micromdm's /scep) is used as given; then
// `?operation=OP&message=probe`. A target without a scheme is taken as https.
// nullopt (and *error set) when the target is not an http(s) URL.
std::optional<std::string> request_url(std::string_view target, std::string_view operation,
                                       std::string* error);

struct CaCaps {
  std::vector<std::string> capabilities;  // in answer order, without duplicates
  std::optional<std::string> error;       // set when the body is not a capability list
};

// One capability per line (CRLF or LF); blank lines are skipped. An HTML page or
// binary data is an error, so a proxy's "200 OK" error page fails the probe.
CaCaps parse_ca_caps(std::string_view body);

struct CaCertAnswer {
  std::vector<Certificate> certificates;
  std::optional<std::string> error;  // set when the answer is not what SCEP sends
  std::string format;                // what the body turned out to be, for the log
};

// Decodes a GetCACert answer: `application/x-x509-ca-ra-cert` (a degenerate PKCS#7,
// DER) or `application/x-x509-ca-cert` (one DER certificate), base64 or PEM
// tolerated. The body is sniffed, so a missing or wrong Content-Type does not
// matter; an HTML page, an empty body or a truncated structure is an error.
CaCertAnswer decode_ca_cert(std::string_view content_type, std::span<const std::uint8_t> body,
                            const TemplateNames* template_names = nullptr);

// True when the body starts (after whitespace and a BOM) like an HTML/XML page.
bool looks_like_html(std::span<const std::uint8_t> body);

}  // namespace ndes::scep
