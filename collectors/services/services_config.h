// The `services` collector's settings (Windows services through the SCM): its
// section, defaults and rows. Plain values, built everywhere so they test anywhere.
#pragma once

#include <string>
#include <vector>

#include "base/settings.h"

namespace ndes {

struct ServicesCollectorConfig {
  // Service names (the SCM's key name, not the display name).
  std::vector<std::string> names = {"W3SVC",
                                    "WAS",
                                    "PFXCertificateConnectorSvc",
                                    "PkiCreateConnectorSvc",
                                    "PkiRevokeConnectorSvc",
                                    "PfxCreateLegacyConnectorSvc",
                                    "PKIConnectorSvc",
                                    "AzureADConnectAgentUpdater"};
};

// The rows of --collector.services.*, filling `cfg`.
settings::Table services_settings(ServicesCollectorConfig& cfg);

}  // namespace ndes
