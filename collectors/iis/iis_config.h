// The `iis` collector's settings (IIS application pools): its section, defaults and
// rows. Plain values, built everywhere so they test anywhere.
#pragma once

#include <string>
#include <vector>

#include "base/settings.h"

namespace ndes {

struct IisCollectorConfig {
  std::vector<std::string> app_pools = {"SCEP"};
  // "" = %windir%\System32\inetsrv\config\applicationHost.config
  std::string config_file;
  // "" = %windir%\System32\inetsrv\appcmd.exe (the live state)
  std::string appcmd;
};

// The rows of --collector.iis.*, filling `cfg`.
settings::Table iis_settings(IisCollectorConfig& cfg);

}  // namespace ndes
