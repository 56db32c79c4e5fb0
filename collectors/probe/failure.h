// Why a probe failed: the `reason` label of ndes_probe_failure_info, plus the pure
// mapping from libcurl / OpenSSL outcomes and HTTP statuses to reasons and hints.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ndes::probe {

// Label values: they never change.
enum class FailureReason {
  timeout,
  connect_failed,
  http_status,
  bad_content,
  tls_error,
  too_large,
};
std::string_view to_string(FailureReason r);

// The reason for a failed libcurl transfer (a CURLcode as int, so this header needs
// no curl.h). `body_cap_hit` is set when our write callback refused a body over
// the cap (libcurl then says CURLE_WRITE_ERROR). A redirect loop
// (CURLE_TOO_MANY_REDIRECTS) is `http_status`: the server answered, with redirects
// instead of a result.
FailureReason classify_curl_error(int curl_code, bool body_cap_hit);

// Whether an HTTP status is a failure for a probe (anything but 2xx).
inline bool is_failure_status(long status) { return status < 200 || status > 299; }

// What an HTTP status usually means for NDES/IIS, for the log line; "" if nothing
// specific is known.
std::string http_status_hint(long status);

}  // namespace ndes::probe
