// Before any step runs, the hook looks the alert's certificate up itself: the alert
// says which thumbprint to renew, the store (or the configured certificate files) says
// whether that certificate exists, is valid now, is of the alert's template and role,
// and has its private key. RenewalCert works only from a valid certificate with its key,
// so anything else is refused before certreq could fail on it. Pure: the sources only
// hand in what they found.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ndes/cert/certificate.h"
#include "renew/decide.h"

namespace ndes::renew {

// One certificate as a source found it.
struct SourceCertificate {
  Certificate cert;
  // Whether the store holds its private key; nullopt where the source cannot say
  // (a certificate file need not carry the key).
  std::optional<bool> has_private_key;
};

// The certificate of `thumbprint` (either case) in `found`; null when there is none.
const SourceCertificate* find_certificate(const std::vector<SourceCertificate>& found,
                                          std::string_view thumbprint);

// "" when `target` may be renewed from `found` at `now`; else why not, one sentence
// for the record (the thumbprint is not repeated: the record has it).
std::string check_target(const RenewTarget& target, const std::vector<SourceCertificate>& found,
                         std::int64_t now);

// The other RA certificate to renew in the same run: the newest certificate of the other
// RA role whose template the policy allows, that passes check_target() and expires within
// `window_seconds` of `now`. nullopt when there is none (then only `target` is renewed).
std::optional<RenewTarget> companion_target(const RenewTarget& target,
                                            const std::vector<SourceCertificate>& found,
                                            const Policy& policy, std::int64_t now,
                                            std::int64_t window_seconds);

// The duplicate repair for one template: keep the newest valid certificate of
// `template_name` that has its private key, remove every other certificate of that
// template. NDES stops with two valid certificates of one RA template (Event 10, then
// Event 2 with 0x80070057).
struct DuplicateRepair {
  std::string keep;                 // thumbprint
  std::vector<std::string> remove;  // thumbprints, newest first
};
// Why there is no repair: nothing to repair (one or no certificate of the template), or
// nothing safe to keep (no valid certificate with its private key).
enum class NoRepair { nothing_to_repair, nothing_safe_to_keep };
// nullopt with *why_not (and *kind, when given) when there is no repair.
std::optional<DuplicateRepair> plan_duplicate_repair(std::string_view template_name,
                                                     const std::vector<SourceCertificate>& found,
                                                     std::int64_t now, std::string* why_not,
                                                     NoRepair* kind = nullptr);

}  // namespace ndes::renew
