// Which enterprise CA issues the RA certificate's template, when --ca.config is not
// given: the template as the certificate labels it, matched to the names an
// enrollment service publishes. Pure, so it is unit-tested on Linux.
//
// An enrollment service's certificateTemplates attribute lists template *names* (the
// cn of the objects in CN=Certificate Templates). A certificate of a v2 template (the
// kind Microsoft recommends for the NDES RA certificates) carries the template's OID
// (the Certificate Template Information extension, 1.3.6.1.4.1.311.21.7), so its label
// is that OID unless it was mapped to a name; the template object holds the OID in
// msPKI-Cert-Template-OID. A v1 template's certificate carries the name. Names compare
// case-insensitively, as AD compares cn; OIDs exactly.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "renew/verify.h"

namespace ndes::renew {

// A pKICertificateTemplate object under CN=Certificate Templates.
struct AdTemplate {
  std::string cn;            // the name certificateTemplates lists
  std::string display_name;  // displayName
  std::string oid;           // msPKI-Cert-Template-OID ("" for a v1 template)
};

// Whether `label` (the RA certificate's template: a name or an OID) is `published`
// (one value of certificateTemplates): the same name, ignoring case, or the published
// template's OID or display name as AD's template objects give them.
bool template_matches(std::string_view label, std::string_view published,
                      const std::vector<AdTemplate>& templates);

// The -config string of the one CA that publishes the template labelled `label`;
// "" and *error as choose_ca_config (verify.h) when none or several do.
std::string choose_ca_for_template(const std::vector<EnrollmentService>& services,
                                   const std::vector<AdTemplate>& templates, std::string_view label,
                                   std::string* error);

}  // namespace ndes::renew
