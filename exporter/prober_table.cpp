#include "exporter/prober_table.h"

#include "crl/crl_prober.h"
#include "scep/scep_prober.h"
#include "tls/tls_prober.h"

namespace ndes {

const probe::ProberTable& prober_table() {
  static const probe::ProberTable table = {
      {ProberKind::scep, probe::probe_scep},
      {ProberKind::tls, probe::probe_tls},
      {ProberKind::crl, probe::probe_crl},
  };
  return table;
}

}  // namespace ndes
