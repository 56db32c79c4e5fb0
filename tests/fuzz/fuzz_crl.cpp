// The crl probe's parser (collectors/crl/crl_parse.h): a CRL in DER or PEM, as a
// CRL distribution point or a local file hands it over, and the target -> file path
// rule. Input: the CRL bytes (also read as a target string).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "crl/crl_parse.h"
#include "fuzz_common.h"
#include "ndes/metrics/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = ndes::crl::parse_crl(std::span<const std::uint8_t>(data, size));
  if (parsed.crl) {
    // A CRL may claim any dates; only the shape of the facts is checked.
    NDES_FUZZ_CHECK(!parsed.crl->issuer_dn.empty() || parsed.crl->issuer.empty());
  } else {
    NDES_FUZZ_CHECK(!parsed.error.empty());
  }
  (void)ndes::crl::file_target_path(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
