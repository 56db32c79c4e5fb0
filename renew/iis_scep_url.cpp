#include "renew/iis_scep_url.h"

#include <vector>

#include "base/text.h"
#include "base/xml_lite.h"

namespace ndes::renew {
namespace {

constexpr std::string_view kScepApplication = "/certsrv/mscep";
constexpr std::string_view kScepPath = "/certsrv/mscep/mscep.dll";

// "/CertSrv/mscep/" and "/CertSrv/mscep" are the same place.
std::string_view without_trailing_slash(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') {
    path.remove_suffix(1);
  }
  return path;
}

// The site's paths: each <application path> joined with each of its
// <virtualDirectory path> ("Application <application>" and "Virtual Directory
// <virtualDirectory>", learn.microsoft.com/en-us/iis/configuration/
// system.applicationhost/sites/site/application/). NDES makes an application at
// /CertSrv/mscep; a virtual directory /mscep under an application /CertSrv, or
// /CertSrv/mscep under "/", serves the same URL.
bool serves_scep(const xml::Element& site) {
  for (const xml::Element* app : site.children_named("application")) {
    const std::string app_path(without_trailing_slash(app->attribute("path").value_or("/")));
    if (iequals(app_path, kScepApplication)) {
      return true;
    }
    for (const xml::Element* dir : app->children_named("virtualDirectory")) {
      // A copy: attribute() answers a temporary, which a view would outlive.
      const std::string dir_path(without_trailing_slash(dir->attribute("path").value_or("/")));
      const std::string full = (app_path == "/" ? "" : app_path) + std::string(dir_path);
      if (iequals(without_trailing_slash(full), kScepApplication)) {
        return true;
      }
    }
  }
  return false;
}

struct Chosen {
  std::string scheme;
  IisBinding binding;
};

// The site's first https binding, else its first http one.
std::optional<Chosen> choose_binding(const xml::Element& site, std::string* bad) {
  const xml::Element* bindings = site.child("bindings");
  if (bindings == nullptr) {
    return std::nullopt;
  }
  std::optional<Chosen> http;
  for (const xml::Element* b : bindings->children_named("binding")) {
    const std::string protocol = lower(b->attribute("protocol").value_or(""));
    if (protocol != "https" && protocol != "http") {
      continue;  // net.tcp, ftp...: not where SCEP is served
    }
    const std::string info = b->attribute("bindingInformation").value_or("");
    auto parsed = parse_binding_information(info);
    if (!parsed) {
      *bad = "bindingInformation " + quote(info) + " is not ip:port:hostheader";
      continue;
    }
    if (protocol == "https") {
      return Chosen{protocol, *parsed};
    }
    if (!http) {
      http = Chosen{protocol, *parsed};
    }
  }
  return http;
}

std::optional<std::string> fail(std::string* error, std::string why) {
  if (error != nullptr) {
    *error = std::move(why);
  }
  return std::nullopt;
}

}  // namespace

std::optional<IisBinding> parse_binding_information(std::string_view text) {
  // From the right: an IPv6 address has colons of its own, a host name none.
  const auto host_colon = text.rfind(':');
  if (host_colon == std::string_view::npos || host_colon == 0) {
    return std::nullopt;
  }
  const auto port_colon = text.rfind(':', host_colon - 1);
  if (port_colon == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view port = text.substr(port_colon + 1, host_colon - port_colon - 1);
  if (!is_digits(port) || port.size() > 5) {
    return std::nullopt;
  }
  IisBinding out;
  out.ip = std::string(text.substr(0, port_colon));
  out.port = std::stoi(std::string(port));
  out.host_header = std::string(text.substr(host_colon + 1));
  if (out.ip.empty() || out.port < 1 || out.port > 65535 ||
      out.host_header.find_first_of(" /\\[]@?#") != std::string::npos) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> iis_scep_url(std::string_view application_host_config,
                                        std::string_view host_name, std::string* error) {
  std::string why;
  const auto root = xml::parse(application_host_config, &why);
  if (!root) {
    return fail(error, "applicationHost.config is not well-formed XML: " + why);
  }
  const xml::Element* host = root->child("system.applicationHost");
  const xml::Element* sites = host != nullptr ? host->child("sites") : nullptr;
  if (root->local_name() != "configuration" || sites == nullptr) {
    return fail(error,
                "applicationHost.config has no <configuration><system.applicationHost><sites>");
  }
  for (const xml::Element* site : sites->children_named("site")) {
    if (!serves_scep(*site)) {
      continue;
    }
    const std::string name = site->attribute("name").value_or("?");
    std::string bad_binding;
    const auto chosen = choose_binding(*site, &bad_binding);
    if (!chosen) {
      return fail(error, "the IIS site " + quote(name) +
                             " has the /CertSrv/mscep application but no http or https binding" +
                             (bad_binding.empty() ? "" : " (" + bad_binding + ")"));
    }
    const std::string url_host =
        chosen->binding.host_header.empty() ? std::string(host_name) : chosen->binding.host_header;
    if (url_host.empty()) {
      return fail(error, "the binding of the IIS site " + quote(name) +
                             " has no host header, and this host's name is unknown");
    }
    const int default_port = chosen->scheme == "https" ? 443 : 80;
    const std::string port =
        chosen->binding.port == default_port ? "" : ":" + std::to_string(chosen->binding.port);
    return chosen->scheme + "://" + lower(url_host) + port + std::string(kScepPath);
  }
  return fail(error,
              "no IIS site has the /CertSrv/mscep application (is NDES installed, and is this "
              "the applicationHost.config of its server?)");
}

}  // namespace ndes::renew
