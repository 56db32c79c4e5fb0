// Many RA certificates at once, made in-process with OpenSSL: for tests that need a
// distinct certificate the hook can verify per alert (the fault tests renew hundreds).
// openssl(1) per certificate would take seconds; one EC key signs them all here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ndes::test {

// Writes `count` CEPEncryption certificates (v1 template name extension, valid from a
// year ago to `not_after`) as PEM bundles of at most 400 into `dir`; returns their
// thumbprints (SHA-1 of the DER, uppercase hex) in order.
std::vector<std::string> write_ra_bundle(const std::filesystem::path& dir, int count,
                                         std::int64_t not_after);

}  // namespace ndes::test
