// The SCEP URL that NDES really serves, read from IIS's configuration
// (%windir%\System32\inetsrv\config\applicationHost.config). Pure.
//
// NDES installs the applications /CertSrv/mscep and /CertSrv/mscep_admin under a
// site, usually "Default Web Site". The URL is that site's binding: https when it
// has one, else http; the host from the binding's host header, else this host's
// name; the port unless it is the scheme's default.
//   https://ndes.contoso.com/certsrv/mscep/mscep.dll
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ndes::renew {

// One <binding> of a site ("Binding <binding>", learn.microsoft.com/en-us/iis/
// configuration/system.applicationhost/sites/site/bindings/binding): protocol and
// bindingInformation "ip:port:hostheader" ("*:443:", "10.0.0.5:80:ndes.contoso.com",
// "[fe80::1]:443:").
struct IisBinding {
  std::string ip;  // "*" for all addresses
  int port = 0;
  std::string host_header;  // "" for any host name
};
std::optional<IisBinding> parse_binding_information(std::string_view text);

// The URL of /certsrv/mscep/mscep.dll from the text of applicationHost.config and
// this host's DNS name (used when the binding has no host header). nullopt when it
// cannot be found; then *error says why (malformed XML, no site with the mscep
// application, no http(s) binding on that site).
std::optional<std::string> iis_scep_url(std::string_view application_host_config,
                                        std::string_view host_name, std::string* error);

}  // namespace ndes::renew
