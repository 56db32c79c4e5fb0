#include "scep/scep_prober.h"

#include "ndes/cert/classify.h"
#include "scep/scep_parse.h"

namespace ndes::probe {
namespace {

constexpr const char* kStatusHelp = "HTTP status code of the SCEP operation's answer.";
constexpr const char* kCapabilityHelp = "1 for each capability in the GetCACaps answer.";

// One SCEP GET. Records the status sample whenever a response arrived, and fails
// the outcome for transport errors and non-2xx statuses. Returns the answer when
// the caller can go on reading it.
std::optional<HttpFetchResult> scep_get(const ProbeContext& context, ProbeOutcome& out,
                                        const std::string& operation) {
  std::string error;
  const auto url = scep::request_url(context.target, operation, &error);
  if (!url) {
    out.fail(FailureReason::connect_failed, error);
    return std::nullopt;
  }
  HttpFetchResult answer = http_get(*url, context.fetch_options());
  if (answer.status > 0) {
    out.add_sample("ndes_scep_http_status_code", kStatusHelp, {{"operation", operation}},
                   static_cast<double>(answer.status));
  }
  if (answer.failure) {
    out.fail(*answer.failure, operation + " " + *url + ": " + answer.detail);
    return std::nullopt;
  }
  if (is_failure_status(answer.status)) {
    std::string detail = operation + " " + *url + ": HTTP " + std::to_string(answer.status);
    if (const std::string hint = http_status_hint(answer.status); !hint.empty()) {
      detail += " (" + hint + ")";
    }
    out.fail(FailureReason::http_status, std::move(detail));
    return std::nullopt;
  }
  return answer;
}

bool is_transport_failure(const ProbeOutcome& out) {
  return out.failed() && *out.failure() != FailureReason::http_status &&
         *out.failure() != FailureReason::bad_content;
}

}  // namespace

void probe_scep(const ProbeContext& context, ProbeOutcome& out) {
  if (const auto caps_answer = scep_get(context, out, "GetCACaps")) {
    const std::string_view body(reinterpret_cast<const char*>(caps_answer->body.data()),
                                caps_answer->body.size());
    const scep::CaCaps caps = scep::parse_ca_caps(body);
    if (caps.error) {
      out.fail(FailureReason::bad_content, *caps.error);
    }
    for (const auto& cap : caps.capabilities) {
      out.add_sample("ndes_scep_capability", kCapabilityHelp, {{"capability", cap}}, 1);
    }
  }
  // After a timeout or a refused connection the second request would only wait
  // again; after a bad status it still shows whether the certificates are served.
  if (is_transport_failure(out)) {
    return;
  }
  const auto cert_answer = scep_get(context, out, "GetCACert");
  if (!cert_answer) {
    return;
  }
  scep::CaCertAnswer decoded =
      scep::decode_ca_cert(cert_answer->content_type, cert_answer->body, context.template_names);
  for (auto& cert : decoded.certificates) {
    const Role role = classify(cert);
    out.add_certificate(std::move(cert), role);
  }
  if (decoded.error) {
    out.fail(FailureReason::bad_content, *decoded.error);
  }
}

}  // namespace ndes::probe
