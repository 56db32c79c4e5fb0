// The `scep` prober: GetCACaps, then GetCACert, against an NDES or any SCEP server.
#pragma once

#include "probe/probe.h"

namespace ndes::probe {

void probe_scep(const ProbeContext& context, ProbeOutcome& out);

}  // namespace ndes::probe
