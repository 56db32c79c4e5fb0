// The `certstore` collector's settings (Windows system certificate stores): its
// section, defaults and rows.
#pragma once

#include <string>
#include <vector>

#include "base/settings.h"

namespace ndes {

struct CertstoreCollectorConfig {
  // "Location\Store" names (LocalMachine\My, LocalMachine\CA, Root = LocalMachine\Root).
  std::vector<std::string> stores = {"LocalMachine\\My"};
  // Identities whose read access to each private key is reported
  // (ndes_certificate_private_key_readable). Empty: the SCEP application pool's
  // identity (from applicationHost.config) and service_account.
  std::vector<std::string> key_readers;
  std::string service_account;  // the NDES service account, e.g. CORP\svc-ndes; "" = none
};

// The rows of --collector.certstore.*, filling `cfg` (Windows only: the store names
// are checked against CryptoAPI's locations).
settings::Table certstore_settings(CertstoreCollectorConfig& cfg);

}  // namespace ndes
