// Moved to web/logging.h (shared by ndes_exporter and ndes_renew_hook); this header
// stays so code that still includes the old path builds.
#pragma once

#include "web/logging.h"
