// What a command printed, made fit for the journal and the audit log: private key
// blocks and known secrets removed, then cut to a size. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ndes::renew {

// Output kept per stream and step.
inline constexpr std::size_t kOutputLimit = std::size_t{16} * 1024;

// Replaces every PEM private key block ("-----BEGIN ... PRIVATE KEY-----" to its END
// line, or to the end of the text when cut) with "[private key redacted]", and every
// occurrence of each non-empty secret with "[redacted]"; then keeps the first `limit`
// bytes, adding "\n[... N more bytes not kept]" when it cut. `dropped` counts bytes the
// reader already threw away beyond its own cap.
std::string redact_output(std::string_view text, const std::vector<std::string>& secrets,
                          std::size_t limit = kOutputLimit, std::size_t dropped = 0);

}  // namespace ndes::renew
