#include "renew/template_match.h"

#include <algorithm>

#include "base/text.h"

namespace ndes::renew {

bool template_matches(std::string_view label, std::string_view published,
                      const std::vector<AdTemplate>& templates) {
  label = trim_view(label);
  published = trim_view(published);
  if (label.empty()) {
    return false;
  }
  if (iequals(label, published)) {
    return true;
  }
  return std::any_of(templates.begin(), templates.end(), [&](const AdTemplate& t) {
    return iequals(trim_view(t.cn), published) &&
           ((!t.oid.empty() && trim_view(t.oid) == label) ||
            (!t.display_name.empty() && iequals(trim_view(t.display_name), label)));
  });
}

std::string choose_ca_for_template(const std::vector<EnrollmentService>& services,
                                   const std::vector<AdTemplate>& templates, std::string_view label,
                                   std::string* error) {
  // Each service reduced to "publishes `label`" or nothing; choose_ca_config then picks
  // the one, with its checks and its error texts.
  std::vector<EnrollmentService> publishing;
  for (const auto& s : services) {
    EnrollmentService reduced{s.cn, s.dns_host, {}};
    if (std::any_of(s.templates.begin(), s.templates.end(), [&](const std::string& published) {
          return template_matches(label, published, templates);
        })) {
      reduced.templates.emplace_back(label);
    }
    publishing.push_back(std::move(reduced));
  }
  return choose_ca_config(publishing, label, error);
}

}  // namespace ndes::renew
