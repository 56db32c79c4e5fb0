// The checks after certreq -accept, kept pure so they are tested on any OS with real
// certificates: is the issued certificate a renewal of the old one, and which
// certificates of the template does it supersede.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ndes/cert/certificate.h"

namespace ndes::renew {

// "" when `renewed` replaces `old_cert`: another thumbprint, the expected template
// (the old certificate's too), and a later NotAfter. Else why not, for the record.
std::string check_renewed(const Certificate& old_cert, const Certificate& renewed,
                          std::string_view expected_template);

// The thumbprints of the certificates in `store` that `renewed` supersedes: the same
// template, another thumbprint, and a NotAfter no later than the renewed one's. NDES
// stops with 0x80070057 when it finds two certificates of one RA template.
std::vector<std::string> superseded_thumbprints(const std::vector<Certificate>& store,
                                                const Certificate& renewed);

// One enterprise CA as AD lists it under CN=Enrollment Services.
struct EnrollmentService {
  std::string cn;                      // the CA name
  std::string dns_host;                // dNSHostName
  std::vector<std::string> templates;  // certificateTemplates it publishes
};

// The -config string ("host\CA name") of the one CA that publishes `template_name`.
// Sets *error and returns "" when none or several do (then --ca.config must say).
std::string choose_ca_config(const std::vector<EnrollmentService>& services,
                             std::string_view template_name, std::string* error);

// A --ca.config value: "host\CA name", with a host of letters, digits, '.', '-' and a
// CA name without '"', '\' or control characters.
bool is_ca_config(std::string_view value);

// A --service-account value: "DOMAIN\name" (letters, digits, space, '.', '-', '_', '$').
bool is_service_account(std::string_view value);

}  // namespace ndes::renew
