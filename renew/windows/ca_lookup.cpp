// CA discovery for --ca.config left empty: the pKIEnrollmentService objects under
// CN=Enrollment Services in AD's configuration partition and the template objects
// under CN=Certificate Templates, over LDAP as the machine (Negotiate);
// choose_ca_for_template (renew/template_match.h, pure) picks the CA, matching the RA
// certificate's template label by name or by OID.
//
// Bounded in time, as the wldap32 documentation gives the means:
//   - ldap_init does not connect ("ldap_init function": the connection is made when a
//     function needs it); ldap_connect with a timeout then makes it ("ldap_connect
//     function": "the number of seconds to spend in an attempt to establish a
//     connection"), so an unreachable DC fails here and not in a bind without a limit;
//   - LDAP_OPT_TIMELIMIT limits the server's time for the bind and each search
//     ("Session Options"; "Getting and Setting Session Options": "the number of
//     seconds the server uses to wait for a bind or search request");
//   - ldap_search_ext_s takes the client's own timeout and a size limit.
// ldap_init returns NULL on failure and its error comes from LdapGetLastError, not
// GetLastError ("ldap_init function", Return value); the other calls return the LDAP
// error, reported with ldap_err2string.
#include <memory>
#include <vector>

#include "base/win/utf16.h"
#include "renew/template_match.h"
#include "renew/windows/ldap_api.h"
#include "renew/windows/steps.h"

namespace ndes::renew::windows {
namespace {

class Directory {
 public:
  Directory(const LdapApi& api, LDAP* ld) : api_(api), ld_(ld) {}
  ~Directory() {
    if (ld_ != nullptr) {
      api_.unbind(ld_);
    }
  }
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  // "<text> (LDAP error N)" for an LDAP return code.
  std::string error_text(ULONG code) const {
    const PWCHAR text = api_.err2string(code);
    return (text != nullptr ? win::narrow(text) : std::string("unknown error")) + " (LDAP error " +
           std::to_string(code) + ")";
  }

  // "" or why not.
  std::string set_limits() {
    ULONG version = LDAP_VERSION3;
    ULONG time_limit = kLdapServerTimeLimitSeconds;
    if (const ULONG rc = api_.set_option(ld_, LDAP_OPT_PROTOCOL_VERSION, &version);
        rc != LDAP_SUCCESS) {
      return "cannot set LDAP version 3: " + error_text(rc);
    }
    if (const ULONG rc = api_.set_option(ld_, LDAP_OPT_TIMELIMIT, &time_limit);
        rc != LDAP_SUCCESS) {
      return "cannot set the LDAP time limit: " + error_text(rc);
    }
    return "";
  }

  std::string connect_and_bind() {
    l_timeval timeout{kLdapConnectTimeoutSeconds, 0};
    if (const ULONG rc = api_.connect(ld_, &timeout); rc != LDAP_SUCCESS) {
      return "cannot reach a domain controller over LDAP within " +
             std::to_string(kLdapConnectTimeoutSeconds) + "s: " + error_text(rc);
    }
    if (const ULONG rc = api_.bind_s(ld_, nullptr, nullptr, LDAP_AUTH_NEGOTIATE);
        rc != LDAP_SUCCESS) {
      return "cannot bind to AD as this machine (Negotiate): " + error_text(rc);
    }
    return "";
  }

  // The entries' attributes under `base`; "" or why not.
  std::string search(const std::string& base, ULONG scope, const wchar_t* filter,
                     std::vector<const wchar_t*> attrs,
                     std::vector<std::vector<std::vector<std::string>>>& entries) {
    std::vector<PWCHAR> attr_list;
    for (const wchar_t* a : attrs) {
      attr_list.push_back(const_cast<PWCHAR>(a));
    }
    attr_list.push_back(nullptr);
    std::wstring wide_base = win::widen(base);
    l_timeval timeout{kLdapSearchTimeoutSeconds, 0};
    LDAPMessage* res = nullptr;
    const ULONG rc =
        api_.search_ext_s(ld_, wide_base.data(), scope, const_cast<PWCHAR>(filter),
                          attr_list.data(), 0, nullptr, nullptr, &timeout, kLdapSizeLimit, &res);
    const std::unique_ptr<LDAPMessage, Free> owned(res, Free{&api_});
    if (rc != LDAP_SUCCESS) {
      return "LDAP search of " + (base.empty() ? std::string("the rootDSE") : base) +
             " failed: " + error_text(rc);
    }
    for (LDAPMessage* e = api_.first_entry(ld_, res); e != nullptr; e = api_.next_entry(ld_, e)) {
      std::vector<std::vector<std::string>> values;
      for (const wchar_t* a : attrs) {
        values.push_back(values_of(e, a));
      }
      entries.push_back(std::move(values));
    }
    return "";
  }

 private:
  struct Free {
    const LdapApi* api;
    void operator()(LDAPMessage* m) const { api->msgfree(m); }
  };

  // An attribute's values; none when the entry lacks it (a v1 template has no OID).
  std::vector<std::string> values_of(LDAPMessage* entry, const wchar_t* attr) {
    std::vector<std::string> out;
    PWCHAR* values = api_.get_values(ld_, entry, const_cast<PWCHAR>(attr));
    if (values != nullptr) {
      for (PWCHAR* v = values; *v != nullptr; ++v) {
        out.push_back(win::narrow(*v));
      }
      api_.value_free(values);
    }
    return out;
  }

  const LdapApi& api_;
  LDAP* ld_;
};

std::string first(const std::vector<std::string>& values) {
  return values.empty() ? "" : values.front();
}

}  // namespace

std::optional<std::string> discover_from_ad(const std::string& template_name, std::string* error,
                                            const LdapApi& api) {
  const auto fail = [&](std::string why) -> std::optional<std::string> {
    if (error != nullptr) {
      *error = std::move(why);
    }
    return std::nullopt;
  };
  LDAP* ld = api.init(nullptr, LDAP_PORT);  // the machine's domain
  if (ld == nullptr) {
    const ULONG code = api.last_error();
    const PWCHAR text = api.err2string(code);
    return fail("cannot start an LDAP session with AD: " +
                (text != nullptr ? win::narrow(text) : std::string("unknown error")) +
                " (LDAP error " + std::to_string(code) + ")");
  }
  Directory dir(api, ld);
  if (auto why = dir.set_limits(); !why.empty()) {
    return fail(why);
  }
  if (auto why = dir.connect_and_bind(); !why.empty()) {
    return fail(why);
  }
  std::vector<std::vector<std::vector<std::string>>> root;
  if (auto why = dir.search("", LDAP_SCOPE_BASE, L"(objectClass=*)",
                            {L"configurationNamingContext"}, root);
      !why.empty()) {
    return fail(why);
  }
  const std::string config_nc = root.empty() ? "" : first(root.front()[0]);
  if (config_nc.empty()) {
    return fail("AD's rootDSE has no configurationNamingContext");
  }
  const std::string pki = "CN=Public Key Services,CN=Services," + config_nc;

  // The two containers under Public Key Services that the choice reads.
  struct Listing {
    const char* container;
    const wchar_t* filter;
    std::vector<const wchar_t*> attrs;
    std::vector<std::vector<std::vector<std::string>>> rows;
  };
  Listing cas{"CN=Enrollment Services",
              L"(objectClass=pKIEnrollmentService)",
              {L"cn", L"dNSHostName", L"certificateTemplates"},
              {}};
  Listing kinds{"CN=Certificate Templates",
                L"(objectClass=pKICertificateTemplate)",
                {L"cn", L"displayName", L"msPKI-Cert-Template-OID"},
                {}};
  for (Listing* l : {&cas, &kinds}) {
    if (auto why = dir.search(std::string(l->container) + "," + pki, LDAP_SCOPE_ONELEVEL, l->filter,
                              l->attrs, l->rows);
        !why.empty()) {
      return fail(why);
    }
  }
  std::vector<EnrollmentService> services;
  for (const auto& e : cas.rows) {
    services.push_back(EnrollmentService{first(e[0]), first(e[1]), e[2]});
  }
  std::vector<AdTemplate> templates;
  for (const auto& e : kinds.rows) {
    templates.push_back(AdTemplate{first(e[0]), first(e[1]), first(e[2])});
  }
  std::string why;
  std::string config = choose_ca_for_template(services, templates, template_name, &why);
  if (config.empty()) {
    return fail(why);
  }
  return config;
}

}  // namespace ndes::renew::windows
