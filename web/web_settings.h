// The setters of the web settings both binaries have: the listen address and the
// counts (--web.max-requests, --web.max-connections), for their rows in the settings
// table (base/settings.h).
#pragma once

#include <string>

#include "base/settings.h"

namespace ndes {

// A listen address as parse_listen_address() takes it (":10227", "127.0.0.1:10228").
settings::Setter listen_address_setter(std::string* target);

// A count of 1 to 99999 (parse_web_max_requests()).
settings::Setter web_count_setter(int* target);

}  // namespace ndes
