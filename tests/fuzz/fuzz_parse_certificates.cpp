// The whole pure core on untrusted bytes: parse_certificates (DER, PEM, PKCS#7,
// PKCS#12), classify(), the records -> metric families mapping and the text
// exposition, as the files collector chains them.
//
// Input: byte 0 is a control byte, the rest the file content.
//   bits 0-2: the file name hint: a.pem a.der a.p7b a.pfx "" a.cer a.p12 a.crt
//   bits 3-4: the PKCS#12 passphrase: none configured, "", "fuzz", a wrong one
//   bit 5:    template names configured (v2 OID -> name)
//   bit 6:    also parse_der_certificate() on the content
// The seeds in corpus/fuzz_parse_certificates carry the hint of their format and
// passphrase "fuzz" (control byte 0x10 | format).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "ndes/cert/classify.h"
#include "ndes/cert/parse.h"
#include "ndes/collect/records.h"
#include "ndes/metrics/families.h"
#include "ndes/metrics/utf8.h"

namespace {

constexpr std::string_view kHints[] = {"a.pem", "a.der", "a.p7b", "a.pfx",
                                       "",      "a.cer", "a.p12", "a.crt"};

const ndes::TemplateNames& template_names() {
  static const ndes::TemplateNames names = {
      {"1.3.6.1.4.1.311.21.8.1111.2222.3333.4444.100", "NDES-SSL"},
      {"1.3.6.1.4.1.311.21.8.1.2", "Fuzz-Template"},
  };
  return names;
}

void check_certificate(const ndes::Certificate& c) {
  // The thumbprint is the SHA-1 of the DER: 40 uppercase hex digits, always.
  NDES_FUZZ_CHECK(c.thumbprint.size() == 40);
  for (char ch : c.thumbprint) {
    NDES_FUZZ_CHECK((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F'));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::uint8_t control = data[0];
  const std::span<const std::uint8_t> content(data + 1, size - 1);

  ndes::ParseOptions options;
  switch ((control >> 3) & 3) {
    case 0: break;
    case 1: options.pkcs12_passphrase = ""; break;
    case 2: options.pkcs12_passphrase = "fuzz"; break;
    case 3: options.pkcs12_passphrase = "not the passphrase"; break;
  }
  if ((control & 0x20) != 0) {
    options.template_names = &template_names();
  }
  const std::string_view hint = kHints[control & 7];

  const ndes::ParseResult parsed = ndes::parse_certificates(content, hint, options);
  // An error and certificates can come together (good blocks and a corrupt one);
  // "not a certificate" never comes with certificates.
  if (parsed.not_certificate) {
    NDES_FUZZ_CHECK(parsed.certificates.empty());
  }

  ndes::CollectorResult result;
  result.collector = "files";
  result.sources = {"/fuzz"};
  for (const ndes::Certificate& cert : parsed.certificates) {
    check_certificate(cert);
    ndes::CertificateRecord record;
    record.origin = {"files", "/fuzz", std::string("/fuzz/") + std::string(hint)};
    record.cert = cert;
    record.role = ndes::classify(cert);
    (void)ndes::to_string(record.role);
    (void)ndes::key_usage_names(cert.key_usage);
    result.certificates.push_back(std::move(record));
  }
  if (parsed.error) {
    result.errors.push_back({{"files", "/fuzz", "/fuzz/x"}, *parsed.error, parsed.detail});
    (void)ndes::to_string(*parsed.error);
  }

  if ((control & 0x40) != 0) {
    if (auto cert = ndes::parse_der_certificate(content, options.template_names)) {
      check_certificate(*cert);
      (void)ndes::classify(*cert);
    }
  }

  const std::vector<ndes::CollectorResult> results = {std::move(result)};
  // A fixed "now" in 2025: the validity-window arithmetic sees past and future dates.
  const auto families = ndes::to_families(results, 1750000000);
  const std::string text = ndes::serialize(families);
  NDES_FUZZ_CHECK(!text.empty());
  // Certificate names are arbitrary ASN.1 strings; a scrape must still be UTF-8.
  NDES_FUZZ_CHECK(ndes::valid_utf8(text) == text);
  return 0;
}
