// The thin seam under discover_from_ad: the wldap32 calls it makes, one pointer each,
// set to the real functions by default. A test swaps in functions that record the
// options, timeouts and scopes passed (and answer as a directory would; wine's LDAP
// cannot reach AD) to show they are the documented ones. Windows only.
#pragma once

// clang-format off
#include <windows.h>
#include <winldap.h>
// clang-format on

namespace ndes::renew::windows {

struct LdapApi {
  decltype(&ldap_initW) init = &ldap_initW;
  decltype(&ldap_set_optionW) set_option = &ldap_set_optionW;
  decltype(&ldap_connect) connect = &ldap_connect;
  decltype(&ldap_bind_sW) bind_s = &ldap_bind_sW;
  decltype(&ldap_search_ext_sW) search_ext_s = &ldap_search_ext_sW;
  decltype(&ldap_first_entry) first_entry = &ldap_first_entry;
  decltype(&ldap_next_entry) next_entry = &ldap_next_entry;
  decltype(&ldap_get_valuesW) get_values = &ldap_get_valuesW;
  decltype(&ldap_value_freeW) value_free = &ldap_value_freeW;
  decltype(&ldap_msgfree) msgfree = &ldap_msgfree;
  decltype(&ldap_unbind) unbind = &ldap_unbind;
  decltype(&LdapGetLastError) last_error = &LdapGetLastError;
  decltype(&ldap_err2stringW) err2string = &ldap_err2stringW;
};

// The limits discover_from_ad sets: the connection (ldap_connect's timeout), the
// server's time for the bind and each search (LDAP_OPT_TIMELIMIT, seconds), the
// client's wait for each search (ldap_search_ext_s's timeout) and its entries.
inline constexpr LONG kLdapConnectTimeoutSeconds = 15;
inline constexpr ULONG kLdapServerTimeLimitSeconds = 30;
inline constexpr LONG kLdapSearchTimeoutSeconds = 30;
inline constexpr ULONG kLdapSizeLimit = 1000;

}  // namespace ndes::renew::windows
