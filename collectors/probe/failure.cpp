#include "probe/failure.h"

#include <curl/curl.h>

#include <array>

#include "base/enum_names.h"

namespace ndes::probe {

std::string_view to_string(FailureReason r) {
  static constexpr std::array<std::string_view, 6> kNames = {
      "timeout", "connect_failed", "http_status", "bad_content", "tls_error", "too_large"};
  return enum_name(r, kNames, "connect_failed");
}

FailureReason classify_curl_error(int curl_code, bool body_cap_hit) {
  if (body_cap_hit) {
    return FailureReason::too_large;
  }
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_OPERATION_TIMEDOUT:
      return FailureReason::timeout;
    case CURLE_FILESIZE_EXCEEDED:  // Content-Length over CURLOPT_MAXFILESIZE
      return FailureReason::too_large;
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_HTTP_RETURNED_ERROR:
      return FailureReason::http_status;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return FailureReason::tls_error;
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WEIRD_SERVER_REPLY:
      return FailureReason::bad_content;
    default:
      // Resolve, connect, send/receive, an empty reply, a malformed URL: the target
      // could not be talked to.
      return FailureReason::connect_failed;
  }
}

std::string http_status_hint(long status) {
  switch (status) {
    case 403:
      return "in NDES, 403 usually means IIS refused the request: request filtering (query "
             "string or URL too long, see MaxFieldLength/MaxRequestBytes), SSL/client "
             "certificate settings or IP restrictions on the SCEP application";
    case 404:
      return "the path is wrong: the NDES SCEP URL ends in /certsrv/mscep/mscep.dll";
    case 500:
      return "in NDES, 500 usually means the NDES service cannot use its RA certificates "
             "(missing, expired or private key unreadable by the service account) or cannot "
             "reach the CA; see the Application event log (NetworkDeviceEnrollmentService)";
    case 503:
      return "in NDES, 503 usually means the SCEP application pool is stopped (IIS stops it "
             "after repeated failures, e.g. a service account password change); start the "
             "SCEP app pool and check why it stopped";
    default:
      return "";
  }
}

}  // namespace ndes::probe
