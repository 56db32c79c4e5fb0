#include "renew/target_check.h"

#include <algorithm>

#include "base/text.h"
#include "ndes/cert/classify.h"

namespace ndes::renew {
namespace {

std::string role_of(const Certificate& cert) { return std::string(to_string(classify(cert))); }

bool valid_at(const Certificate& cert, std::int64_t now) {
  return cert.not_before <= now && now < cert.not_after;
}

// The certificates of `template_name`, newest NotAfter first.
std::vector<const SourceCertificate*> of_template(const std::vector<SourceCertificate>& found,
                                                  std::string_view template_name) {
  std::vector<const SourceCertificate*> out;
  for (const auto& c : found) {
    if (iequals(c.cert.template_name, template_name)) {
      out.push_back(&c);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return a->cert.not_after > b->cert.not_after;
  });
  return out;
}

}  // namespace

const SourceCertificate* find_certificate(const std::vector<SourceCertificate>& found,
                                          std::string_view thumbprint) {
  for (const auto& c : found) {
    if (iequals(c.cert.thumbprint, thumbprint)) {
      return &c;
    }
  }
  return nullptr;
}

std::string check_target(const RenewTarget& target, const std::vector<SourceCertificate>& found,
                         std::int64_t now) {
  const SourceCertificate* c = find_certificate(found, target.thumbprint);
  if (c == nullptr) {
    return "no certificate with this thumbprint is installed: nothing to renew from";
  }
  if (now >= c->cert.not_after) {
    return "the certificate has expired: RenewalCert needs a valid certificate, so this one "
           "must be re-enrolled by hand";
  }
  if (now < c->cert.not_before) {
    return "the certificate is not valid yet: RenewalCert needs a valid certificate";
  }
  if (!iequals(c->cert.template_name, target.template_name)) {
    return "the certificate's template is " + quote(c->cert.template_name) + ", the alert says " +
           quote(target.template_name);
  }
  if (const std::string role = role_of(c->cert); role != target.role) {
    return "the certificate's role is " + quote(role) + ", the alert says " + quote(target.role);
  }
  if (c->has_private_key == false) {
    return "the store has no private key for the certificate: certreq cannot sign the renewal "
           "with it";
  }
  return "";
}

std::optional<RenewTarget> companion_target(const RenewTarget& target,
                                            const std::vector<SourceCertificate>& found,
                                            const Policy& policy, std::int64_t now,
                                            std::int64_t window_seconds) {
  const SourceCertificate* best = nullptr;
  for (const auto& c : found) {
    const std::string role = role_of(c.cert);
    if (role == target.role ||
        std::find(renewable_roles().begin(), renewable_roles().end(), role) ==
            renewable_roles().end() ||
        std::find(policy.templates.begin(), policy.templates.end(), c.cert.template_name) ==
            policy.templates.end() ||
        !valid_at(c.cert, now)) {
      continue;
    }
    if (best == nullptr || c.cert.not_after > best->cert.not_after) {
      best = &c;
    }
  }
  // Only the newest of the other role counts: an older duplicate is the repair's business.
  if (best == nullptr || best->cert.not_after - now > window_seconds) {
    return std::nullopt;
  }
  RenewTarget other = target;
  other.thumbprint = upper(best->cert.thumbprint);
  other.template_name = best->cert.template_name;
  other.role = role_of(best->cert);
  if (!check_target(other, found, now).empty()) {
    return std::nullopt;
  }
  return other;
}

std::optional<DuplicateRepair> plan_duplicate_repair(std::string_view template_name,
                                                     const std::vector<SourceCertificate>& found,
                                                     std::int64_t now, std::string* why_not,
                                                     NoRepair* kind) {
  const auto certs = of_template(found, template_name);
  if (certs.size() < 2) {
    *why_not = std::to_string(certs.size()) + " certificate(s) of template " +
               quote(template_name) + " installed: nothing to repair";
    if (kind != nullptr) {
      *kind = NoRepair::nothing_to_repair;
    }
    return std::nullopt;
  }
  const auto keep = std::find_if(certs.begin(), certs.end(), [&](const SourceCertificate* c) {
    return valid_at(c->cert, now) && c->has_private_key != false;
  });
  if (keep == certs.end()) {
    *why_not = "no valid certificate of template " + quote(template_name) +
               " with its private key to keep: renew or re-enroll by hand first";
    if (kind != nullptr) {
      *kind = NoRepair::nothing_safe_to_keep;
    }
    return std::nullopt;
  }
  DuplicateRepair repair;
  repair.keep = upper((*keep)->cert.thumbprint);
  for (const auto* c : certs) {
    if (c != *keep) {
      repair.remove.push_back(upper(c->cert.thumbprint));
    }
  }
  return repair;
}

}  // namespace ndes::renew
