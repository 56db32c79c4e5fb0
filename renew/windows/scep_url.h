// The SCEP URL NDES serves on this server, from IIS's applicationHost.config
// (iis_scep_url.h decides; this reads the file and the host's name). Windows only.
#pragma once

#include <optional>
#include <string>

namespace ndes::renew::windows {

// https://<host>/certsrv/mscep/mscep.dll or the http one; nullopt when IIS's
// configuration cannot be read or holds no SCEP site, and then *error says why.
std::optional<std::string> scep_url_from_iis(std::string* error);

}  // namespace ndes::renew::windows
