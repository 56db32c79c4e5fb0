// The `crl` prober: fetches a CRL over http(s) (or reads a file) and reports its
// thisUpdate, nextUpdate and number of entries.
#pragma once

#include "probe/probe.h"

namespace ndes::probe {

void probe_crl(const ProbeContext& context, ProbeOutcome& out);

}  // namespace ndes::probe
