#include "renew/verify.h"

#include <algorithm>
#include <cctype>

#include "base/text.h"
#include "base/time.h"

namespace ndes::renew {

std::string check_renewed(const Certificate& old_cert, const Certificate& renewed,
                          std::string_view expected_template) {
  if (renewed.thumbprint == old_cert.thumbprint) {
    return "the issued certificate is the old one (" + old_cert.thumbprint + ")";
  }
  if (renewed.template_name != expected_template) {
    return "the issued certificate has template \"" + printable(renewed.template_name) +
           "\", want \"" + std::string(expected_template) + "\"";
  }
  if (old_cert.template_name != expected_template) {
    return "the old certificate has template \"" + printable(old_cert.template_name) +
           "\", want \"" + std::string(expected_template) + "\"";
  }
  if (renewed.not_after <= old_cert.not_after) {
    return "the issued certificate's NotAfter (" + format_time(renewed.not_after) +
           ") is not later than the old one's (" + format_time(old_cert.not_after) + ")";
  }
  return "";
}

std::vector<std::string> superseded_thumbprints(const std::vector<Certificate>& store,
                                                const Certificate& renewed) {
  std::vector<std::string> out;
  for (const auto& cert : store) {
    if (cert.template_name == renewed.template_name && cert.thumbprint != renewed.thumbprint &&
        cert.not_after <= renewed.not_after &&
        std::find(out.begin(), out.end(), cert.thumbprint) == out.end()) {
      out.push_back(cert.thumbprint);
    }
  }
  return out;
}

std::string choose_ca_config(const std::vector<EnrollmentService>& services,
                             std::string_view template_name, std::string* error) {
  std::vector<std::string> found;
  for (const auto& s : services) {
    if (std::find(s.templates.begin(), s.templates.end(), template_name) != s.templates.end() &&
        !s.dns_host.empty() && !s.cn.empty()) {
      found.push_back(s.dns_host + "\\" + s.cn);
    }
  }
  if (found.size() == 1 && is_ca_config(found.front())) {
    return found.front();
  }
  if (error != nullptr) {
    if (found.empty()) {
      *error = "no enterprise CA in AD publishes template " + std::string(template_name) +
               ": set --ca.config";
    } else if (found.size() == 1) {
      *error = "the CA found in AD (" + printable(found.front()) + ") is not a valid config";
    } else {
      std::string names;
      for (const auto& f : found) {
        names += (names.empty() ? "" : ", ") + printable(f);
      }
      *error = "several CAs publish template " + std::string(template_name) + " (" + names +
               "): set --ca.config";
    }
  }
  return "";
}

bool is_ca_config(std::string_view value) {
  const auto sep = value.find('\\');
  if (sep == std::string_view::npos || sep == 0 || sep + 1 >= value.size()) {
    return false;
  }
  const std::string_view host = value.substr(0, sep);
  const std::string_view name = value.substr(sep + 1);
  const bool host_ok = std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
  });
  const bool name_ok = name.front() != ' ' && name.back() != ' ' &&
                       std::none_of(name.begin(), name.end(), [](char c) {
                         const auto u = static_cast<unsigned char>(c);
                         return u < 0x20 || u == 0x7f || c == '"' || c == '\\';
                       });
  return host_ok && name_ok;
}

bool is_service_account(std::string_view value) {
  const auto sep = value.find('\\');
  if (sep == std::string_view::npos || sep == 0 || sep + 1 >= value.size() ||
      value.find('\\', sep + 1) != std::string_view::npos) {
    return false;
  }
  const auto part_ok = [](std::string_view part) {
    return part.front() != ' ' && part.back() != ' ' &&
           std::all_of(part.begin(), part.end(), [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                    std::string_view(" .-_$").find(c) != std::string_view::npos;
           });
  };
  return part_ok(value.substr(0, sep)) && part_ok(value.substr(sep + 1));
}

}  // namespace ndes::renew
