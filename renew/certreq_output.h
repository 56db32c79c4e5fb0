// What `certreq -submit` printed, read into what the CA decided. Pure.
//
// certreq prints the CA's disposition as text; its exit code is not a reliable signal
// (a request taken under submission is not an error to certreq). The lines it prints,
// as AD CS writes them:
//   RequestId: 12
//   RequestId: "12"
//   Certificate retrieved(Issued) Issued
// or "Certificate request is pending: Taken Under Submission (0)", or
// "Certificate not issued (Denied) Denied by Policy Module <the CA's message>".
#pragma once

#include <string>
#include <string_view>

namespace ndes::renew {

enum class SubmitDisposition {
  issued,   // the certificate was written to the .cer: -accept may run
  pending,  // the CA holds the request for a CA manager: nothing to accept yet
  denied,   // the CA refused it; `message` says why
  unknown,  // none of the above (an RPC error, an unreachable CA, a changed format)
};

struct SubmitOutcome {
  SubmitDisposition disposition = SubmitDisposition::unknown;
  std::string request_id;  // digits, "" when certreq printed none
  std::string message;     // denied: the CA's text; unknown: certreq's last line
};

SubmitOutcome parse_certreq_submit(std::string_view output);

std::string_view to_string(SubmitDisposition disposition);

// One sentence for the record and the admin: what happened and what to do next.
// `ca_config` is the -config string the request went to.
std::string submit_advice(const SubmitOutcome& outcome, std::string_view ca_config);

}  // namespace ndes::renew
