// The one table of probers: prober kind -> probe function (blackbox_exporter's
// ProbeFn). /probe and the static-target collectors run them through it, so the
// shared probe code never names scep/, tls/ or crl/. Built where the probes are
// (not in the Windows build yet: no libcurl there).
#pragma once

#include "probe/probe.h"

namespace ndes {

const probe::ProberTable& prober_table();

}  // namespace ndes
