#include "renew/certreq_output.h"

#include <array>

#include "base/enum_names.h"
#include "base/text.h"

namespace ndes::renew {
namespace {

constexpr std::string_view kIssued = "Certificate retrieved(Issued)";
constexpr std::string_view kPending = "Certificate request is pending";
constexpr std::string_view kDenied = "Certificate not issued (Denied)";
constexpr std::string_view kRequestId = "RequestId:";

// The digits of a `RequestId: 12` or `RequestId: "12"` line; "" otherwise.
std::string request_id_of(std::string_view line) {
  if (!istarts_with(line, kRequestId)) {
    return "";
  }
  std::string_view rest = trim_view(line.substr(kRequestId.size()));
  if (rest.size() >= 2 && rest.front() == '"' && rest.back() == '"') {
    rest = rest.substr(1, rest.size() - 2);
  }
  return is_digits(rest) && rest.size() <= 10 ? std::string(rest) : "";
}

}  // namespace

SubmitOutcome parse_certreq_submit(std::string_view output) {
  SubmitOutcome outcome;
  std::string last_line;
  std::string_view rest = output;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const std::string_view line = trim_view(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.empty()) {
      continue;
    }
    last_line = std::string(line);
    if (auto id = request_id_of(line); !id.empty()) {
      outcome.request_id = std::move(id);
    } else if (line.find(kIssued) != std::string_view::npos) {
      outcome.disposition = SubmitDisposition::issued;
    } else if (line.find(kPending) != std::string_view::npos) {
      outcome.disposition = SubmitDisposition::pending;
    } else if (const auto at = line.find(kDenied); at != std::string_view::npos) {
      outcome.disposition = SubmitDisposition::denied;
      outcome.message = trim(line.substr(at + kDenied.size()));
    } else if (outcome.disposition == SubmitDisposition::denied) {
      // The CA's message goes on over the next lines.
      outcome.message += " " + std::string(line);
    }
  }
  if (outcome.disposition == SubmitDisposition::unknown) {
    outcome.message = std::move(last_line);
  }
  outcome.message = printable(outcome.message, 400);
  return outcome;
}

std::string_view to_string(SubmitDisposition disposition) {
  static constexpr std::array<std::string_view, 4> kNames = {"issued", "pending", "denied",
                                                             "unknown"};
  return enum_name(disposition, kNames, "unknown");
}

std::string submit_advice(const SubmitOutcome& outcome, std::string_view ca_config) {
  const std::string id = outcome.request_id.empty() ? "<RequestId>" : outcome.request_id;
  const std::string ca = "\"" + std::string(ca_config) + "\"";
  switch (outcome.disposition) {
    case SubmitDisposition::issued:
      return "the CA issued request " + id;
    case SubmitDisposition::pending:
      return "the CA holds request " + id +
             " for a CA manager's approval (pending CA manager approval): issue it in the "
             "Certification Authority console (Pending Requests) or with `certutil -config " +
             ca + " -resubmit " + id + "`, then `certreq -retrieve -config " + ca + " " + id +
             " renewal.cer` and `certreq -accept -machine renewal.cer`; nothing was installed";
    case SubmitDisposition::denied:
      return "the CA denied request " + id + ": " +
             (outcome.message.empty() ? std::string("(no message)") : outcome.message) +
             "; nothing was installed";
    case SubmitDisposition::unknown:
      break;
  }
  return "certreq -submit gave no disposition" +
         (outcome.message.empty() ? std::string() : " (last line: " + outcome.message + ")") +
         "; nothing was installed";
}

}  // namespace ndes::renew
