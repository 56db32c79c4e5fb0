// The SCEP probe's answer handling (collectors/scep/scep_parse.h): GetCACert
// decoding (degenerate PKCS#7, DER, base64, PEM, sniffed whatever the Content-Type),
// GetCACaps lists, the HTML sniffing, base64 (base/base64.h) and the request URL built from a
// target.
//
// Input: byte 0 picks the Content-Type (low 3 bits); the rest is the HTTP body, also
// read as the GetCACaps body, as base64 text and as a probe target (request_url and
// the probe's URL / host:port parsers, collectors/probe/url.h).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/base64.h"
#include "fuzz_common.h"
#include "ndes/cert/classify.h"
#include "probe/url.h"
#include "scep/scep_parse.h"

namespace {

constexpr std::string_view kContentTypes[] = {
    "application/x-x509-ca-ra-cert",
    "application/x-x509-ca-cert",
    "",
    "text/html; charset=utf-8",
    "application/octet-stream",
    "text/plain",
    "application/x-x509-ca-ra-cert; charset=binary",
    "application/pkcs7-mime",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view content_type = kContentTypes[data[0] & 7];
  const std::span<const std::uint8_t> body(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());

  const ndes::scep::CaCertAnswer answer = ndes::scep::decode_ca_cert(content_type, body);
  if (answer.error) {
    NDES_FUZZ_CHECK(!answer.error->empty());
  } else {
    // A good answer has at least one certificate.
    NDES_FUZZ_CHECK(!answer.certificates.empty());
  }
  for (const auto& cert : answer.certificates) {
    NDES_FUZZ_CHECK(cert.thumbprint.size() == 40);
    (void)ndes::classify(cert);
  }

  const ndes::scep::CaCaps caps = ndes::scep::parse_ca_caps(text);
  if (!caps.error) {
    for (const auto& cap : caps.capabilities) {
      NDES_FUZZ_CHECK(!cap.empty());
      NDES_FUZZ_CHECK(cap.find_first_of("\r\n") == std::string::npos);
    }
  }

  (void)ndes::scep::looks_like_html(body);
  (void)ndes::base64_decode(text);

  std::string error;
  if (auto url = ndes::scep::request_url(text, "GetCACert", &error)) {
    NDES_FUZZ_CHECK(url->rfind("http://", 0) == 0 || url->rfind("https://", 0) == 0);
  } else {
    NDES_FUZZ_CHECK(!error.empty());
  }
  if (auto u = ndes::probe::parse_http_url(text)) {
    NDES_FUZZ_CHECK(u->scheme == "http" || u->scheme == "https");
    NDES_FUZZ_CHECK(u->port > 0 && u->port <= 65535);
    NDES_FUZZ_CHECK(u->path.empty() || u->path.front() == '/');
    (void)u->origin();
    (void)ndes::probe::is_ip_literal(u->host);
    // What the parser gives back must parse again to the same thing.
    const std::string again = u->origin() + u->path + (u->has_query ? "?" + u->query : "");
    auto u2 = ndes::probe::parse_http_url(again);
    NDES_FUZZ_CHECK(u2.has_value());
    NDES_FUZZ_CHECK(u2->host == u->host && u2->port == u->port && u2->path == u->path);
  }
  if (auto hp = ndes::probe::parse_host_port(text, 443)) {
    NDES_FUZZ_CHECK(hp->port > 0 && hp->port <= 65535);
  }
  return 0;
}
