// CA discovery for --ca.config left empty: the pKIEnrollmentService objects under
// CN=Enrollment Services in AD's configuration partition, over LDAP as the machine
// (Negotiate); choose_ca_config (verify.h, pure) picks the one for the template.
// clang-format off
#include <windows.h>
#include <winldap.h>
// clang-format on

#include <vector>

#include "base/win/error_text.h"
#include "base/win/utf16.h"
#include "renew/verify.h"
#include "renew/windows/steps.h"

namespace ndes::renew::windows {
namespace {

std::vector<std::string> ldap_values(LDAP* ld, LDAPMessage* entry, const wchar_t* attr) {
  std::vector<std::string> out;
  PWCHAR* values = ldap_get_valuesW(ld, entry, const_cast<PWCHAR>(attr));
  if (values != nullptr) {
    for (PWCHAR* v = values; *v != nullptr; ++v) {
      out.push_back(win::narrow(*v));
    }
    ldap_value_freeW(values);
  }
  return out;
}

// The first value of `attr`, or "".
std::string ldap_value(LDAP* ld, LDAPMessage* entry, const wchar_t* attr) {
  const auto values = ldap_values(ld, entry, attr);
  return values.empty() ? "" : values.front();
}

// The rootDSE's configurationNamingContext, or "".
std::string configuration_naming_context(LDAP* ld) {
  std::string config_nc;
  LDAPMessage* res = nullptr;
  PWCHAR root_attrs[] = {const_cast<PWCHAR>(L"configurationNamingContext"), nullptr};
  if (ldap_search_sW(ld, const_cast<PWCHAR>(L""), LDAP_SCOPE_BASE,
                     const_cast<PWCHAR>(L"(objectClass=*)"), root_attrs, 0, &res) == LDAP_SUCCESS) {
    if (LDAPMessage* e = ldap_first_entry(ld, res)) {
      config_nc = ldap_value(ld, e, L"configurationNamingContext");
    }
  }
  if (res != nullptr) {
    ldap_msgfree(res);
  }
  return config_nc;
}

std::vector<EnrollmentService> enrollment_services(LDAP* ld, const std::string& config_nc) {
  const std::wstring base =
      win::widen("CN=Enrollment Services,CN=Public Key Services,CN=Services," + config_nc);
  PWCHAR attrs[] = {const_cast<PWCHAR>(L"cn"), const_cast<PWCHAR>(L"dNSHostName"),
                    const_cast<PWCHAR>(L"certificateTemplates"), nullptr};
  std::vector<EnrollmentService> services;
  LDAPMessage* res = nullptr;
  if (ldap_search_sW(ld, const_cast<PWCHAR>(base.c_str()), LDAP_SCOPE_ONELEVEL,
                     const_cast<PWCHAR>(L"(objectClass=pKIEnrollmentService)"), attrs, 0,
                     &res) == LDAP_SUCCESS) {
    for (LDAPMessage* e = ldap_first_entry(ld, res); e != nullptr; e = ldap_next_entry(ld, e)) {
      EnrollmentService s;
      s.cn = ldap_value(ld, e, L"cn");
      s.dns_host = ldap_value(ld, e, L"dNSHostName");
      s.templates = ldap_values(ld, e, L"certificateTemplates");
      services.push_back(std::move(s));
    }
  }
  if (res != nullptr) {
    ldap_msgfree(res);
  }
  return services;
}

}  // namespace

std::optional<std::string> discover_from_ad(const std::string& template_name, std::string* error) {
  LDAP* ld = ldap_initW(nullptr, LDAP_PORT);  // the machine's domain
  if (ld == nullptr) {
    *error = "cannot reach AD over LDAP: " + win::last_error_text();
    return std::nullopt;
  }
  ULONG version = LDAP_VERSION3;
  ldap_set_optionW(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
  if (ldap_bind_sW(ld, nullptr, nullptr, LDAP_AUTH_NEGOTIATE) != LDAP_SUCCESS) {
    ldap_unbind(ld);
    *error = "cannot bind to AD";
    return std::nullopt;
  }
  const std::string config_nc = configuration_naming_context(ld);
  if (config_nc.empty()) {
    ldap_unbind(ld);
    *error = "AD has no configurationNamingContext";
    return std::nullopt;
  }
  const std::vector<EnrollmentService> services = enrollment_services(ld, config_nc);
  ldap_unbind(ld);
  std::string config = choose_ca_config(services, template_name, error);
  if (config.empty()) {
    return std::nullopt;
  }
  return config;
}

}  // namespace ndes::renew::windows
