// What an alert asks for, decided before anything else looks at it: act on it
// (renew one certificate), record it as skipped with the reason, or record it as
// resolved. Pure. A RenewTarget only comes out of decide(), so every value in it has
// been validated; nothing else may put a label value on a command line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "renew/alert.h"

namespace ndes::renew {

// The roles the hook renews: the two NDES RA certificates.
inline const std::vector<std::string>& renewable_roles() {
  static const std::vector<std::string> roles = {"cep_encryption", "enrollment_agent"};
  return roles;
}

struct Policy {
  std::vector<std::string> alertnames;  // acted on; others are skipped
  std::vector<std::string> templates;   // allowlist, exact match
  std::string instance;                 // this host, as normalize_instance() gives it
};

// The alert that asks for the duplicate repair instead of a renewal: it names a template,
// not a certificate (the rule counts the valid certificates of each RA template).
inline constexpr std::string_view kDuplicateAlert = "NdesRaCertificateDuplicate";

enum class Action {
  renew,   // renew the certificate the alert names (RenewalCert)
  repair,  // keep the newest valid certificate of the template, back up and remove the others
};

// A validated renewal request.
struct RenewTarget {
  Action action = Action::renew;
  std::string thumbprint;      // 40 uppercase hex characters; "" for repair
  std::string template_name;   // one of Policy::templates
  std::string role;            // one of renewable_roles()
  std::string instance;        // Policy::instance (the label matched it)
  std::string instance_label;  // the label as sent, e.g. "ndes01:10227" (not for argv)
  std::string alertname;       // one of Policy::alertnames
};

enum class Verdict {
  act,       // firing and valid: renew target
  skip,      // recorded with reason, never acted on
  resolved,  // recorded, never acted on
};

struct Decision {
  Verdict verdict = Verdict::skip;
  std::string reason;  // for skip and resolved; safe to echo (printable())
  RenewTarget target;  // set only for act
};

Decision decide(const Alert& alert, const Policy& policy);

// Exactly 40 hex characters (either case).
bool is_thumbprint(std::string_view value);

// The host part of an instance label, lower-cased: "NDES01.corp:10227" ->
// "ndes01.corp", "[::1]:10227" -> "::1", "ndes01" -> "ndes01". The exporter's port
// suffix is ignored so the hook matches the exporter on the same host.
std::string normalize_instance(std::string_view label);

// A host name or address as --instance takes it: letters, digits, '.', '-', '_', ':'.
bool is_instance_name(std::string_view value);

}  // namespace ndes::renew
